package ai.basalt.train.data;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.TokenType;
import ai.basalt.tokenizer.TokenDecoder;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Vocabulary;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character-level tokenizer as nanoGPT's shakespeare_char makes one: the sorted distinct characters of a text,
 * each its own token ({@code stoi = {ch: i for i, ch in enumerate(sorted(set(data)))}}), optionally followed by an
 * end-of-sequence control token, which the data pipeline puts between documents.
 */
final class CharLevelTokenizer implements Tokenizer {
    static final String EOS = "<|endoftext|>";

    private final Vocabulary vocabulary;
    private final Map<Integer, Integer> ids = new HashMap<>();

    private CharLevelTokenizer(String[] tokens, boolean withEos) {
        int n = tokens.length + (withEos ? 1 : 0);
        String[] all = Arrays.copyOf(tokens, n);
        TokenType[] types = new TokenType[n];
        Arrays.fill(types, TokenType.NORMAL);
        if (withEos) {
            all[n - 1] = EOS;
            types[n - 1] = TokenType.CONTROL;
        }
        vocabulary = new Vocabulary(all, new float[n], types, -1, withEos ? n - 1 : -1, -1, -1, false, false, false);
        for (int i = 0; i < tokens.length; i++) ids.put(tokens[i].codePointAt(0), i);
    }

    /** The characters of {@code text}, sorted by code point. */
    static CharLevelTokenizer of(String text, boolean withEos) {
        TreeSet<Integer> chars = new TreeSet<>();
        text.codePoints().forEach(chars::add);
        return new CharLevelTokenizer(chars.stream().map(Character::toString).toArray(String[]::new), withEos);
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return text.codePoints().map(cp -> {
            Integer id = ids.get(cp);
            if (id == null) throw new IllegalArgumentException("character U+" + Integer.toHexString(cp) + " not in vocabulary");
            return id;
        }).toArray();
    }

    @Override
    public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        StringBuilder out = new StringBuilder();
        for (int t : tokens) {
            if (t == vocabulary.eos()) {
                if (unparseSpecial) out.append(EOS);
            } else {
                out.append(vocabulary.token(t));
            }
        }
        return out.toString();
    }

    @Override
    public TokenDecoder newStreamingDecoder() {
        return new TokenDecoder() {
            @Override
            public String append(int token) {
                return decode(new int[] {token});
            }

            @Override
            public String flush() {
                return "";
            }
        };
    }

    @Override
    public TokenDecoder newContinuationDecoder() {
        return newStreamingDecoder();
    }

    /** Not needed here; declared without {@code @Override} so the test compiles against either interface version. */
    public GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder metadata) {
        throw new UnsupportedOperationException("a test tokenizer is not written to GGUF");
    }
}
