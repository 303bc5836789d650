package ai.basalt.format.gguf;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a GGUF file: metadata, then tensors in the order added, laid out as ggml writes them (each tensor at
 * an offset that is a multiple of the alignment, padded with zeros to the next one, the last one included), so
 * that llama.cpp reads the result.
 *
 * <p>The alignment is {@code general.alignment} from the metadata (a {@code UINT32} power of two, as llama.cpp
 * requires) or 32. {@link #write(Path)} writes a temporary file in the target's folder and moves it into place
 * atomically, so no half-written file is ever left under the target's name. Tensor data is read when
 * {@link #write(Path)} runs, not when it is added.
 */
public final class GgufWriter {
    public static final int DEFAULT_VERSION = 3;
    /** ggml keeps tensor names in 64 bytes including the terminating NUL, so llama.cpp reads at most 63. */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    private record Pending(GgufTensorInfo info, MemorySegment data) {}

    private final GgufMetadata metadata;
    private final int version;
    private final long alignment;
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    /** The data section's size so far, padded: the next tensor's offset. */
    private long dataSize;

    /** A writer of version-3 files. */
    public GgufWriter(GgufMetadata metadata) {
        this(metadata, DEFAULT_VERSION);
    }

    /**
     * @param version 2 or 3 (their layouts are identical; version 3 only allows big-endian files, which Basalt
     *     never writes)
     * @throws IllegalArgumentException for another version or an invalid {@code general.alignment}
     */
    public GgufWriter(GgufMetadata metadata, int version) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        if (version != 2 && version != 3) throw new IllegalArgumentException("GGUF version " + version + ", 2 or 3 expected");
        this.version = version;
        this.alignment = alignment(metadata);
    }

    public long alignment() {
        return alignment;
    }

    /**
     * Adds a tensor whose {@code data} holds its bytes in {@code type}, little-endian.
     *
     * @throws IllegalArgumentException if the name is empty, longer than 63 UTF-8 bytes or already added, the
     *     dimensions are invalid for the type, or {@code data} has the wrong size
     */
    public GgufWriter addTensor(String name, DType type, long[] dims, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' has " + nameBytes + " bytes, 1 to "
                    + MAX_TENSOR_NAME_BYTES + " expected");
        }
        if (names.contains(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        GgufTensorInfo info = new GgufTensorInfo(name, type, dims, dataSize);
        if (data.byteSize() != info.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize() + " bytes of data, "
                    + info.byteSize() + " expected for " + info);
        }
        dataSize = GgufReader.alignUp(Math.addExact(dataSize, info.byteSize()), alignment);
        names.add(name);
        tensors.add(new Pending(info, data));
        return this;
    }

    public GgufWriter addTensor(String name, DType type, long[] dims, byte[] data) {
        return addTensor(name, type, dims, MemorySegment.ofArray(data));
    }

    public GgufWriter addTensor(Tensor tensor) {
        return addTensor(tensor.name(), tensor.type(), tensor.dims(), tensor.data());
    }

    /**
     * Writes the file to {@code out}, replacing any file there.
     *
     * @throws UncheckedIOException naming {@code out} if writing fails; {@code out} is then left as it was
     */
    public void write(Path out) {
        Path target = out.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                GgufOutput o = new GgufOutput(channel);
                writeHeader(o);
                writeTensorInfos(o);
                o.pad(alignment);
                writeTensorData(o);
                o.flush();
                channel.force(true);
            }
            moveIntoPlace(temp, target);
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write GGUF file (" + e + ")", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Best effort: the temporary file has a name no reader looks for.
            }
        }
    }

    // gguf_header_t: magic, version, tensor_count, metadata_kv_count, metadata_kv
    private void writeHeader(GgufOutput o) throws IOException {
        o.u32(GgufReader.MAGIC);
        o.u32(version);
        o.u64(tensors.size());
        o.u64(metadata.size());
        for (String key : metadata.keys()) {
            o.string(key);
            GgufValueType type = metadata.type(key);
            o.u32(type.id());
            writeValue(o, type, metadata.raw(key));
        }
    }

    private static void writeValue(GgufOutput o, GgufValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> o.u8((Byte) value);
            case UINT16, INT16 -> o.u16((Short) value);
            case UINT32, INT32 -> o.u32((Integer) value);
            case UINT64, INT64 -> o.u64((Long) value);
            case FLOAT32 -> o.f32((Float) value);
            case FLOAT64 -> o.f64((Double) value);
            case BOOL -> o.u8((Boolean) value ? 1 : 0);
            case STRING -> o.string((String) value);
            case ARRAY -> {
                GgufArray array = (GgufArray) value;
                o.u32(array.elementType().id());
                o.u64(array.size());
                for (int i = 0; i < array.size(); i++) writeValue(o, array.elementType(), array.get(i));
            }
        }
    }

    // gguf_tensor_info_t: name, n_dimensions, dimensions, type, offset
    private void writeTensorInfos(GgufOutput o) throws IOException {
        for (Pending t : tensors) {
            o.string(t.info().name());
            long[] dims = t.info().dims();
            o.u32(dims.length);
            for (long d : dims) o.u64(d);
            o.u32(t.info().type().ggmlId());
            o.u64(t.info().offset());
        }
    }

    private void writeTensorData(GgufOutput o) throws IOException {
        long start = o.position();
        for (Pending t : tensors) {
            if (o.position() - start != t.info().offset()) throw new IllegalStateException("tensor data out of place");
            o.segment(t.data());
            o.pad(alignment);
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static long alignment(GgufMetadata metadata) {
        String key = MetadataKey.GENERAL_ALIGNMENT.key();
        if (!metadata.contains(key)) return GgufReader.DEFAULT_ALIGNMENT;
        if (metadata.type(key) != GgufValueType.UINT32) {
            throw new IllegalArgumentException(key + " is " + metadata.type(key) + ", UINT32 expected");
        }
        long alignment = metadata.getLong(key);
        if (alignment == 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException(key + " " + alignment + " is not a power of two");
        }
        return alignment;
    }
}
