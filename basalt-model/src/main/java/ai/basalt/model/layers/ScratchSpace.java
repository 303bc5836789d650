package ai.basalt.model.layers;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Disk-backed room for the tensors a writer re-encodes, rearranges or generates before {@link
 * ai.basalt.format.gguf.GgufWriter} or a safetensors writer copies them out: one memory-mapped file beside the output,
 * sized up front and handed out in slices, deleted on {@link #close()}. Memory does not grow with the model; the disk
 * needs room for those tensors while the output is written. Quantization, conversion and synthetic models share it.
 */
public final class ScratchSpace implements AutoCloseable {
    /** Rows per parallel task of {@link #encode}: enough to amortise the hand-off, few enough to spread small tensors. */
    private static final int ROWS_PER_TASK = 16;

    private final Path file;
    private final FileChannel channel;
    private final Arena arena;
    private final MemorySegment space;
    private long used;

    private ScratchSpace(Path file, FileChannel channel, Arena arena, MemorySegment space) {
        this.file = file;
        this.channel = channel;
        this.arena = arena;
        this.space = space;
    }

    /** Room for {@code bytes} in a hidden file in {@code folder}, named after {@code stem}. */
    public static ScratchSpace create(Path folder, String stem, long bytes) {
        Path file = folder.resolve("." + stem + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".scratch");
        if (bytes == 0) return new ScratchSpace(file, null, null, MemorySegment.NULL);
        Arena arena = Arena.ofShared();
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            return new ScratchSpace(file, channel, arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena));
        } catch (IOException e) {
            arena.close();
            delete(file);
            throw new UncheckedIOException(file + ": cannot create scratch space of " + bytes + " bytes (" + e + ")", e);
        }
    }

    /** The next {@code bytes} of the space. */
    public MemorySegment next(long bytes) {
        MemorySegment slice = space.asSlice(used, bytes);
        used += bytes;
        return slice;
    }

    /**
     * {@code source} decoded row by row and encoded as {@code type} into the next slice of the space, rows in parallel
     * (each row is encoded on its own, so the bytes do not depend on the split).
     */
    public MemorySegment encode(Tensor source, DType type) {
        MemorySegment out = next(type.byteSize(source.elementCount()));
        int rows = source.rows();
        int cols = source.cols();
        long rowBytes = type.byteSize(cols);
        TensorOps ops = TensorOps.scalar();
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(task -> {
            float[] row = new float[cols];
            int end = Math.min(rows, (task + 1) * ROWS_PER_TASK);
            for (int r = task * ROWS_PER_TASK; r < end; r++) {
                ops.dequantizeRow(source, r, row, 0);
                Quantizer.quantize(row, 0, cols, type, out, r * rowBytes);
            }
        });
        return out;
    }

    @Override
    public void close() {
        if (arena != null) arena.close();
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // DELETE_ON_CLOSE or the delete below removes the file either way.
        }
        delete(file);
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Best effort: the file has a hidden name no reader looks for.
        }
    }
}
