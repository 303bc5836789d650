package ai.basalt.model.layers;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;
import java.util.Arrays;

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
     * out ← softmax(q·Kᵀ / √headDim) · V for every head.
     *
     * @param q (heads · headDim) queries of the new position
     * @param keys (positions, kvHeads · headDim) cached keys of one layer
     * @param values (positions, kvHeads · headDim) cached values of one layer
     * @param scores (heads, ≥ positions) scratch
     * @param out (heads · headDim) result
     * @param positions how many cached positions to attend over (the new one included)
     */
    public void attend(float[] q, float[] keys, float[] values, float[][] scores, float[] out, int positions) {
        int group = heads / kvHeads;
        Parallel.forRows(heads, 2L * positions * headDim, (start, end) -> {
            for (int h = start; h < end; h++) head(q, keys, values, scores[h], out, h, h / group, positions);
        });
    }

    private void head(float[] q, float[] keys, float[] values, float[] scores, float[] out, int h, int kvHead,
            int positions) {
        int kvDim = kvHeads * headDim;
        int qOff = h * headDim;
        for (int t = 0; t < positions; t++) {
            scores[t] = ops.dot(q, qOff, keys, t * kvDim + kvHead * headDim, headDim) * scale;
        }
        ops.softmax(scores, 0, positions);
        Arrays.fill(out, qOff, qOff + headDim, 0f);
        for (int t = 0; t < positions; t++) {
            ops.axpy(scores[t], values, t * kvDim + kvHead * headDim, out, qOff, headDim);
        }
    }
}
