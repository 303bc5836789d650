package ai.basalt.format.gguf;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An open GGUF file: its metadata and tensor infos, read and checked when opened, and typed tensor views over
 * the memory-mapped data, which stay valid until {@link #close()}.
 *
 * <p>The file is mapped whole through {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} with a
 * shared arena, so files over 2 GiB work and tensor views may be read from any thread. Only little-endian files
 * are read.
 */
public final class GgufFile implements GgufView {
    private final Path path;
    /** The arena owning the mapping; null for a file read from memory the caller owns. */
    private final Arena arena;
    private final MemorySegment data;
    private final GgufReader.Header header;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private volatile boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment data, GgufReader.Header header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : header.tensors()) byName.put(t.name(), t);
        this.tensorsByName = byName;
    }

    /**
     * Memory-maps and reads {@code path}.
     *
     * @throws GgufFormatException if the file is not a well-formed GGUF file
     * @throws UncheckedIOException naming the file if it is missing or cannot be read
     */
    public static GgufFile open(Path path) {
        Objects.requireNonNull(path, "path");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(path, arena, data, GgufReader.read(path.toString(), data));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(path + ": cannot read GGUF file (" + describe(e) + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reads a GGUF file held in {@code bytes}, which the caller owns and keeps alive; {@code name} stands for
     * the file in messages and {@link #path()}. Tensor views are slices of {@code bytes}.
     *
     * @throws GgufFormatException if the bytes are not a well-formed GGUF file
     */
    public static GgufFile read(Path name, MemorySegment bytes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
        return new GgufFile(name, null, bytes, GgufReader.read(name.toString(), bytes));
    }

    @Override
    public Path path() {
        return path;
    }

    /** The format version, 2 or 3. */
    public int version() {
        return header.version();
    }

    @Override
    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** The tensor infos, in file order. */
    @Override
    public List<GgufTensorInfo> tensors() {
        return header.tensors();
    }

    /** The alignment of the data section and of every tensor in it ({@code general.alignment}, default 32). */
    public long alignment() {
        return header.alignment();
    }

    /** Where the data section starts, in bytes from the start of the file. */
    public long dataOffset() {
        return header.dataOffset();
    }

    /** The file's size in bytes. */
    public long size() {
        return data.byteSize();
    }

    @Override
    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /**
     * A view of tensor {@code name} over the file's bytes, in its stored type.
     *
     * @throws GgufFormatException naming the file and the tensor if the file has no such tensor
     * @throws IllegalStateException if the file is closed
     */
    @Override
    public Tensor tensor(String name) {
        GgufTensorInfo info = tensorsByName.get(name);
        if (info == null) {
            throw new GgufFormatException(path + ": no tensor " + GgufFormatException.quote(name) + " among its "
                    + tensorsByName.size() + " tensors");
        }
        return tensor(info);
    }

    /** A view of the tensor {@code info} describes; {@code info} must be one of {@link #tensors()}. */
    public Tensor tensor(GgufTensorInfo info) {
        if (!info.equals(tensorsByName.get(info.name()))) {
            throw new IllegalArgumentException(path + ": " + info + " is not a tensor of this file");
        }
        if (closed) throw new IllegalStateException(path + ": the GGUF file is closed");
        MemorySegment bytes = data.asSlice(header.dataOffset() + info.offset(), info.byteSize());
        return new Tensor(info.name(), info.type(), info.dims(), bytes);
    }

    /** Unmaps the file; tensor views taken from it become unusable. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (arena != null) arena.close();
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version() + ", " + metadata().size() + " keys, " + tensors().size() + " tensors]";
    }

    private static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException _ -> "no such file";
            case AccessDeniedException _ -> "access denied";
            default -> e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }
}
