package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The byte-level BPE tokenizer of GPT-2 and its descendants, behaving as OpenAI's {@code encoder.py}, tiktoken,
 * Hugging Face's {@code ByteLevel} + {@code BPE} and llama.cpp's BPE vocabulary
 * ({@code src/llama-vocab.cpp}: {@code llm_tokenizer_bpe_session}, {@code token_to_piece}).
 *
 * <p>Encoding: special-token texts are cut out first ({@link SpecialTokenSplitter}: control tokens such as
 * {@code <|endoftext|>} when parsed, user-defined ones always); each remaining fragment is normalized (only where
 * the {@code tokenizer.json} asks for it, see {@link Normalization}) and cut into words by the
 * {@link PreTokenizer}; each word's UTF-8 bytes start as one token per byte (under {@link ByteLevel}'s map) and
 * are merged by rank ({@link MergeTable}), unless merges are ignored and the whole word is a token (Llama 3's
 * {@code ignore_merges}, which llama.cpp applies to any token of that text). Words already seen are served from a
 * bounded cache.
 *
 * <p>Decoding gives the exact bytes: normal tokens are mapped back through {@link ByteLevel}, user-defined
 * tokens render verbatim, control and unknown tokens only when unparsed. Unlike llama.cpp, no
 * {@code clean_up_tokenization_spaces} pass removes spaces before punctuation: Basalt promises
 * {@code decode(encode(x)) == x} (with unpaired surrogates as U+FFFD, and normalized where the tokenizer
 * normalizes), and a streaming decoder could not take back a space it has already emitted.
 * The vocabulary's {@code addSpacePrefix} is not used, as in llama.cpp's BPE.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    /** Words cached before the cache is cleared; a GPT-2 word costs about 100 bytes here. */
    private static final int CACHE_LIMIT = 1 << 16;
    private static final byte[] NOTHING = new byte[0];

    private final Vocabulary vocabulary;
    private final List<BpeMerge> merges;
    private final PreTokenizer preTokenizer;
    private final Normalization normalization;
    /** Byte-level word texts taken whole, or null when merges are not ignored. */
    private final Map<String, Integer> wholeWords;
    private final SpecialTokenSplitter splitter;
    private final MergeTable mergeTable;
    /** (256) the token of each byte, or -1 where the vocabulary has none. */
    private final int[] byteTokens = new int[256];
    /** (V) UTF-8 bytes each token renders as when special tokens are unparsed. */
    private final byte[][] pieces;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocabulary   tokens in byte-level text ({@code Ġthe}); special tokens in plain text
     * @param merges       merge rules by rank; each side and each result must be a normal token
     * @param preTokenizer how text is cut into words
     * @throws IllegalArgumentException if a merge names a text that is not a normal token
     */
    public ByteLevelBpeTokenizer(Vocabulary vocabulary, List<BpeMerge> merges, PreTokenizer preTokenizer) {
        this(vocabulary, merges, preTokenizer, false);
    }

    /**
     * @param vocabulary   tokens in byte-level text ({@code Ġthe}); special tokens in plain text
     * @param merges       merge rules by rank; each side and each result must be a normal token
     * @param preTokenizer how text is cut into words
     * @param ignoreMerges whether a word whose byte-level text is a token becomes that token without merging
     *                     (Hugging Face's {@code ignore_merges}, set by Llama 3); where texts repeat, the highest
     *                     id of any type wins, as in llama.cpp
     * @throws IllegalArgumentException if a merge names a text that is not a normal token
     */
    public ByteLevelBpeTokenizer(Vocabulary vocabulary, List<BpeMerge> merges, PreTokenizer preTokenizer,
            boolean ignoreMerges) {
        this(vocabulary, merges, preTokenizer, ignoreMerges, Normalization.NONE);
    }

    /**
     * @param vocabulary    tokens in byte-level text ({@code Ġthe}); special tokens in plain text
     * @param merges        merge rules by rank; each side and each result must be a normal token
     * @param preTokenizer  how text is cut into words
     * @param ignoreMerges  whether a word whose byte-level text is a token becomes that token without merging
     *                      (Hugging Face's {@code ignore_merges}, set by Llama 3); where texts repeat, the highest
     *                      id of any type wins, as in llama.cpp
     * @param normalization the Unicode normalization of the text between special tokens (Qwen's NFC)
     * @throws IllegalArgumentException if a merge names a text that is not a normal token
     */
    public ByteLevelBpeTokenizer(Vocabulary vocabulary, List<BpeMerge> merges, PreTokenizer preTokenizer,
            boolean ignoreMerges, Normalization normalization) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.merges = List.copyOf(merges);
        this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
        if (ignoreMerges) {
            wholeWords = new HashMap<>(vocabulary.size() * 2);
            for (int id = 0; id < vocabulary.size(); id++) {
                wholeWords.put(vocabulary.tokens()[id], id);
            }
        } else {
            wholeWords = null;
        }
        this.splitter = new SpecialTokenSplitter(vocabulary);
        Map<String, Integer> ids = normalTokenIds(vocabulary);
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = ids.getOrDefault(String.valueOf(ByteLevel.charOf(b)), -1);
        }
        int n = this.merges.size();
        int[] left = new int[n];
        int[] right = new int[n];
        int[] merged = new int[n];
        for (int rank = 0; rank < n; rank++) {
            BpeMerge merge = this.merges.get(rank);
            left[rank] = requireToken(ids, merge.left(), rank, merge);
            right[rank] = requireToken(ids, merge.right(), rank, merge);
            merged[rank] = requireToken(ids, merge.merged(), rank, merge);
        }
        this.mergeTable = new MergeTable(left, right, merged);
        this.pieces = new byte[vocabulary.size()][];
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = render(id);
        }
    }

    /** Normal tokens by text; the highest id wins where texts repeat, as in llama.cpp. */
    private static Map<String, Integer> normalTokenIds(Vocabulary vocabulary) {
        Map<String, Integer> ids = new HashMap<>(vocabulary.size() * 2);
        for (int id = 0; id < vocabulary.size(); id++) {
            if (vocabulary.types()[id] == TokenType.NORMAL) {
                ids.put(vocabulary.tokens()[id], id);
            }
        }
        return ids;
    }

    private static int requireToken(Map<String, Integer> ids, String text, int rank, BpeMerge merge) {
        Integer id = ids.get(text);
        if (id == null) {
            throw new IllegalArgumentException("merge " + rank + " '" + merge + "': '" + text
                    + "' is not a normal token of the vocabulary");
        }
        return id;
    }

    private byte[] render(int id) {
        String text = vocabulary.tokens()[id];
        return switch (vocabulary.types()[id]) {
            case NORMAL -> ByteLevel.decode(text);
            case UNKNOWN, CONTROL, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case BYTE, UNUSED, UNDEFINED -> NOTHING; // llama.cpp's BPE renders these as nothing
        };
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The merge rules, by rank. */
    public List<BpeMerge> merges() {
        return merges;
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** The Unicode normalization of the text between special tokens. */
    public Normalization normalization() {
        return normalization;
    }

    /** Whether a word that is a token is taken whole, without merging. */
    public boolean ignoresMerges() {
        return wholeWords != null;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        TokenBuffer out = new TokenBuffer();
        if (addSpecial && vocabulary.addBos()) {
            out.add(vocabulary.bos());
        }
        String whole = SentencePieceBpeTokenizer.replaceLoneSurrogates(text);
        for (SpecialTokenSplitter.Fragment fragment : splitter.split(whole, parseSpecial)) {
            switch (fragment) {
                case SpecialTokenSplitter.Fragment.Special(int token) -> out.add(token);
                case SpecialTokenSplitter.Fragment.Text(String raw) -> {
                    String normalized = normalization.apply(raw);
                    preTokenizer.split(normalized, 0, normalized.length(), (start, end) -> {
                        for (int id : encodeWord(normalized.substring(start, end))) {
                            out.add(id);
                        }
                    });
                }
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            out.add(vocabulary.eos());
        }
        return out.toArray();
    }

    /** The tokens of one pre-token; callers must not modify the array, which may be cached. */
    private int[] encodeWord(String word) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        Integer whole = wholeWords == null ? null : wholeWords.get(ByteLevel.encode(bytes));
        int[] tokens;
        if (whole != null) {
            tokens = new int[] {whole};
        } else {
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                symbols[i] = byteToken(bytes[i] & 0xFF);
            }
            tokens = mergeTable.apply(symbols);
        }
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // crude but bounded; common words come straight back
        }
        cache.put(word, tokens);
        return tokens;
    }

    private int byteToken(int b) {
        int id = byteTokens[b];
        if (id >= 0) {
            return id;
        }
        if (vocabulary.unk() >= 0) {
            return vocabulary.unk();
        }
        throw new IllegalArgumentException(String.format(
                "byte 0x%02X has no token ('%c' is not in the vocabulary) and the vocabulary has no unknown token",
                b, ByteLevel.charOf(b)));
    }

    @Override
    public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0;
        int to = tokens.length;
        if (removeSpecial && vocabulary.addBos() && to > 0 && tokens[0] == vocabulary.bos()) {
            from++;
        }
        if (removeSpecial && vocabulary.addEos() && to > from && tokens[to - 1] == vocabulary.eos()) {
            to--;
        }
        Utf8Holdback bytes = new Utf8Holdback();
        for (int i = from; i < to; i++) {
            appendPiece(bytes, tokens[i], unparseSpecial);
        }
        return bytes.takeAll();
    }

    private void appendPiece(Utf8Holdback bytes, int token, boolean unparseSpecial) {
        vocabulary.checkToken(token);
        TokenType type = vocabulary.types()[token];
        if (!unparseSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
            return;
        }
        byte[] piece = pieces[token];
        bytes.append(piece, 0, piece.length);
    }

    /** The exact bytes of {@code token}, special tokens as their text. */
    public byte[] tokenBytes(int token) {
        vocabulary.checkToken(token);
        return pieces[token].clone();
    }

    @Override
    public TokenDecoder newStreamingDecoder() {
        return new StreamDecoder();
    }

    /** The same as {@link #newStreamingDecoder()}: byte-level BPE adds no prefix space to take back. */
    @Override
    public TokenDecoder newContinuationDecoder() {
        return new StreamDecoder();
    }

    /**
     * Puts the {@code tokenizer.ggml.*} entries llama.cpp reads for a BPE vocabulary: model {@code gpt2}, the
     * pre-tokenizer's name, tokens, token types, merges, special ids and the BOS/EOS flags. GGUF has no key for
     * {@code ignore_merges}: readers take it from the pre-tokenizer ({@link PreTokenizer#ignoresMergesByDefault}); nor
     * for the {@link Normalization}, which llama.cpp does not apply and is not written.
     */
    @Override
    public GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder metadata) {
        metadata.putString(MetadataKey.TOKENIZER_MODEL.key(), GgufTokenizers.MODEL_BPE)
                .putString(MetadataKey.TOKENIZER_PRE.key(), preTokenizer.ggufName());
        GgufTokenizers.putTokens(metadata, vocabulary, false);
        metadata.putStringArray(MetadataKey.TOKENIZER_MERGES.key(),
                merges.stream().map(BpeMerge::toString).toArray(String[]::new));
        GgufTokenizers.putSpecialIds(metadata, vocabulary);
        return metadata;
    }

    /** Decodes as {@code decode(tokens)} does, one token at a time. */
    private final class StreamDecoder implements TokenDecoder {
        private final Utf8Holdback pending = new Utf8Holdback();

        @Override
        public String append(int token) {
            appendPiece(pending, token, false);
            return pending.takeComplete();
        }

        @Override
        public String flush() {
            return pending.takeAll();
        }
    }
}
