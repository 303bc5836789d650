package ai.basalt.format.llama2c;

/**
 * The 7-int header of a llama2.c checkpoint ({@code run.c}'s {@code Config}), validated. On disk a negative
 * {@code vocab_size} says the checkpoint carries its own classifier after the other weights; here
 * {@link #vocabSize()} is always positive and {@link #sharedClassifier()} tells which.
 *
 * @param dim transformer width ({@code dim})
 * @param hiddenDim feed-forward width ({@code hidden_dim})
 * @param layers number of blocks ({@code n_layers})
 * @param heads query heads ({@code n_heads})
 * @param kvHeads key/value heads ({@code n_kv_heads}), dividing {@code heads}
 * @param vocabSize vocabulary size
 * @param seqLen maximum sequence length ({@code seq_len})
 * @param sharedClassifier whether the output classifier is the token embedding table (positive
 *     {@code vocab_size} on disk)
 */
public record Llama2cConfig(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen,
        boolean sharedClassifier) {
    /** Seven little-endian int32 values. */
    public static final int HEADER_BYTES = 7 * Integer.BYTES;

    /** @throws IllegalArgumentException if a size is not positive or the heads do not divide evenly */
    public Llama2cConfig {
        requirePositive("dim", dim);
        requirePositive("hidden_dim", hiddenDim);
        requirePositive("n_layers", layers);
        requirePositive("n_heads", heads);
        requirePositive("n_kv_heads", kvHeads);
        requirePositive("vocab_size", vocabSize);
        requirePositive("seq_len", seqLen);
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of n_heads " + heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("n_heads " + heads + " is not a multiple of n_kv_heads " + kvHeads);
        }
    }

    /** Width of one attention head. */
    public int headSize() {
        return dim / heads;
    }

    /** Width of the keys and values of all key/value heads together. */
    public int kvDim() {
        return kvHeads * headSize();
    }

    /** The header as run.c names its fields, with {@code vocab_size} signed as on disk. */
    public String header() {
        return "dim=" + dim + " hidden_dim=" + hiddenDim + " n_layers=" + layers + " n_heads=" + heads
                + " n_kv_heads=" + kvHeads + " vocab_size=" + (sharedClassifier ? vocabSize : -vocabSize)
                + " seq_len=" + seqLen;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " is " + value + ", not positive");
    }
}
