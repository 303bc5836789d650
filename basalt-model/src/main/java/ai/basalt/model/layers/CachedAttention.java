package ai.basalt.model.layers;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;

/**
 * Scaled dot-product attention (Vaswani et al. 2017) of one new position over every cached position,
 * with grouped-query attention (Ainslie et al. 2023): query head h reads key/value head h / (heads / kvHeads).
 * The query heads of one key/value head are computed together, so that each cached page is read once per group;
 * groups run in parallel on the shared pool when the work pays for it.
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
        // one unit per key/value head and run of up to QUERIES_PER_READ of its query heads: each page is read once
        // per unit, not once per query head (llama-3.2-1b: 4 heads a group, a quarter of the cache traffic)
        int runs = (group + QUERIES_PER_READ - 1) / QUERIES_PER_READ;
        Parallel.forRows(kvHeads * runs, 2L * positions * headDim * Math.min(group, QUERIES_PER_READ), (start, end) -> {
            for (int u = start; u < end; u++) {
                int kvHead = u / runs, first = kvHead * group + (u % runs) * QUERIES_PER_READ;
                int count = Math.min(QUERIES_PER_READ, (kvHead + 1) * group - first);
                heads(q, keyPages, valuePages, pageSize, scores, out, first, count, kvHead, positions);
            }
        });
    }

    /** Query heads read together against one page by {@link TensorOps}'s grouped products. */
    static final int QUERIES_PER_READ = 4;

    /** Writes the keys and values of one position (kvHeads · headDim each, from kOff and vOff) into their pages. */
    public static void store(float[][] keyPages, float[][] valuePages, int pageSize, int kvDim, float[] k, int kOff,
            float[] v, int vOff, int position) {
        int page = position / pageSize, t = position % pageSize;
        float[] keys = keyPages[page];
        for (int d = 0; d < kvDim; d++) keys[d * pageSize + t] = k[kOff + d];
        System.arraycopy(v, vOff, valuePages[page], t * kvDim, kvDim);
    }

    private void heads(float[] q, float[][] keyPages, float[][] valuePages, int pageSize, float[][] scores, float[] out,
            int first, int count, int kvHead, int positions) {
        int kvDim = kvHeads * headDim;
        for (int p = 0; p * pageSize < positions; p++) {
            int n = Math.min(pageSize, positions - p * pageSize);
            ops.dotColumns(count, q, first * headDim, headDim, keyPages[p], kvHead * headDim * pageSize, pageSize, headDim, n,
                    scale, scores, first, p * pageSize);
        }
        for (int h = first; h < first + count; h++) ops.softmax(scores[h], 0, positions);
        for (int p = 0; p * pageSize < positions; p++) {
            int n = Math.min(pageSize, positions - p * pageSize);
            ops.sumRows(count, scores, first, p * pageSize, n, valuePages[p], kvHead * headDim, kvDim, headDim, out,
                    first * headDim, headDim, p > 0);
        }
    }
}
