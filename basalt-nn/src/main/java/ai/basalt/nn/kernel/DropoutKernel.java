package ai.basalt.nn.kernel;

import ai.basalt.tensor.Parallel;

/**
 * Inverted dropout (Srivastava et al. 2014) as {@code torch.nn.functional.dropout} scales it: kept elements
 * are divided by 1 − p at training time so evaluation needs no rescaling. Each element's coin is a hash of
 * the call's seed and the element's index (counter-based, like Philox in PyTorch's CUDA kernels), so any
 * thread count draws the same mask. Shapes: every array (n).
 */
public final class DropoutKernel {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private DropoutKernel() {}

    /** mask[i] ← 0 with probability p, else 1/(1 − p); out ← x · mask. */
    public static void forward(float[] out, float[] mask, float[] x, int n, float p, long seed) {
        float keepScale = 1f / (1f - p);
        Parallel.forRows(n, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float u = (mix(seed + (i + 1L) * GOLDEN) >>> 40) * 0x1.0p-24f;
                mask[i] = u < p ? 0f : keepScale;
                out[i] = x[i] * mask[i];
            }
        });
    }

    /** dx += dout · mask. */
    public static void backward(float[] dx, float[] dout, float[] mask, int n) {
        Parallel.forRows(n, 2, (i0, i1) -> {
            for (int i = i0; i < i1; i++) dx[i] += dout[i] * mask[i];
        });
    }

    /** The SplitMix64 finalizer (Steele, Lea and Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
