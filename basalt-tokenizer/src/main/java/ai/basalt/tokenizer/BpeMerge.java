package ai.basalt.tokenizer;

import java.util.Objects;

/**
 * A BPE merge rule: the adjacent tokens {@code left} and {@code right} become the token {@code left + right}.
 * Texts are as the vocabulary stores them (byte-level text for GPT-2-style vocabularies). A merge's rank is its
 * position in the model's list: lower ranks merge first.
 */
public record BpeMerge(String left, String right) {

    public BpeMerge {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        if (left.isEmpty() || right.isEmpty()) {
            throw new IllegalArgumentException("merge has an empty side: '" + left + "' + '" + right + "'");
        }
    }

    /**
     * The merge a line of {@code merges.txt} or an entry of {@code tokenizer.ggml.merges} writes as
     * {@code "left right"}: cut at the first space after the first character, as llama.cpp cuts it.
     *
     * @throws IllegalArgumentException if there is no such space or a side is empty
     */
    public static BpeMerge parse(String line) {
        int space = line.indexOf(' ', 1);
        if (space < 0) {
            throw new IllegalArgumentException("merge '" + line + "' has no space between its two tokens");
        }
        return new BpeMerge(line.substring(0, space), line.substring(space + 1));
    }

    /** The token the merge makes. */
    public String merged() {
        return left + right;
    }

    /** {@code "left right"}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return left + " " + right;
    }
}
