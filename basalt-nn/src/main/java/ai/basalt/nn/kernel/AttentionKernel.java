package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal scaled dot-product self-attention with grouped-query heads (Ainslie et al. 2023), softmax fused,
 * the probabilities kept for the backward (llm.c {@code attention_forward} / {@code attention_backward}).
 * Query head h reads key/value head {@code h / (H / KVH)}; scores are scaled by 1/√hs.
 *
 * <p>Shapes: q, out, dq, dout (B, T, H, hs); k, v, dk, dv (B, T, KVH, hs); att (B, H, T, T), zero above
 * the diagonal. Heads stay interleaved in the channel dimension, as the projections produce them, so no
 * transpose is needed. The forward splits (batch, head) pairs over threads, the backward (batch, kv head)
 * groups, so that every gradient element has one writer and the result is independent of the thread count.
 *
 * <p>{@link #forwardScalar} and {@link #backwardScalar} are the reference: one dot product per score.
 * {@link #forward} and {@link #backward} are small register-blocked matrix products: each key/value head
 * is copied transposed, (hs, T), so a row of scores accumulates in vector registers over the head
 * dimension; weighted sums of rows accumulate over positions; dk and dv are gathered column by column
 * from a (T, T) scratch of score gradients. Lanes are summed in a fixed order and exp is {@link Lanes#exp},
 * so every JIT tier gives the same bits.
 */
public final class AttentionKernel {
    private static final TensorOps SCALAR = TensorOps.scalar();

    private AttentionKernel() {}

    /** Reference: out ← softmax(mask(q·kᵀ/√hs)) · v; att receives the probabilities. */
    public static void forwardScalar(float[] out, float[] att, float[] q, float[] k, float[] v,
            int b, int t, int heads, int kvHeads, int hs) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        Parallel.forRows(b * heads, (long) t * t * hs, (u0, u1) -> {
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / heads;
                int h = unit % heads;
                int kvh = h / group;
                for (int ti = 0; ti < t; ti++) {
                    int qOff = ((bi * t + ti) * heads + h) * hs;
                    int aOff = (unit * t + ti) * t;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t2 = 0; t2 <= ti; t2++) {
                        float s = SCALAR.dot(q, qOff, k, ((bi * t + t2) * kvHeads + kvh) * hs, hs) * scale;
                        att[aOff + t2] = s;
                        if (s > max) max = s;
                    }
                    double sum = 0;
                    for (int t2 = 0; t2 <= ti; t2++) {
                        float e = (float) Math.exp(att[aOff + t2] - max);
                        att[aOff + t2] = e;
                        sum += e;
                    }
                    float norm = (float) sum;
                    for (int t2 = 0; t2 <= ti; t2++) att[aOff + t2] /= norm;
                    for (int t2 = ti + 1; t2 < t; t2++) att[aOff + t2] = 0f;
                    int oOff = qOff;
                    for (int i = 0; i < hs; i++) out[oOff + i] = 0f;
                    for (int t2 = 0; t2 <= ti; t2++) {
                        SCALAR.axpy(att[aOff + t2], v, ((bi * t + t2) * kvHeads + kvh) * hs, out, oOff, hs);
                    }
                }
            }
        });
    }

    /**
     * Reference: accumulates dq, dk, dv from dout through the stored probabilities. Any gradient array
     * may be null.
     */
    public static void backwardScalar(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
            float[] att, int b, int t, int heads, int kvHeads, int hs) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        Parallel.forRows(b * kvHeads, 3L * group * t * t * hs, (u0, u1) -> {
            float[] datt = new float[t];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads;
                int kvh = unit % kvHeads;
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    for (int ti = 0; ti < t; ti++) {
                        int qOff = ((bi * t + ti) * heads + h) * hs;
                        int aOff = ((bi * heads + h) * t + ti) * t;
                        // through out = att · v
                        float dsum = 0f;
                        for (int t2 = 0; t2 <= ti; t2++) {
                            int vOff = ((bi * t + t2) * kvHeads + kvh) * hs;
                            float d = SCALAR.dot(dout, qOff, v, vOff, hs);
                            datt[t2] = d;
                            dsum += d * att[aOff + t2];
                            if (dv != null) SCALAR.axpy(att[aOff + t2], dout, qOff, dv, vOff, hs);
                        }
                        // through softmax, then the scaled scores q · kᵀ
                        for (int t2 = 0; t2 <= ti; t2++) {
                            float dScore = att[aOff + t2] * (datt[t2] - dsum) * scale;
                            int kOff = ((bi * t + t2) * kvHeads + kvh) * hs;
                            if (dq != null) SCALAR.axpy(dScore, k, kOff, dq, qOff, hs);
                            if (dk != null) SCALAR.axpy(dScore, q, qOff, dk, kOff, hs);
                        }
                    }
                }
            }
        });
    }

    /** out ← softmax(mask(q·kᵀ/√hs)) · v; att receives the probabilities. */
    public static void forward(float[] out, float[] att, float[] q, float[] k, float[] v,
            int b, int t, int heads, int kvHeads, int hs) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int kvStride = kvHeads * hs;
        Parallel.forRows(b * kvHeads, (long) group * t * t * hs, (u0, u1) -> {
            float[] kt = new float[hs * t];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads, kvh = unit % kvHeads;
                int kvBase = bi * t * kvStride + kvh * hs;
                transpose(kt, k, kvBase, kvStride, t, hs);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    for (int ti = 0; ti < t; ti++) {
                        int qOff = ((bi * t + ti) * heads + h) * hs;
                        int aOff = ((bi * heads + h) * t + ti) * t;
                        int len = ti + 1;
                        rowTimesTransposed(att, aOff, q, qOff, kt, t, len, hs, scale);
                        softmax(att, aOff, len);
                        java.util.Arrays.fill(att, aOff + len, aOff + t, 0f);
                        weightedRows(out, qOff, att, aOff, v, kvBase, kvStride, len, hs, false);
                    }
                }
            }
        });
    }

    /** Accumulates dq, dk, dv from dout through the stored probabilities. Any gradient array may be null. */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
            float[] att, int b, int t, int heads, int kvHeads, int hs) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int kvStride = kvHeads * hs, qStride = heads * hs;
        Parallel.forRows(b * kvHeads, 4L * group * t * t * hs, (u0, u1) -> {
            float[] vt = new float[hs * t];
            float[] dScores = new float[t * t];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads, kvh = unit % kvHeads;
                int kvBase = bi * t * kvStride + kvh * hs;
                transpose(vt, v, kvBase, kvStride, t, hs);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int aBase = (bi * heads + h) * t * t;
                    int qBase = bi * t * qStride + h * hs;
                    for (int ti = 0; ti < t; ti++) {
                        int qOff = qBase + ti * qStride, aOff = aBase + ti * t, len = ti + 1;
                        // through out = att · v: datt[t2] = dout_t · v_t2
                        rowTimesTransposed(dScores, ti * t, dout, qOff, vt, t, len, hs, 1f);
                        // through the softmax: dScore = att · (datt − Σ att·datt), then the 1/√hs scale
                        float dsum = dot(dScores, ti * t, att, aOff, len);
                        softmaxBackward(dScores, ti * t, att, aOff, len, dsum, scale);
                        if (dq != null) weightedRows(dq, qOff, dScores, ti * t, k, kvBase, kvStride, len, hs, true);
                    }
                    // dk_t2 += Σ_{ti ≥ t2} dScore[ti, t2] · q_ti and dv_t2 += Σ_{ti ≥ t2} att[ti, t2] · dout_ti
                    for (int t2 = 0; t2 < t; t2++) {
                        int kvOff = kvBase + t2 * kvStride;
                        if (dk != null) columnWeightedRows(dk, kvOff, dScores, t2 * t + t2, t, q, qBase + t2 * qStride, qStride, t - t2, hs);
                        if (dv != null) columnWeightedRows(dv, kvOff, att, aBase + t2 * t + t2, t, dout, qBase + t2 * qStride, qStride, t - t2, hs);
                    }
                }
            }
        });
    }

    /** dst (hs, T) ← the T rows of one head at src[base + t2·stride .. +hs). */
    private static void transpose(float[] dst, float[] src, int base, int stride, int t, int hs) {
        for (int t2 = 0; t2 < t; t2++) {
            for (int i = 0; i < hs; i++) dst[i * t + t2] = src[base + t2 * stride + i];
        }
    }

    /**
     * row[off + j] ← scale · Σ_i x[xOff + i] · mt[i·t + j] for j in [0, len), with mt (hs, T) a transposed
     * head: lanes run over j and accumulate in registers. Whole vectors may write past len (never past t);
     * callers overwrite those entries.
     */
    private static void rowTimesTransposed(float[] row, int off, float[] x, int xOff, float[] mt, int t, int len,
            int hs, float scale) {
        int j = 0;
        for (; j < len && j + L <= t; j += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < hs; i++) acc = FloatVector.fromArray(F, mt, i * t + j).fma(FloatVector.broadcast(F, x[xOff + i]), acc);
            acc.mul(scale).intoArray(row, off + j);
        }
        for (; j < len; j++) {
            float s = 0f;
            for (int i = 0; i < hs; i++) s = Math.fma(mt[i * t + j], x[xOff + i], s);
            row[off + j] = s * scale;
        }
    }

    /**
     * out[oOff .. +hs) (+)= Σ_{t2 < len} w[wOff + t2] · m[base + t2·stride .. +hs): lanes run over the
     * head dimension and accumulate in registers; {@code accumulate} adds to out instead of overwriting.
     */
    private static void weightedRows(float[] out, int oOff, float[] w, int wOff, float[] m, int base, int stride,
            int len, int hs, boolean accumulate) {
        int c = 0;
        for (int end = F.loopBound(hs); c < end; c += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int t2 = 0; t2 < len; t2++) {
                acc = FloatVector.fromArray(F, m, base + t2 * stride + c).fma(FloatVector.broadcast(F, w[wOff + t2]), acc);
            }
            if (accumulate) acc = acc.add(FloatVector.fromArray(F, out, oOff + c));
            acc.intoArray(out, oOff + c);
        }
        for (; c < hs; c++) {
            float s = 0f;
            for (int t2 = 0; t2 < len; t2++) s = Math.fma(m[base + t2 * stride + c], w[wOff + t2], s);
            out[oOff + c] = accumulate ? out[oOff + c] + s : s;
        }
    }

    /**
     * out[oOff .. +hs) += Σ_{r < rows} w[wOff + r·t] · m[mOff + r·stride .. +hs): a column of a (T, T) matrix
     * weighting consecutive rows, accumulated in registers.
     */
    private static void columnWeightedRows(float[] out, int oOff, float[] w, int wOff, int t, float[] m, int mOff,
            int stride, int rows, int hs) {
        int c = 0;
        for (int end = F.loopBound(hs); c < end; c += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int r = 0; r < rows; r++) {
                acc = FloatVector.fromArray(F, m, mOff + r * stride + c).fma(FloatVector.broadcast(F, w[wOff + r * t]), acc);
            }
            acc.add(FloatVector.fromArray(F, out, oOff + c)).intoArray(out, oOff + c);
        }
        for (; c < hs; c++) {
            float s = 0f;
            for (int r = 0; r < rows; r++) s = Math.fma(m[mOff + r * stride + c], w[wOff + r * t], s);
            out[oOff + c] += s;
        }
    }

    /** Σ d[dOff + j] · att[aOff + j] over [0, n), lanes summed in order. */
    private static float dot(float[] d, int dOff, float[] att, int aOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int end = F.loopBound(n); j < end; j += L) {
            acc = FloatVector.fromArray(F, d, dOff + j).fma(FloatVector.fromArray(F, att, aOff + j), acc);
        }
        float s = Lanes.sum(acc);
        for (; j < n; j++) s += d[dOff + j] * att[aOff + j];
        return s;
    }

    /** In place over x[off..+n): the max-shifted exponentials normalized by their sum. */
    private static void softmax(float[] x, int off, int n) {
        int end = F.loopBound(n);
        FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < end; j += L) maxes = maxes.max(FloatVector.fromArray(F, x, off + j));
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (int j = end; j < n; j++) max = Math.max(max, x[off + j]);
        FloatVector sums = FloatVector.zero(F);
        for (int j = 0; j < end; j += L) {
            FloatVector e = Lanes.exp(FloatVector.fromArray(F, x, off + j).sub(max));
            e.intoArray(x, off + j);
            sums = sums.add(e);
        }
        float sum = Lanes.sum(sums);
        for (int j = end; j < n; j++) {
            x[off + j] = Lanes.exp(x[off + j] - max);
            sum += x[off + j];
        }
        for (int j = 0; j < end; j += L) FloatVector.fromArray(F, x, off + j).div(sum).intoArray(x, off + j);
        for (int j = end; j < n; j++) x[off + j] /= sum;
    }

    /** d[dOff + j] ← att[aOff + j] · (d[dOff + j] − dsum) · scale over [0, n). */
    private static void softmaxBackward(float[] d, int dOff, float[] att, int aOff, int n, float dsum, float scale) {
        int j = 0;
        for (int end = F.loopBound(n); j < end; j += L) {
            FloatVector a = FloatVector.fromArray(F, att, aOff + j);
            a.mul(FloatVector.fromArray(F, d, dOff + j).sub(dsum)).mul(scale).intoArray(d, dOff + j);
        }
        for (; j < n; j++) d[dOff + j] = att[aOff + j] * (d[dOff + j] - dsum) * scale;
    }
}
