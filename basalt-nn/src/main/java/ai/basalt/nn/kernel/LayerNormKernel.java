package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * Layer normalization (Ba et al. 2016) exactly as {@code torch.nn.LayerNorm} over the last dimension:
 * biased variance, {@code eps} inside the square root, then gain and shift (llm.c {@code layernorm_forward}
 * / {@code layernorm_backward}). Row statistics are accumulated in double.
 *
 * <p>Shapes: x, out (N, C); weight, bias (C); mean, rstd (N), saved by the forward for the backward.
 *
 * <p>{@link #forwardScalar} and {@link #backwardScalar} are the reference, with row sums in double;
 * {@link #forward} and {@link #backward} run in Vector API lanes with float partial sums. Column sums use
 * no fused multiply-add, so a lane and the scalar tail round alike and any thread count gives the same bits.
 */
public final class LayerNormKernel {
    private LayerNormKernel() {}

    /** out ← (x − mean) · rstd · weight + bias, row by row; bias may be null. */
    public static void forwardScalar(float[] out, float[] mean, float[] rstd, float[] x, float[] weight, float[] bias,
            int n, int c, float eps) {
        Parallel.forRows(n, 4L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int at = r * c;
                double sum = 0;
                for (int i = 0; i < c; i++) sum += x[at + i];
                float m = (float) (sum / c);
                double sq = 0;
                for (int i = 0; i < c; i++) {
                    float d = x[at + i] - m;
                    sq += d * d;
                }
                float s = (float) (1.0 / Math.sqrt(sq / c + eps));
                for (int i = 0; i < c; i++) {
                    float norm = (x[at + i] - m) * s;
                    out[at + i] = bias == null ? norm * weight[i] : norm * weight[i] + bias[i];
                }
                mean[r] = m;
                rstd[r] = s;
            }
        });
    }

    /**
     * Accumulates dx += ∂L/∂x, dweight += Σ_rows dout · x̂, dbias += Σ_rows dout, where x̂ = (x − mean) · rstd.
     * dx, dweight, dbias may each be null.
     */
    public static void backwardScalar(float[] dx, float[] dweight, float[] dbias, float[] dout, float[] x, float[] weight,
            float[] mean, float[] rstd, int n, int c) {
        if (dx != null) {
            Parallel.forRows(n, 6L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int at = r * c;
                    float m = mean[r];
                    float s = rstd[r];
                    // dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)) with g = weight · dout
                    float gMean = 0f;
                    float gNormMean = 0f;
                    for (int i = 0; i < c; i++) {
                        float g = weight[i] * dout[at + i];
                        gMean += g;
                        gNormMean += g * (x[at + i] - m) * s;
                    }
                    gMean /= c;
                    gNormMean /= c;
                    for (int i = 0; i < c; i++) {
                        float norm = (x[at + i] - m) * s;
                        float g = weight[i] * dout[at + i];
                        dx[at + i] += (g - gMean - norm * gNormMean) * s;
                    }
                }
            });
        }
        if (dweight != null || dbias != null) {
            Parallel.forRows(c, 3L * n, (c0, c1) -> {
                for (int r = 0; r < n; r++) {
                    int at = r * c;
                    float m = mean[r];
                    float s = rstd[r];
                    for (int i = c0; i < c1; i++) {
                        float d = dout[at + i];
                        if (dweight != null) dweight[i] += (x[at + i] - m) * s * d;
                        if (dbias != null) dbias[i] += d;
                    }
                }
            });
        }
    }

    /** out ← (x − mean) · rstd · weight + bias, row by row, in lanes; bias may be null. */
    public static void forward(float[] out, float[] mean, float[] rstd, float[] x, float[] weight, float[] bias,
            int n, int c, float eps) {
        int end = F.loopBound(c);
        Parallel.forRows(n, 4L * c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int at = r * c;
                FloatVector acc = FloatVector.zero(F);
                for (int i = 0; i < end; i += L) acc = acc.add(FloatVector.fromArray(F, x, at + i));
                float sum = Lanes.sum(acc);
                for (int i = end; i < c; i++) sum += x[at + i];
                float m = sum / c;
                acc = FloatVector.zero(F);
                for (int i = 0; i < end; i += L) {
                    FloatVector d = FloatVector.fromArray(F, x, at + i).sub(m);
                    acc = d.fma(d, acc);
                }
                float sq = Lanes.sum(acc);
                for (int i = end; i < c; i++) sq += (x[at + i] - m) * (x[at + i] - m);
                float s = (float) (1.0 / Math.sqrt(sq / c + eps));
                int i = 0;
                for (; i < end; i += L) {
                    FloatVector y = FloatVector.fromArray(F, x, at + i).sub(m).mul(s).mul(FloatVector.fromArray(F, weight, i));
                    if (bias != null) y = y.add(FloatVector.fromArray(F, bias, i));
                    y.intoArray(out, at + i);
                }
                for (; i < c; i++) {
                    float norm = (x[at + i] - m) * s;
                    out[at + i] = bias == null ? norm * weight[i] : norm * weight[i] + bias[i];
                }
                mean[r] = m;
                rstd[r] = s;
            }
        });
    }

    /** {@link #backwardScalar} in lanes. */
    public static void backward(float[] dx, float[] dweight, float[] dbias, float[] dout, float[] x, float[] weight,
            float[] mean, float[] rstd, int n, int c) {
        int end = F.loopBound(c);
        if (dx != null) {
            Parallel.forRows(n, 6L * c, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int at = r * c;
                    float m = mean[r], s = rstd[r];
                    FloatVector gSum = FloatVector.zero(F), gNormSum = FloatVector.zero(F);
                    for (int i = 0; i < end; i += L) {
                        FloatVector g = FloatVector.fromArray(F, weight, i).mul(FloatVector.fromArray(F, dout, at + i));
                        gSum = gSum.add(g);
                        gNormSum = g.fma(FloatVector.fromArray(F, x, at + i).sub(m).mul(s), gNormSum);
                    }
                    float gMean = Lanes.sum(gSum);
                    float gNormMean = Lanes.sum(gNormSum);
                    for (int i = end; i < c; i++) {
                        float g = weight[i] * dout[at + i];
                        gMean += g;
                        gNormMean += g * (x[at + i] - m) * s;
                    }
                    gMean /= c;
                    gNormMean /= c;
                    int i = 0;
                    for (; i < end; i += L) {
                        FloatVector norm = FloatVector.fromArray(F, x, at + i).sub(m).mul(s);
                        FloatVector g = FloatVector.fromArray(F, weight, i).mul(FloatVector.fromArray(F, dout, at + i));
                        g.sub(gMean).sub(norm.mul(gNormMean)).mul(s).add(FloatVector.fromArray(F, dx, at + i)).intoArray(dx, at + i);
                    }
                    for (; i < c; i++) {
                        float norm = (x[at + i] - m) * s;
                        dx[at + i] += (weight[i] * dout[at + i] - gMean - norm * gNormMean) * s;
                    }
                }
            });
        }
        if (dweight != null || dbias != null) {
            Parallel.forRows(c, 3L * n, (c0, c1) -> {
                int vEnd = Lanes.vectorEnd(c0, c1);
                for (int r = 0; r < n; r++) {
                    int at = r * c;
                    float m = mean[r], s = rstd[r];
                    int i = c0;
                    for (; i < vEnd; i += L) {
                        FloatVector d = FloatVector.fromArray(F, dout, at + i);
                        if (dweight != null) {
                            FloatVector.fromArray(F, x, at + i).sub(m).mul(s).mul(d)
                                    .add(FloatVector.fromArray(F, dweight, i)).intoArray(dweight, i);
                        }
                        if (dbias != null) d.add(FloatVector.fromArray(F, dbias, i)).intoArray(dbias, i);
                    }
                    for (; i < c1; i++) {
                        float d = dout[at + i];
                        if (dweight != null) dweight[i] += (x[at + i] - m) * s * d;
                        if (dbias != null) dbias[i] += d;
                    }
                }
            });
        }
    }
}
