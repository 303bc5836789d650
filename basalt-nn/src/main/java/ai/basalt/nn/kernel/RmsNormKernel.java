package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm (Zhang and Sennrich 2019) as the Llama reference writes it:
 * {@code x · rsqrt(mean(x²) + eps) · weight}, normalized first and scaled by the gain second. The mean of
 * squares is accumulated in double.
 *
 * <p>Shapes: x, out (N, C); weight (C); rrms (N) = 1/sqrt(mean(x²) + eps), saved for the backward.
 *
 * <p>{@link #forwardScalar} and {@link #backwardScalar} are the reference; {@link #forward} and
 * {@link #backward} run in Vector API lanes (column sums without fused multiply-add, as in
 * {@link LayerNormKernel}).
 */
public final class RmsNormKernel {
    private RmsNormKernel() {}

    /** out ← (x · rrms) · weight, row by row. */
    public static void forwardScalar(float[] out, float[] rrms, float[] x, float[] weight, int n, int c, float eps) {
        Parallel.forRows(n, 3L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int at = r * c;
                double sq = 0;
                for (int i = 0; i < c; i++) sq += (double) x[at + i] * x[at + i];
                float s = (float) (1.0 / Math.sqrt((float) (sq / c) + eps));
                for (int i = 0; i < c; i++) out[at + i] = x[at + i] * s * weight[i];
                rrms[r] = s;
            }
        });
    }

    /**
     * Accumulates dx += rrms · w · dout − x · rrms³ · mean(dout · w · x) and dweight += Σ_rows dout · x · rrms.
     * dx and dweight may be null.
     */
    public static void backwardScalar(float[] dx, float[] dweight, float[] dout, float[] x, float[] weight, float[] rrms,
            int n, int c) {
        if (dx != null) {
            Parallel.forRows(n, 5L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int at = r * c;
                    float s = rrms[r];
                    float dot = 0f;
                    for (int i = 0; i < c; i++) dot += dout[at + i] * weight[i] * x[at + i];
                    float k = s * s * s * dot / c;
                    for (int i = 0; i < c; i++) dx[at + i] += s * weight[i] * dout[at + i] - x[at + i] * k;
                }
            });
        }
        if (dweight != null) {
            Parallel.forRows(c, 2L * n, (c0, c1) -> {
                for (int r = 0; r < n; r++) {
                    int at = r * c;
                    float s = rrms[r];
                    for (int i = c0; i < c1; i++) dweight[i] += x[at + i] * s * dout[at + i];
                }
            });
        }
    }

    /** out ← (x · rrms) · weight, row by row, in lanes. */
    public static void forward(float[] out, float[] rrms, float[] x, float[] weight, int n, int c, float eps) {
        int end = F.loopBound(c);
        Parallel.forRows(n, 3L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int at = r * c;
                FloatVector acc = FloatVector.zero(F);
                for (int i = 0; i < end; i += L) {
                    FloatVector v = FloatVector.fromArray(F, x, at + i);
                    acc = v.fma(v, acc);
                }
                float sq = Lanes.sum(acc);
                for (int i = end; i < c; i++) sq += x[at + i] * x[at + i];
                float s = (float) (1.0 / Math.sqrt(sq / c + eps));
                int i = 0;
                for (; i < end; i += L) {
                    FloatVector.fromArray(F, x, at + i).mul(s).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, at + i);
                }
                for (; i < c; i++) out[at + i] = x[at + i] * s * weight[i];
                rrms[r] = s;
            }
        });
    }

    /** {@link #backwardScalar} in lanes. */
    public static void backward(float[] dx, float[] dweight, float[] dout, float[] x, float[] weight, float[] rrms,
            int n, int c) {
        int end = F.loopBound(c);
        if (dx != null) {
            Parallel.forRows(n, 5L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int at = r * c;
                    float s = rrms[r];
                    FloatVector acc = FloatVector.zero(F);
                    for (int i = 0; i < end; i += L) {
                        acc = FloatVector.fromArray(F, dout, at + i).mul(FloatVector.fromArray(F, weight, i))
                                .fma(FloatVector.fromArray(F, x, at + i), acc);
                    }
                    float dot = Lanes.sum(acc);
                    for (int i = end; i < c; i++) dot += dout[at + i] * weight[i] * x[at + i];
                    float k = s * s * s * dot / c;
                    int i = 0;
                    for (; i < end; i += L) {
                        FloatVector.fromArray(F, weight, i).mul(s).mul(FloatVector.fromArray(F, dout, at + i))
                                .sub(FloatVector.fromArray(F, x, at + i).mul(k))
                                .add(FloatVector.fromArray(F, dx, at + i)).intoArray(dx, at + i);
                    }
                    for (; i < c; i++) dx[at + i] += s * weight[i] * dout[at + i] - x[at + i] * k;
                }
            });
        }
        if (dweight != null) {
            Parallel.forRows(c, 2L * n, (c0, c1) -> {
                int vEnd = Lanes.vectorEnd(c0, c1);
                for (int r = 0; r < n; r++) {
                    int at = r * c;
                    float s = rrms[r];
                    int i = c0;
                    for (; i < vEnd; i += L) {
                        FloatVector.fromArray(F, x, at + i).mul(s).mul(FloatVector.fromArray(F, dout, at + i))
                                .add(FloatVector.fromArray(F, dweight, i)).intoArray(dweight, i);
                    }
                    for (; i < c1; i++) dweight[i] += x[at + i] * s * dout[at + i];
                }
            });
        }
    }
}
