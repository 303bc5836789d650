package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufValueType;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the tokenizer a GGUF file describes in its {@code tokenizer.ggml.*} metadata, and writes those entries
 * back: the one place that maps those keys to a {@link Vocabulary}. Defaults for absent keys are llama.cpp's for
 * each model kind ({@code llama_vocab::impl::load}).
 *
 * <p>Model kinds: {@value #MODEL_SPM} (SentencePiece BPE) and {@value #MODEL_BPE} (byte-level BPE, with
 * {@code tokenizer.ggml.pre} naming a {@link PreTokenizer}, which also sets {@code ignore_merges} and the default of
 * {@code add_bos_token} as llama.cpp does). A {@link CharTokenizer} is stored as a
 * {@value #MODEL_SPM} vocabulary of one-character pieces, which llama.cpp tokenizes character by character, marked
 * with {@code tokenizer.ggml.pre = }{@value #PRE_CHAR} (llama.cpp ignores the key for SentencePiece models) so that
 * Basalt reads it back as a character tokenizer without llama.cpp's default BOS and EOS ids.
 */
public final class GgufTokenizers {
    /** {@code tokenizer.ggml.model} of SentencePiece-style vocabularies. */
    public static final String MODEL_SPM = "llama";
    /** {@code tokenizer.ggml.model} of byte-level BPE vocabularies. */
    public static final String MODEL_BPE = "gpt2";
    /** {@code tokenizer.ggml.pre} marking a {@link CharTokenizer} stored as a {@value #MODEL_SPM} vocabulary. */
    public static final String PRE_CHAR = "basalt-char";
    /** llama.cpp's default BOS and EOS id for {@value #MODEL_BPE} vocabularies that name none. */
    private static final int BPE_DEFAULT_SPECIAL_ID = 11;

    private GgufTokenizers() {}

    /** The tokenizer of {@code file}. */
    public static Tokenizer load(GgufFile file) {
        return load(file.metadata(), file.path().getFileName().toString());
    }

    /**
     * The tokenizer {@code m} describes; {@code where} names its source in messages.
     *
     * @throws TokenizerFormatException if the entries are missing, inconsistent or of an unsupported kind
     */
    public static Tokenizer load(GgufMetadata m, String where) {
        String model = m.findString(MetadataKey.TOKENIZER_MODEL.key())
                .orElseThrow(() -> new TokenizerFormatException(where + ": no tokenizer in the file ("
                        + MetadataKey.TOKENIZER_MODEL.key() + " is missing)"));
        String pre = m.findString(MetadataKey.TOKENIZER_PRE.key()).orElse(null);
        return switch (model) {
            case MODEL_SPM -> PRE_CHAR.equals(pre)
                    ? CharTokenizer.fromVocabulary(charVocabulary(m, where), where)
                    : new SentencePieceBpeTokenizer(sentencePieceVocabulary(m, where));
            case MODEL_BPE -> byteLevelBpe(m, where, pre);
            default -> throw new TokenizerFormatException(where + ": tokenizer model '" + model
                    + "' is not supported yet (supported: " + MODEL_SPM + ", " + MODEL_BPE + ")");
        };
    }

    /** The vocabulary of a SentencePiece-style ({@code tokenizer.ggml.model = llama}) file. */
    static Vocabulary sentencePieceVocabulary(GgufMetadata m, String where) {
        String[] tokens = m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key());
        int n = tokens.length;
        float[] scores = m.contains(MetadataKey.TOKENIZER_SCORES.key())
                ? m.getFloatArray(MetadataKey.TOKENIZER_SCORES.key())
                : new float[n];
        requireLength(where, MetadataKey.TOKENIZER_SCORES, scores.length, n);
        return vocabulary(where, tokens, scores, types(m, where, n),
                m.findInt(MetadataKey.TOKENIZER_BOS_ID.key()).orElse(1),
                m.findInt(MetadataKey.TOKENIZER_EOS_ID.key()).orElse(2),
                m.findInt(MetadataKey.TOKENIZER_UNKNOWN_ID.key()).orElse(0),
                m.findInt(MetadataKey.TOKENIZER_PADDING_ID.key()).orElse(-1),
                m.findBool(MetadataKey.TOKENIZER_ADD_BOS.key()).orElse(true),
                m.findBool(MetadataKey.TOKENIZER_ADD_EOS.key()).orElse(false),
                m.findBool(MetadataKey.TOKENIZER_ADD_SPACE_PREFIX.key()).orElse(true));
    }

    /** The vocabulary of a character tokenizer stored as one-character SentencePiece pieces. */
    private static Vocabulary charVocabulary(GgufMetadata m, String where) {
        String[] tokens = m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key());
        int n = tokens.length;
        for (int i = 0; i < n; i++) {
            tokens[i] = tokens[i].replace(SentencePieceBpeTokenizer.SPACE_ESCAPE, ' ');
        }
        return vocabulary(where, tokens, new float[n], types(m, where, n),
                m.findInt(MetadataKey.TOKENIZER_BOS_ID.key()).orElse(-1),
                m.findInt(MetadataKey.TOKENIZER_EOS_ID.key()).orElse(-1),
                m.findInt(MetadataKey.TOKENIZER_UNKNOWN_ID.key()).orElse(-1),
                m.findInt(MetadataKey.TOKENIZER_PADDING_ID.key()).orElse(-1),
                false, false, false);
    }

    /** A byte-level BPE ({@code tokenizer.ggml.model = gpt2}) tokenizer. */
    private static Tokenizer byteLevelBpe(GgufMetadata m, String where, String pre) {
        String[] tokens = m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key());
        int n = tokens.length;
        if (!m.contains(MetadataKey.TOKENIZER_MERGES.key())) {
            throw new TokenizerFormatException(where + ": " + MetadataKey.TOKENIZER_MERGES.key()
                    + " is missing, expected for tokenizer model " + MODEL_BPE);
        }
        String[] lines = m.getStringArray(MetadataKey.TOKENIZER_MERGES.key());
        List<BpeMerge> merges = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            try {
                merges.add(BpeMerge.parse(lines[i]));
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(where + ": " + MetadataKey.TOKENIZER_MERGES.key() + "[" + i
                        + "]: " + e.getMessage());
            }
        }
        PreTokenizer preTokenizer = PreTokenizer.fromGgufName(pre == null ? "" : pre)
                .orElseThrow(() -> new TokenizerFormatException(where + ": " + MetadataKey.TOKENIZER_PRE.key()
                        + (pre == null ? " is missing" : " is '" + pre + "', which is not supported yet")
                        + " (supported: " + Arrays.stream(PreTokenizer.values()).map(PreTokenizer::ggufName).toList()
                        + ")"));
        int fallback = BPE_DEFAULT_SPECIAL_ID < n ? BPE_DEFAULT_SPECIAL_ID : -1;
        Vocabulary vocabulary = vocabulary(where, tokens, new float[n], types(m, where, n),
                m.findInt(MetadataKey.TOKENIZER_BOS_ID.key()).orElse(fallback),
                m.findInt(MetadataKey.TOKENIZER_EOS_ID.key()).orElse(fallback),
                m.findInt(MetadataKey.TOKENIZER_UNKNOWN_ID.key()).orElse(-1),
                m.findInt(MetadataKey.TOKENIZER_PADDING_ID.key()).orElse(-1),
                m.findBool(MetadataKey.TOKENIZER_ADD_BOS.key()).orElse(preTokenizer.addsBosByDefault()),
                m.findBool(MetadataKey.TOKENIZER_ADD_EOS.key()).orElse(false),
                false);
        try {
            // GGUF has no key for ignore_merges: llama.cpp derives it from tokenizer.ggml.pre
            return new ByteLevelBpeTokenizer(vocabulary, merges, preTokenizer, preTokenizer.ignoresMergesByDefault());
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(where + ": " + MetadataKey.TOKENIZER_MERGES.key() + ": " + e.getMessage());
        }
    }

    private static TokenType[] types(GgufMetadata m, String where, int n) {
        TokenType[] types = new TokenType[n];
        if (!m.contains(MetadataKey.TOKENIZER_TOKEN_TYPE.key())) {
            Arrays.fill(types, TokenType.NORMAL);
            return types;
        }
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
        return types;
    }

    private static Vocabulary vocabulary(String where, String[] tokens, float[] scores, TokenType[] types, int bos,
            int eos, int unk, int pad, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        try {
            return new Vocabulary(tokens, scores, types, bos, eos, unk, pad, addBos, addEos, addSpacePrefix);
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

    /** Puts tokens (as {@code texts}), token types and, if {@code withScores}, scores. */
    static void putTokens(GgufMetadata.Builder metadata, String[] texts, Vocabulary vocabulary, boolean withScores) {
        metadata.putStringArray(MetadataKey.TOKENIZER_TOKENS.key(), texts);
        if (withScores) {
            metadata.putFloatArray(MetadataKey.TOKENIZER_SCORES.key(), vocabulary.scores());
        }
        metadata.putIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key(),
                Arrays.stream(vocabulary.types()).mapToInt(TokenType::id).toArray());
    }

    static void putTokens(GgufMetadata.Builder metadata, Vocabulary vocabulary, boolean withScores) {
        putTokens(metadata, vocabulary.tokens(), vocabulary, withScores);
    }

    /**
     * Puts the special ids the vocabulary has (as {@code UINT32}, llama.cpp's type) and the BOS/EOS flags. An id
     * the vocabulary lacks is left out: GGUF has no "none", so a reader falls back to its default.
     */
    static void putSpecialIds(GgufMetadata.Builder metadata, Vocabulary vocabulary) {
        putId(metadata, MetadataKey.TOKENIZER_BOS_ID, vocabulary.bos());
        putId(metadata, MetadataKey.TOKENIZER_EOS_ID, vocabulary.eos());
        putId(metadata, MetadataKey.TOKENIZER_UNKNOWN_ID, vocabulary.unk());
        putId(metadata, MetadataKey.TOKENIZER_PADDING_ID, vocabulary.pad());
        metadata.putBool(MetadataKey.TOKENIZER_ADD_BOS.key(), vocabulary.addBos())
                .putBool(MetadataKey.TOKENIZER_ADD_EOS.key(), vocabulary.addEos());
    }

    private static void putId(GgufMetadata.Builder metadata, MetadataKey key, int id) {
        if (id >= 0) {
            metadata.put(key.key(), GgufValueType.UINT32, id);
        }
    }
}
