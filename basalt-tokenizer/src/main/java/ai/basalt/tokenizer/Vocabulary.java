package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tokenizer vocabulary: per token id its text, score and type, plus the special ids and the flags that
 * shape encoding. Special ids are {@code -1} where the vocabulary has none.
 *
 * <p>The three arrays are copied on construction and handed out as they are by the accessors, so callers
 * must not modify them. Texts are stored as the model stores them: SentencePiece pieces keep {@code ▁}
 * (U+2581) for a space and byte tokens read {@code <0xHH>}.
 *
 * @param tokens          (V) token texts; duplicates are allowed and the highest id wins a text lookup,
 *                        as in llama.cpp
 * @param scores          (V) merge priorities; higher merges first
 * @param types           (V) token types
 * @param bos             beginning-of-sequence id, or -1
 * @param eos             end-of-sequence id, or -1
 * @param unk             unknown-token id, or -1
 * @param pad             padding id, or -1
 * @param addBos          whether {@code encode(text, true, ...)} starts with {@code bos}
 * @param addEos          whether {@code encode(text, true, ...)} ends with {@code eos}
 * @param addSpacePrefix  whether a space is put before text that starts the input or follows a special
 *                        token, and removed again from the first decoded token (SentencePiece's
 *                        {@code add_dummy_prefix})
 */
public record Vocabulary(
        String[] tokens,
        float[] scores,
        TokenType[] types,
        int bos,
        int eos,
        int unk,
        int pad,
        boolean addBos,
        boolean addEos,
        boolean addSpacePrefix) {

    public Vocabulary {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(types, "types");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("vocabulary is empty: expected at least one token");
        }
        if (scores.length != tokens.length || types.length != tokens.length) {
            throw new IllegalArgumentException("array lengths differ: tokens=" + tokens.length
                    + ", scores=" + scores.length + ", types=" + types.length + " (expected equal)");
        }
        tokens = tokens.clone();
        scores = scores.clone();
        types = types.clone();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == null || types[i] == null) {
                throw new IllegalArgumentException("token " + i + " has a null text or type");
            }
        }
        checkId("bos", bos, tokens.length);
        checkId("eos", eos, tokens.length);
        checkId("unk", unk, tokens.length);
        checkId("pad", pad, tokens.length);
        if (addBos && bos == -1) {
            throw new IllegalArgumentException("addBos is true, but there is no bos token");
        }
        if (addEos && eos == -1) {
            throw new IllegalArgumentException("addEos is true, but there is no eos token");
        }
    }

    private static void checkId(String name, int id, int size) {
        if (id < -1 || id >= size) {
            throw new IllegalArgumentException(
                    name + " id out of range: actual=" + id + " vs expected=-1.." + (size - 1));
        }
    }

    /** The number of tokens, V. */
    public int size() {
        return tokens.length;
    }

    /**
     * The id of the token whose text is {@code token}, or -1 if absent; the highest id where texts repeat.
     * A linear scan, meant for setup and tests: tokenizers build their own index.
     */
    public int id(String token) {
        for (int i = tokens.length - 1; i >= 0; i--) {
            if (tokens[i].equals(token)) {
                return i;
            }
        }
        return -1;
    }

    /** The text of token {@code id}. */
    public String token(int id) {
        checkToken(id);
        return tokens[id];
    }

    /** The type of token {@code id}. */
    public TokenType type(int id) {
        checkToken(id);
        return types[id];
    }

    /** The score of token {@code id}. */
    public float score(int id) {
        checkToken(id);
        return scores[id];
    }

    /** Throws {@link IllegalArgumentException} unless {@code id} names a token. */
    public void checkToken(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException(
                    "token id out of range: actual=" + id + " vs expected=0.." + (tokens.length - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v
                && Arrays.equals(tokens, v.tokens)
                && Arrays.equals(scores, v.scores)
                && Arrays.equals(types, v.types)
                && bos == v.bos && eos == v.eos && unk == v.unk && pad == v.pad
                && addBos == v.addBos && addEos == v.addEos && addSpacePrefix == v.addSpacePrefix;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(tokens), Arrays.hashCode(scores), Arrays.hashCode(types),
                bos, eos, unk, pad, addBos, addEos, addSpacePrefix);
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + tokens.length + ", bos=" + bos + ", eos=" + eos + ", unk=" + unk
                + ", pad=" + pad + ", addBos=" + addBos + ", addEos=" + addEos
                + ", addSpacePrefix=" + addSpacePrefix + "]";
    }
}
