package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The SentencePiece BPE tokenizer of Llama-family models, behaving as llama.cpp's SPM vocabulary
 * ({@code src/llama-vocab.cpp}: {@code tokenize}, {@code llm_tokenizer_spm_session}, {@code token_to_piece},
 * {@code detokenize}).
 *
 * <p>Encoding: special-token texts are cut out first ({@link SpecialTokenSplitter}); every remaining text
 * fragment that starts the input or follows a special token gets a leading space when the vocabulary
 * {@linkplain Vocabulary#addSpacePrefix() asks for one}; spaces become U+2581; each fragment is merged on its
 * own ({@link SpmMerge}). No other normalisation is applied, as in llama.cpp.
 *
 * <p>Decoding: normal tokens render with U+2581 turned back into spaces, byte tokens as their byte,
 * user-defined tokens verbatim, control and unknown tokens as nothing unless unparsed, unused and undefined
 * tokens as nothing. With the space prefix on, one leading space is removed from the first token rendered,
 * unless the tokens start with a BOS that {@code removeSpecial} drops (llama.cpp keeps that space).
 */
public final class SentencePieceBpeTokenizer implements Tokenizer {
    /** SentencePiece's stand-in for a space in piece texts, U+2581. */
    static final char SPACE_ESCAPE = '\u2581';
    private static final byte[] NOTHING = new byte[0];

    private final Vocabulary vocabulary;
    private final PieceIndex index;
    private final SpecialTokenSplitter splitter;
    /** (V) UTF-8 bytes each token renders as when special tokens are unparsed. */
    private final byte[][] pieces;

    public SentencePieceBpeTokenizer(Vocabulary vocabulary) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.index = new PieceIndex(vocabulary);
        this.splitter = new SpecialTokenSplitter(vocabulary);
        this.pieces = new byte[vocabulary.size()][];
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = render(id);
        }
    }

    private byte[] render(int id) {
        String text = vocabulary.tokens()[id];
        return switch (vocabulary.types()[id]) {
            case NORMAL -> text.replace(SPACE_ESCAPE, ' ').getBytes(StandardCharsets.UTF_8);
            case UNKNOWN, CONTROL, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {byteValue(id, text)};
            case UNUSED, UNDEFINED -> NOTHING;
        };
    }

    private static byte byteValue(int id, String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || !text.endsWith(">")
                || !HexFormat.isHexDigit(text.charAt(3)) || !HexFormat.isHexDigit(text.charAt(4))) {
            throw new IllegalArgumentException(
                    "byte token " + id + " has text '" + text + "', expected <0xHH>");
        }
        return (byte) HexFormat.fromHexDigits(text, 3, 5);
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        TokenBuffer out = new TokenBuffer();
        if (addSpecial && vocabulary.addBos()) {
            out.add(vocabulary.bos());
        }
        boolean previousSpecial = true; // the first text fragment is prefixed like one after a special token
        for (SpecialTokenSplitter.Fragment fragment : splitter.split(replaceLoneSurrogates(text), parseSpecial)) {
            switch (fragment) {
                case SpecialTokenSplitter.Fragment.Special(int token) -> {
                    out.add(token);
                    previousSpecial = true;
                }
                case SpecialTokenSplitter.Fragment.Text(String raw) -> {
                    String prefixed = vocabulary.addSpacePrefix() && previousSpecial ? " " + raw : raw;
                    SpmMerge.tokenize(prefixed.replace(' ', SPACE_ESCAPE), index, out);
                    previousSpecial = false;
                }
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            out.add(vocabulary.eos());
        }
        return out.toArray();
    }

    /** {@code text} with every unpaired surrogate replaced by U+FFFD, so that it has a UTF-8 form. */
    static String replaceLoneSurrogates(String text) {
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (fixed != null) {
                    fixed.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (fixed == null) {
                    fixed = new StringBuilder(text.length()).append(text, 0, i);
                }
                fixed.append('\uFFFD');
            } else if (fixed != null) {
                fixed.append(c);
            }
        }
        return fixed == null ? text : fixed.toString();
    }

    @Override
    public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0;
        int to = tokens.length;
        boolean removeSpace = vocabulary.addSpacePrefix();
        if (removeSpecial && vocabulary.addBos() && to > 0 && tokens[0] == vocabulary.bos()) {
            removeSpace = false; // as llama_detokenize: text after a dropped BOS keeps its space
            from++;
        }
        if (removeSpecial && vocabulary.addEos() && to > from && tokens[to - 1] == vocabulary.eos()) {
            to--;
        }
        Utf8Holdback bytes = new Utf8Holdback();
        for (int i = from; i < to; i++) {
            appendPiece(bytes, tokens[i], unparseSpecial, removeSpace);
            removeSpace = false;
        }
        return bytes.takeAll();
    }

    /** Appends the bytes {@code token} renders as, without one leading space if {@code removeSpace}. */
    private void appendPiece(Utf8Holdback bytes, int token, boolean unparseSpecial, boolean removeSpace) {
        vocabulary.checkToken(token);
        TokenType type = vocabulary.types()[token];
        if (!unparseSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
            return;
        }
        byte[] piece = pieces[token];
        int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        bytes.append(piece, skip, piece.length - skip);
    }

    @Override
    public TokenDecoder newStreamingDecoder() {
        return new StreamDecoder(vocabulary.addSpacePrefix());
    }

    @Override
    public TokenDecoder newContinuationDecoder() {
        return new StreamDecoder(false);
    }

    /**
     * Puts the {@code tokenizer.ggml.*} entries llama.cpp reads for a SentencePiece vocabulary: model
     * {@code llama}, tokens, scores, token types, special ids and the BOS/EOS/space-prefix flags.
     */
    @Override
    public GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder metadata) {
        metadata.putString(MetadataKey.TOKENIZER_MODEL.key(), GgufTokenizers.MODEL_SPM);
        GgufTokenizers.putTokens(metadata, vocabulary, true);
        GgufTokenizers.putSpecialIds(metadata, vocabulary);
        return metadata.putBool(MetadataKey.TOKENIZER_ADD_SPACE_PREFIX.key(), vocabulary.addSpacePrefix());
    }

    /** Decodes as {@code decode(tokens)} does, one token at a time. */
    private final class StreamDecoder implements TokenDecoder {
        private final Utf8Holdback pending = new Utf8Holdback();
        private boolean removeSpace;

        StreamDecoder(boolean removeSpace) {
            this.removeSpace = removeSpace;
        }

        @Override
        public String append(int token) {
            appendPiece(pending, token, false, removeSpace);
            removeSpace = false;
            return pending.takeComplete();
        }

        @Override
        public String flush() {
            return pending.takeAll();
        }
    }
}
