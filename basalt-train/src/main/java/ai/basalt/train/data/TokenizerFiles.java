package ai.basalt.train.data;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.tokenizer.CharTokenizer;
import ai.basalt.tokenizer.GgufTokenizers;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Tokenizers;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens a tokenizer file of any kind the data pipeline and trainer take, chosen by its name and, for JSON, its
 * content:
 * <ul>
 *   <li>{@code .json} with {@code "format": "basalt-char-tokenizer"}: a {@link CharTokenizer};</li>
 *   <li>other {@code .json}: a Hugging Face {@code tokenizer.json} (byte-level BPE, as {@code basalt tokenizer
 *       train --type bpe} writes);</li>
 *   <li>{@code .model}: a SentencePiece model;</li>
 *   <li>{@code .gguf}: the tokenizer in a GGUF file's metadata.</li>
 * </ul>
 */
public final class TokenizerFiles {
    private TokenizerFiles() {}

    /**
     * The tokenizer in {@code file}.
     *
     * @throws IllegalArgumentException naming the file if it is missing or of an unknown kind
     * @throws ai.basalt.tokenizer.TokenizerFormatException naming the file if it is malformed
     */
    public static Tokenizer load(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such tokenizer file");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gguf")) {
            try (GgufFile gguf = GgufFile.open(file)) {
                return GgufTokenizers.load(gguf);
            }
        }
        if (name.endsWith(".model")) return Tokenizers.sentencePiece(file);
        if (name.endsWith(".json")) {
            return CharTokenizer.FORMAT.equals(format(file)) ? Tokenizers.characters(file) : Tokenizers.huggingFace(file);
        }
        throw new IllegalArgumentException(file + ": unknown kind of tokenizer file (expected a tokenizer.json or "
                + "character tokenizer .json, a SentencePiece .model or a .gguf)");
    }

    /** The {@code format} field of a JSON file, or null. */
    private static String format(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            return root != null && root.path("format").isTextual() ? root.path("format").textValue() : null;
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read tokenizer (" + e + ")", e);
        }
    }
}
