package ai.basalt.format.safetensors;

import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a safetensors file laid out as the reference implementation lays it out (huggingface/safetensors
 * {@code tensor.rs}, {@code prepare}): tensors sorted by descending dtype alignment, then by name in UTF-8 byte
 * order, their data back to back from offset 0; a compact JSON header with {@code "__metadata__"} first (its keys
 * sorted, so output is reproducible) and the tensors in data order; the header padded with spaces to a multiple
 * of 8 bytes, so every tensor's data is aligned to its element size.
 *
 * <p>{@link #write(Path)} writes a temporary file beside the target and moves it into place atomically, so no
 * half-written file is ever left under the target's name. Tensor data is read when {@link #write(Path)} runs.
 */
public final class SafetensorsWriter {
    /** A tensor waiting to be written. */
    record Pending(String name, SafetensorsDType dtype, long[] shape, MemorySegment data) {}

    /** Descending alignment (the reverse of the enum's order), then name as UTF-8 bytes, as the reference sorts. */
    static final Comparator<Pending> LAYOUT_ORDER = Comparator.<Pending>comparingInt(p -> -p.dtype().ordinal())
            .thenComparing((a, b) -> Arrays.compareUnsigned(utf8(a.name()), utf8(b.name())));

    private static final int COPY_CHUNK = 1 << 24;

    private final Map<String, String> metadata = new TreeMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private long dataSize;

    /** Adds a {@code "__metadata__"} entry, replacing any of the same key. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds a tensor whose {@code data} holds its elements in {@code dtype}, little-endian, row-major.
     *
     * @param shape dimensions, outermost first (safetensors order); empty for a scalar
     * @throws IllegalArgumentException if the name is {@code "__metadata__"} or already added, a dimension is
     *     negative, or {@code data} has the wrong size
     */
    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, MemorySegment data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        if (name.equals(SafetensorsReader.METADATA_KEY)) {
            throw new IllegalArgumentException("a tensor cannot be named " + SafetensorsReader.METADATA_KEY);
        }
        if (names.contains(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        if (!new String(utf8(name), StandardCharsets.UTF_8).equals(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' has an unpaired surrogate");
        }
        SafetensorsTensorInfo info = new SafetensorsTensorInfo(name, dtype, shape, 0, data.byteSize());
        dataSize = Math.addExact(dataSize, info.byteSize());
        names.add(name);
        tensors.add(new Pending(name, dtype, info.shape(), data));
        return this;
    }

    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, byte[] data) {
        return add(name, dtype, shape, MemorySegment.ofArray(data));
    }

    /**
     * Adds {@code tensor} under its name, its GGML dims reversed into a safetensors shape ({@code dims {cols, rows}}
     * becomes {@code shape [rows, cols]}).
     *
     * @throws IllegalArgumentException if its type has no safetensors dtype (the quantized types)
     */
    public SafetensorsWriter add(Tensor tensor) {
        SafetensorsDType dtype = SafetensorsDType.of(tensor.type());
        if (dtype == null) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is " + tensor.type()
                    + ", which safetensors cannot store; dequantize it first");
        }
        long[] dims = tensor.dims();
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[dims.length - 1 - i];
        return add(tensor.name(), dtype, shape, tensor.data());
    }

    /** Bytes of tensor data added so far. */
    public long dataSize() {
        return dataSize;
    }

    /** The tensors added so far, in the order they were added. */
    List<Pending> pending() {
        return List.copyOf(tensors);
    }

    /**
     * Writes the file to {@code out}, replacing any file there.
     *
     * @throws UncheckedIOException naming {@code out} if writing fails; {@code out} is then left as it was
     */
    public void write(Path out) {
        List<Pending> ordered = new ArrayList<>(tensors);
        ordered.sort(LAYOUT_ORDER);
        byte[] header = header(metadata, ordered);
        writeAtomically(out, "safetensors file", channel -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            for (Pending t : ordered) writeSegment(channel, t.data());
        });
    }

    /** The padded header bytes for {@code ordered} tensors: compact JSON, then spaces to a multiple of 8. */
    static byte[] header(Map<String, String> metadata, List<Pending> ordered) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(JsonText.string(SafetensorsReader.METADATA_KEY)).append(":{");
            String separator = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                json.append(separator).append(JsonText.string(e.getKey())).append(':')
                        .append(JsonText.string(e.getValue()));
                separator = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Pending t : ordered) {
            long end = offset + SafetensorsTensorInfo.byteSize(t.dtype(), t.shape());
            if (json.length() > 1) json.append(',');
            json.append(JsonText.string(t.name())).append(":{\"dtype\":\"").append(t.dtype().name())
                    .append("\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) json.append(i == 0 ? "" : ",").append(t.shape()[i]);
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] bytes = utf8(json.toString());
        int padded = (bytes.length + 7) & ~7;
        if (padded > SafetensorsReader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("safetensors header of " + padded + " bytes exceeds the limit of "
                    + SafetensorsReader.MAX_HEADER_BYTES);
        }
        byte[] out = Arrays.copyOf(bytes, padded);
        Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }

    /** What writes a file's content into an open channel. */
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Writes a temporary file beside {@code out} with {@code content}, then moves it over {@code out}. */
    static void writeAtomically(Path out, String what, Content content) {
        Path target = out.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write " + what + " (" + e + ")", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Best effort: the temporary file has a name no reader looks for.
            }
        }
    }

    /** Writes {@code data}; heap segments over arrays other than {@code byte[]} are copied through a buffer. */
    private static void writeSegment(FileChannel channel, MemorySegment data) throws IOException {
        boolean direct = data.isNative() || data.heapBase().map(base -> base instanceof byte[]).orElse(false);
        ByteBuffer copy = direct ? null : ByteBuffer.allocate((int) Math.min(COPY_CHUNK, data.byteSize()));
        for (long at = 0; at < data.byteSize(); at += COPY_CHUNK) {
            MemorySegment chunk = data.asSlice(at, Math.min(COPY_CHUNK, data.byteSize() - at));
            if (direct) {
                writeFully(channel, chunk.asByteBuffer());
            } else {
                copy.clear().limit((int) chunk.byteSize());
                MemorySegment.ofBuffer(copy).copyFrom(chunk);
                writeFully(channel, copy);
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
