package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Small vocabularies built by hand, for tests that need to know every token. */
final class TestVocabularies {
    private final List<String> tokens = new ArrayList<>();
    private final List<Float> scores = new ArrayList<>();
    private final List<TokenType> types = new ArrayList<>();

    /** Starts with Llama's layout: 0 {@code <unk>}, 1 {@code <s>}, 2 {@code </s>}. */
    static TestVocabularies llamaLayout() {
        TestVocabularies v = new TestVocabularies();
        v.add("<unk>", 0f, TokenType.UNKNOWN);
        v.add("<s>", 0f, TokenType.CONTROL);
        v.add("</s>", 0f, TokenType.CONTROL);
        return v;
    }

    /** Adds the 256 byte tokens {@code <0x00>..<0xFF>}. */
    TestVocabularies withByteTokens() {
        for (int b = 0; b < 256; b++) {
            add("<0x" + HexFormat.of().withUpperCase().toHexDigits((byte) b) + ">", 0f, TokenType.BYTE);
        }
        return this;
    }

    TestVocabularies add(String text, float score, TokenType type) {
        tokens.add(text);
        scores.add(score);
        types.add(type);
        return this;
    }

    TestVocabularies normal(String text, float score) {
        return add(text, score, TokenType.NORMAL);
    }

    /** A vocabulary with Llama's special ids (bos 1, eos 2, unk 0), adding BOS only. */
    Vocabulary build(boolean addSpacePrefix) {
        return build(true, false, addSpacePrefix);
    }

    Vocabulary build(boolean addBos, boolean addEos, boolean addSpacePrefix) {
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        return new Vocabulary(tokens.toArray(String[]::new), s, types.toArray(TokenType[]::new),
                1, 2, 0, -1, addBos, addEos, addSpacePrefix);
    }

    /** The id of {@code text} in what has been added so far. */
    int id(String text) {
        return tokens.lastIndexOf(text);
    }
}
