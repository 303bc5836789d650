package ai.basalt.format.llama2c;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A llama2.c {@code tokenizer.bin} ({@code run.c}'s {@code build_tokenizer}): an int32 {@code max_token_length},
 * then per token a float32 score, an int32 byte length and the token's bytes, all little-endian, until the end
 * of the file. The file does not store the vocabulary size: it is the number of tokens read, which a checkpoint's
 * {@code vocab_size} must match.
 */
public final class Llama2cTokenizer {
    /** Far above any real vocabulary (Llama 2's is 0.4 MB); guards against reading a wrong, huge file. */
    static final long MAX_FILE_BYTES = 1L << 30;

    private final int maxTokenLength;
    private final byte[][] tokens;
    private final float[] scores;

    private Llama2cTokenizer(int maxTokenLength, byte[][] tokens, float[] scores) {
        this.maxTokenLength = maxTokenLength;
        this.tokens = tokens;
        this.scores = scores;
    }

    /**
     * Reads {@code path}.
     *
     * @throws Llama2cFormatException naming the file if it is truncated or a token length is impossible
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static Llama2cTokenizer read(Path path) {
        Objects.requireNonNull(path, "path");
        ByteBuffer in = ByteBuffer.wrap(readAll(path)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < Integer.BYTES) throw fail(path, "truncated: " + in.remaining() + " bytes, no max_token_length");
        int maxTokenLength = in.getInt();
        if (maxTokenLength < 0) throw fail(path, "max_token_length is " + maxTokenLength + ", not a length");
        List<byte[]> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (in.hasRemaining()) {
            int id = tokens.size();
            if (in.remaining() < 8) {
                throw fail(path, "truncated at token " + id + ": " + in.remaining() + " bytes left, 8 needed for score and length");
            }
            scores.add(in.getFloat());
            int length = in.getInt();
            if (length < 0 || length > maxTokenLength) {
                throw fail(path, "token " + id + " has length " + length + ", 0 to max_token_length " + maxTokenLength + " expected");
            }
            if (length > in.remaining()) {
                throw fail(path, "truncated at token " + id + ": " + length + " bytes expected, " + in.remaining() + " left");
            }
            byte[] token = new byte[length];
            in.get(token);
            tokens.add(token);
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) scoreArray[i] = scores.get(i);
        return new Llama2cTokenizer(maxTokenLength, tokens.toArray(byte[][]::new), scoreArray);
    }

    public int size() {
        return tokens.length;
    }

    public int maxTokenLength() {
        return maxTokenLength;
    }

    /** The token's bytes as stored. */
    public byte[] bytes(int id) {
        return tokens[id].clone();
    }

    /** The token's bytes decoded as UTF-8 (SentencePiece pieces are UTF-8; byte tokens are spelled {@code <0xAB>}). */
    public String piece(int id) {
        return new String(tokens[id], StandardCharsets.UTF_8);
    }

    public float score(int id) {
        return scores[id];
    }

    private static byte[] readAll(Path path) {
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) throw fail(path, size + " bytes, too large for a llama2.c tokenizer");
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read llama2.c tokenizer (" + e + ")", e);
        }
    }

    private static Llama2cFormatException fail(Path path, String problem) {
        return new Llama2cFormatException(path + ": " + problem);
    }
}
