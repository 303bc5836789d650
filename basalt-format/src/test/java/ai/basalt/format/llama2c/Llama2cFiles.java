package ai.basalt.format.llama2c;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small llama2.c checkpoints and tokenizers for tests. */
final class Llama2cFiles {
    /** dim 8, hidden 12, 2 layers, 4 heads, 2 kv heads, vocab 10, seq_len 4: head size 2, kv dim 4. */
    static final int[] TINY = {8, 12, 2, 4, 2, 10, 4};

    /** Floats of each weight group of {@link #TINY}, in run.c's order (the classifier last). */
    static final int[] TINY_GROUP_FLOATS = {80, 16, 128, 64, 64, 128, 16, 192, 192, 192, 8, 8, 80};

    private Llama2cFiles() {}

    /**
     * A checkpoint with {@code header} whose float {@code i} of weight group {@code g} is {@code g * 10000 + i},
     * so every view can be checked; {@code groupFloats} gives each group's size.
     */
    static Path checkpoint(Path file, int[] header, int[] groupFloats) {
        int total = 0;
        for (int n : groupFloats) total += n;
        ByteBuffer b = ByteBuffer.allocate(28 + 4 * total).order(ByteOrder.LITTLE_ENDIAN);
        for (int h : header) b.putInt(h);
        for (int g = 0; g < groupFloats.length; g++) {
            for (int i = 0; i < groupFloats[g]; i++) b.putFloat(g * 10_000 + i);
        }
        return write(file, b.array());
    }

    /** {@link #TINY} with its own classifier (negative vocab_size on disk). */
    static Path tinyUnshared(Path file) {
        int[] header = TINY.clone();
        header[5] = -header[5];
        return checkpoint(file, header, TINY_GROUP_FLOATS);
    }

    /** {@link #TINY} sharing the token embedding table as classifier. */
    static Path tinyShared(Path file) {
        int[] groups = java.util.Arrays.copyOf(TINY_GROUP_FLOATS, TINY_GROUP_FLOATS.length - 1);
        return checkpoint(file, TINY, groups);
    }

    /** A tokenizer.bin with the given tokens; token {@code i} scores {@code -i}. */
    static Path tokenizer(Path file, String... tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int max = 0;
        for (String t : tokens) max = Math.max(max, t.getBytes(StandardCharsets.UTF_8).length);
        out.writeBytes(le(4).putInt(max).array());
        for (int i = 0; i < tokens.length; i++) {
            byte[] bytes = tokens[i].getBytes(StandardCharsets.UTF_8);
            out.writeBytes(le(8).putFloat(-i).putInt(bytes.length).array());
            out.writeBytes(bytes);
        }
        return write(file, out.toByteArray());
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
