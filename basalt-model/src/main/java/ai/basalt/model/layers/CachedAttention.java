package ai.basalt.model.layers;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;

/**
 * Scaled dot-product attention (Vaswani et al. 2017) of one new position over every cached position,
 * with grouped-query attention (Ainslie et al. 2023): query head h reads key/value head h / (heads / kvHeads).
 * Heads run in parallel on the shared pool when the work pays for it.
 */
public final class CachedAttention {
    private final TensorOps ops;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;

    public CachedAttention(TensorOps ops, int heads, int kvHeads, int headDim) {
        this.ops = ops;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * out ← softmax(q·Kᵀ / √headDim) · V for every head, over a cache kept in pages of {@code pageSize} positions
     * (a cache grows by a page, nothing copied, so that memory follows the positions used).
     *
     * <p>A key page is transposed, (kvHeads · headDim, pageSize): key dimension d of the page's position t at
     * {@code keys[d·pageSize + t]}, so that a head's scores are {@link TensorOps#dotColumns} with lanes over
     * positions (no sum across lanes per position: at 2,000 positions of a 1B model, per-position dot products
     * made decoding 26% slower than at 100). A value page is by position, (pageSize, kvHeads · headDim), for
     * {@link TensorOps#sumRows}. {@link #store} writes both.
     *
     * @param q (heads · headDim) queries of the new position
     * @param keyPages one layer's key pages, at least ⌈positions / pageSize⌉ of them
     * @param valuePages one layer's value pages, as many
     * @param scores (heads, ≥ positions) scratch
     * @param out (heads · headDim) result
     * @param positions how many cached positions to attend over (the new one included)
     */
    public void attend(float[] q, float[][] keyPages, float[][] valuePages, int pageSize, float[][] scores, float[] out,
            int positions) {
        int group = heads / kvHeads;
        Parallel.forRows(heads, 2L * positions * headDim, (start, end) -> {
            for (int h = start; h < end; h++) {
                head(q, keyPages, valuePages, pageSize, scores[h], out, h, h / group, positions);
            }
        });
    }

    /** Writes the keys and values of one position (kvHeads · headDim each, from kOff and vOff) into their pages. */
    public static void store(float[][] keyPages, float[][] valuePages, int pageSize, int kvDim, float[] k, int kOff,
            float[] v, int vOff, int position) {
        int page = position / pageSize, t = position % pageSize;
        float[] keys = keyPages[page];
        for (int d = 0; d < kvDim; d++) keys[d * pageSize + t] = k[kOff + d];
        System.arraycopy(v, vOff, valuePages[page], t * kvDim, kvDim);
    }

    private void head(float[] q, float[][] keyPages, float[][] valuePages, int pageSize, float[] scores, float[] out,
            int h, int kvHead, int positions) {
        int kvDim = kvHeads * headDim;
        int qOff = h * headDim;
        for (int p = 0; p * pageSize < positions; p++) {
            int n = Math.min(pageSize, positions - p * pageSize);
            ops.dotColumns(q, qOff, keyPages[p], kvHead * headDim * pageSize, pageSize, headDim, n, scale, scores, p * pageSize);
        }
        ops.softmax(scores, 0, positions);
        for (int p = 0; p * pageSize < positions; p++) {
            int n = Math.min(pageSize, positions - p * pageSize);
            ops.sumRows(scores, p * pageSize, n, valuePages[p], kvHead * headDim, kvDim, headDim, out, qOff, p > 0);
        }
    }
}
