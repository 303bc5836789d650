package ai.basalt.model.llama;

import java.lang.foreign.MemorySegment;

/**
 * Moves the rows of a query or key projection between the two RoPE layouts. Meta's Llama, GGUF and Basalt rotate
 * adjacent pairs {@code (2i, 2i+1)} of each head ({@link ai.basalt.tensor.RopeMode#NORMAL}); Hugging Face's
 * {@code rotate_half} rotates {@code (i, i + hd/2)} ({@link ai.basalt.tensor.RopeMode#NEOX}) with the same
 * frequencies. Permuting the projection's output rows within each head turns one model into the other: Hugging
 * Face row {@code h·hd + j·hd/2 + i} is Meta row {@code h·hd + 2i + j} ({@code j} = 0, 1). {@link #halvesToPairs} is
 * llama.cpp's {@code convert_hf_to_gguf.py permute} ({@code reshape(heads, 2, hd/2, cols).swapaxes(1, 2)});
 * {@link #pairsToHalves} is its inverse, what an export to Hugging Face applies.
 *
 * <p>Shapes: w and the result (heads·hd, cols), row-major; the {@code MemorySegment} forms move whole rows of
 * bytes, so they work for any element type of fixed width (F32, F16, BF16).
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

    /**
     * The rows of {@code src} in Hugging Face's rotate-half layout written to {@code dst} in the adjacent-pair
     * layout, as raw bytes, so that any element type of fixed width moves unchanged.
     *
     * @param rowBytes bytes of one row; both segments hold {@code heads · headDim} rows
     */
    public static void halvesToPairs(MemorySegment src, MemorySegment dst, int heads, int headDim, long rowBytes) {
        permute(src, dst, heads, headDim, rowBytes, false);
    }

    /** The inverse of {@link #halvesToPairs(MemorySegment, MemorySegment, int, int, long)}. */
    public static void pairsToHalves(MemorySegment src, MemorySegment dst, int heads, int headDim, long rowBytes) {
        permute(src, dst, heads, headDim, rowBytes, true);
    }

    private static float[] permute(float[] w, int heads, int headDim, int cols, boolean toHalves) {
        if (w.length != (long) heads * headDim * cols) {
            throw new IllegalArgumentException(w.length + " values for a projection of " + heads + " heads x "
                    + headDim + " rows x " + cols + " columns");
        }
        float[] out = new float[w.length];
        permute(MemorySegment.ofArray(w), MemorySegment.ofArray(out), heads, headDim, 4L * cols, toHalves);
        return out;
    }

    private static void permute(MemorySegment src, MemorySegment dst, int heads, int headDim, long rowBytes,
            boolean toHalves) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + headDim + " must be positive and even for RoPE");
        }
        long bytes = (long) heads * headDim * rowBytes;
        if (src.byteSize() != bytes || dst.byteSize() != bytes) {
            throw new IllegalArgumentException(src.byteSize() + " and " + dst.byteSize() + " bytes for a projection of "
                    + heads + " heads x " + headDim + " rows of " + rowBytes + " bytes");
        }
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    long pairRow = (long) h * headDim + 2 * i + j;
                    long halfRow = (long) h * headDim + (long) j * half + i;
                    long from = toHalves ? pairRow : halfRow;
                    long to = toHalves ? halfRow : pairRow;
                    MemorySegment.copy(src, from * rowBytes, dst, to * rowBytes, rowBytes);
                }
            }
        }
    }
}
