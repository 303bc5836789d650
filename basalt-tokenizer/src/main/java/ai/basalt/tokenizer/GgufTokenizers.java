package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;
import java.util.Arrays;

/**
 * Builds the tokenizer a GGUF file describes in its {@code tokenizer.ggml.*} metadata: the one place that
 * maps those keys to a {@link Vocabulary}. Defaults for absent keys are llama.cpp's for each model kind.
 */
public final class GgufTokenizers {
    private GgufTokenizers() {}

    /** The tokenizer of {@code file}. */
    public static Tokenizer load(GgufFile file) {
        String where = file.path().getFileName().toString();
        GgufMetadata m = file.metadata();
        String model = m.findString(MetadataKey.TOKENIZER_MODEL.key())
                .orElseThrow(() -> new TokenizerFormatException(where + ": no tokenizer in the file ("
                        + MetadataKey.TOKENIZER_MODEL.key() + " is missing)"));
        return switch (model) {
            case "llama" -> new SentencePieceBpeTokenizer(sentencePieceVocabulary(m, where));
            default -> throw new TokenizerFormatException(where + ": tokenizer model '" + model
                    + "' is not supported yet (supported: llama)");
        };
    }

    /** The vocabulary of a SentencePiece-style ({@code tokenizer.ggml.model = llama}) file. */
    static Vocabulary sentencePieceVocabulary(GgufMetadata m, String where) {
        String[] tokens = m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key());
        int n = tokens.length;
        float[] scores = m.contains(MetadataKey.TOKENIZER_SCORES.key())
                ? m.getFloatArray(MetadataKey.TOKENIZER_SCORES.key())
                : new float[n];
        TokenType[] types = new TokenType[n];
        if (m.contains(MetadataKey.TOKENIZER_TOKEN_TYPE.key())) {
            int[] ids = m.getIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key());
            requireLength(where, MetadataKey.TOKENIZER_TOKEN_TYPE, ids.length, n);
            for (int i = 0; i < n; i++) {
                try {
                    types[i] = TokenType.fromId(ids[i]);
                } catch (IllegalArgumentException e) {
                    throw new TokenizerFormatException(where + ": " + MetadataKey.TOKENIZER_TOKEN_TYPE.key() + "[" + i
                            + "]: " + e.getMessage());
                }
            }
        } else {
            Arrays.fill(types, TokenType.NORMAL);
        }
        requireLength(where, MetadataKey.TOKENIZER_SCORES, scores.length, n);
        try {
            return new Vocabulary(tokens, scores, types,
                    m.findInt(MetadataKey.TOKENIZER_BOS_ID.key()).orElse(1),
                    m.findInt(MetadataKey.TOKENIZER_EOS_ID.key()).orElse(2),
                    m.findInt(MetadataKey.TOKENIZER_UNKNOWN_ID.key()).orElse(0),
                    m.findInt(MetadataKey.TOKENIZER_PADDING_ID.key()).orElse(-1),
                    m.findBool(MetadataKey.TOKENIZER_ADD_BOS.key()).orElse(true),
                    m.findBool(MetadataKey.TOKENIZER_ADD_EOS.key()).orElse(false),
                    m.findBool(MetadataKey.TOKENIZER_ADD_SPACE_PREFIX.key()).orElse(true));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(where + ": " + e.getMessage());
        }
    }

    private static void requireLength(String where, MetadataKey key, int actual, int expected) {
        if (actual != expected) {
            throw new TokenizerFormatException(where + ": " + key.key() + " has " + actual + " entries, expected one per token ("
                    + expected + ")");
        }
    }
}
