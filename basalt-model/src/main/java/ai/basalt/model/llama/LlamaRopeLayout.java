package ai.basalt.model.llama;

/**
 * Moves the rows of a query or key projection between the two RoPE layouts. Meta's Llama, GGUF and Basalt rotate
 * adjacent pairs {@code (2i, 2i+1)} of each head ({@link ai.basalt.tensor.RopeMode#NORMAL}); Hugging Face's
 * {@code rotate_half} rotates {@code (i, i + hd/2)} ({@link ai.basalt.tensor.RopeMode#NEOX}) with the same
 * frequencies. Permuting the projection's output rows within each head turns one model into the other: Hugging
 * Face row {@code h·hd + j·hd/2 + i} is Meta row {@code h·hd + 2i + j} ({@code j} = 0, 1). {@link #halvesToPairs} is
 * llama.cpp's {@code convert_hf_to_gguf.py permute} ({@code reshape(heads, 2, hd/2, cols).swapaxes(1, 2)});
 * {@link #pairsToHalves} is its inverse, what an export to Hugging Face applies.
 *
 * <p>Shapes: w and the result (heads·hd, cols), row-major.
 */
public final class LlamaRopeLayout {
    private LlamaRopeLayout() {}

    /** Rows of the adjacent-pair (Meta, GGUF) layout rearranged into Hugging Face's rotate-half layout. */
    public static float[] pairsToHalves(float[] w, int heads, int headDim, int cols) {
        return permute(w, heads, headDim, cols, true);
    }

    /** Rows of Hugging Face's rotate-half layout rearranged into the adjacent-pair (Meta, GGUF) layout. */
    public static float[] halvesToPairs(float[] w, int heads, int headDim, int cols) {
        return permute(w, heads, headDim, cols, false);
    }

    private static float[] permute(float[] w, int heads, int headDim, int cols, boolean toHalves) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + headDim + " must be positive and even for RoPE");
        }
        if (w.length != (long) heads * headDim * cols) {
            throw new IllegalArgumentException(w.length + " values for a projection of " + heads + " heads x "
                    + headDim + " rows x " + cols + " columns");
        }
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int pairRow = h * headDim + 2 * i + j;
                    int halfRow = h * headDim + j * half + i;
                    int from = toHalves ? pairRow : halfRow;
                    int to = toHalves ? halfRow : pairRow;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }
}
