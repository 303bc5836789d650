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
     * out ← softmax(q·Kᵀ / √headDim) · V for every head, over layer {@code layer} of {@code cache} (see
     * {@link KvCache} for its pages). A key page's head slice is transposed, so that a head's scores are
     * {@link TensorOps#dotColumns} with lanes over positions (no sum across lanes per position: at 2,000 positions
     * of a 1B model, per-position dot products made decoding 26% slower than at 100); a value page's head slice
     * is rows, for {@link TensorOps#sumRows}. An F16 cache is widened one head slice of a page at a time into a
     * per-thread buffer, once for all the query heads of a unit, and the same float kernels read it.
     *
     * @param q (heads · headDim) queries of the new position
     * @param scores (heads, ≥ positions) scratch
     * @param out (heads · headDim) result
     * @param positions how many cached positions to attend over (the new one included)
     */
    public void attend(float[] q, KvCache cache, int layer, float[][] scores, float[] out, int positions) {
        if (positions > cache.reserved()) {
            throw new IllegalArgumentException(positions + " positions to attend over, the KV cache holds " + cache.reserved());
        }
        int group = heads / kvHeads;
        // one unit per key/value head and run of up to QUERIES_PER_READ of its query heads: each page is read once
        // per unit, not once per query head (llama-3.2-1b: 4 heads a group, a quarter of the cache traffic)
        int runs = (group + QUERIES_PER_READ - 1) / QUERIES_PER_READ;
        Parallel.forRows(kvHeads * runs, 2L * positions * headDim * Math.min(group, QUERIES_PER_READ), (start, end) -> {
            for (int u = start; u < end; u++) {
                int kvHead = u / runs, first = kvHead * group + (u % runs) * QUERIES_PER_READ;
                int count = Math.min(QUERIES_PER_READ, (kvHead + 1) * group - first);
                heads(q, cache, layer, scores, out, first, count, kvHead, positions);
            }
        });
    }

    /** Query heads read together against one page by {@link TensorOps}'s grouped products. */
    static final int QUERIES_PER_READ = 4;

    /** Per-thread buffer for one head slice of an F16 page, widened. */
    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[0]);

    private void heads(float[] q, KvCache cache, int layer, float[][] scores, float[] out, int first, int count,
            int kvHead, int positions) {
        int page = KvCache.PAGE, slice = headDim * page, at = kvHead * slice;
        float[][] keys = cache.keys(layer), values = cache.values(layer);
        short[][] halfKeys = cache.halfKeys(layer), halfValues = cache.halfValues(layer);
        float[] wide = null;
        if (halfKeys != null) {
            wide = WIDE.get();
            if (wide.length < slice) WIDE.set(wide = new float[slice]);
        }
        for (int p = 0; p * page < positions; p++) {
            int n = Math.min(page, positions - p * page);
            float[] m = keys == null ? null : keys[p];
            int mOff = at;
            if (m == null) {
                // the head's headDim key rows up to position n of the last, as one run: a widening loop per row of n
                // positions left short rows mostly to C2's scalar tail (attention over 64 positions of smollm-135m
                // took 0.43 ms a token in F16 against 0.27 in F32; as one run, 0.34-0.41)
                widen(halfKeys[p], at, wide, 0, (headDim - 1) * page + n);
                m = wide;
                mOff = 0;
            }
            ops.dotColumns(count, q, first * headDim, headDim, m, mOff, page, headDim, n, scale, scores, first, p * page);
        }
        for (int h = first; h < first + count; h++) ops.softmax(scores[h], 0, positions);
        for (int p = 0; p * page < positions; p++) {
            int n = Math.min(page, positions - p * page);
            float[] m = values == null ? null : values[p];
            int mOff = at;
            if (m == null) {
                widen(halfValues[p], at, wide, 0, n * headDim);
                m = wide;
                mOff = 0;
            }
            ops.sumRows(count, scores, first, p * page, n, m, mOff, headDim, headDim, out, first * headDim, headDim, p > 0);
        }
    }

    /** n half-precision values to floats: a plain loop, which C2 compiles to vcvtph2ps. */
    private static void widen(short[] from, int fromOff, float[] to, int toOff, int n) {
        for (int i = 0; i < n; i++) to[toOff + i] = Float.float16ToFloat(from[fromOff + i]);
    }
}
