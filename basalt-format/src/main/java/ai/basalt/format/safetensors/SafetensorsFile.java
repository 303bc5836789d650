package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsFormatException.quote;

import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An open safetensors file: its metadata and tensor entries, read and checked when opened, and views over the
 * memory-mapped tensor data, which stay valid until {@link #close()}.
 *
 * <p>The file is mapped whole with a shared arena, so files over 2 GiB work and views may be read from any
 * thread. {@link #bytes(String)} gives any tensor's raw little-endian bytes; {@link #tensor(String)} gives a
 * {@link Tensor} for the dtypes GGML also has, with the shape reversed into GGML's innermost-first order
 * (safetensors {@code shape [rows, cols]} is GGML {@code dims {cols, rows}}; a scalar is {@code dims {1}}).
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    /** The arena owning the mapping; null for a file read from memory the caller owns. */
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsReader.Header header;
    private final Map<String, SafetensorsTensorInfo> tensorsByName;
    private volatile boolean closed;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsReader.Header header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
        Map<String, SafetensorsTensorInfo> byName = new LinkedHashMap<>();
        for (SafetensorsTensorInfo t : header.tensors()) byName.put(t.name(), t);
        this.tensorsByName = byName;
    }

    /**
     * Memory-maps and reads {@code path}.
     *
     * @throws SafetensorsFormatException if the file is not a well-formed safetensors file
     * @throws UncheckedIOException naming the file if it is missing or cannot be read
     */
    public static SafetensorsFile open(Path path) {
        Objects.requireNonNull(path, "path");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new SafetensorsFile(path, arena, data, SafetensorsReader.read(path.toString(), data));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(path + ": cannot read safetensors file (" + describe(e) + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reads a safetensors file held in {@code bytes}, which the caller owns and keeps alive; {@code name} stands
     * for the file in messages.
     *
     * @throws SafetensorsFormatException if the bytes are not a well-formed safetensors file
     */
    public static SafetensorsFile read(Path name, MemorySegment bytes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
        return new SafetensorsFile(name, null, bytes, SafetensorsReader.read(name.toString(), bytes));
    }

    public Path path() {
        return path;
    }

    /** The {@code "__metadata__"} strings, in header order; empty where the header has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The tensor entries in the order of their data in the file. */
    public List<SafetensorsTensorInfo> tensors() {
        return header.tensors();
    }

    /** The header's length N, spaces it is padded with included. */
    public long headerSize() {
        return header.headerSize();
    }

    /** Where the byte buffer starts, in bytes from the start of the file: 8 + N. */
    public long dataOffset() {
        return header.dataOffset();
    }

    /** The file's size in bytes. */
    public long size() {
        return data.byteSize();
    }

    public boolean contains(String name) {
        return tensorsByName.containsKey(name);
    }

    public Optional<SafetensorsTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /**
     * The entry of tensor {@code name}.
     *
     * @throws SafetensorsFormatException naming the file and the tensor if the file has no such tensor
     */
    public SafetensorsTensorInfo info(String name) {
        SafetensorsTensorInfo info = tensorsByName.get(name);
        if (info == null) {
            throw new SafetensorsFormatException(path + ": no tensor " + quote(name) + " among its "
                    + tensorsByName.size() + " tensors");
        }
        return info;
    }

    /**
     * The raw little-endian bytes of tensor {@code name}, row-major, as a read-only view of the file.
     *
     * @throws SafetensorsFormatException if the file has no such tensor
     * @throws IllegalStateException if the file is closed
     */
    public MemorySegment bytes(String name) {
        SafetensorsTensorInfo info = info(name);
        if (closed) throw new IllegalStateException(path + ": the safetensors file is closed");
        return data.asSlice(header.dataOffset() + info.begin(), info.byteSize()).asReadOnly();
    }

    /**
     * Tensor {@code name} as a {@link Tensor} view in its stored type, dimensions in GGML order
     * ({@link SafetensorsTensorInfo#ggmlDims()}).
     *
     * @throws SafetensorsFormatException if the file has no such tensor, or it cannot be a {@code Tensor}: its dtype
     *     has no GGML type ({@code BOOL} and the unsigned ones), it has more than 4 dimensions, or no elements
     * @throws IllegalStateException if the file is closed
     */
    public Tensor tensor(String name) {
        SafetensorsTensorInfo info = info(name);
        String what = path + ": tensor " + quote(name) + " (" + info.dtype() + " " + Arrays.toString(info.shape())
                + ")";
        if (info.dtype().ggml() == null) {
            throw new SafetensorsFormatException(what + " has no GGML type; read its bytes instead");
        }
        if (info.rank() > 4) throw new SafetensorsFormatException(what + " has more than 4 dimensions");
        if (info.elementCount() == 0) throw new SafetensorsFormatException(what + " has no elements");
        return new Tensor(name, info.dtype().ggml(), info.ggmlDims(), bytes(name));
    }

    /** Unmaps the file; views taken from it become unusable. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (arena != null) arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors().size() + " tensors, " + metadata().size() + " metadata]";
    }

    static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException _ -> "no such file";
            case AccessDeniedException _ -> "access denied";
            default -> e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }
}
