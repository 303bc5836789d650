package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal scaled dot-product self-attention with grouped-query heads (Ainslie et al. 2023), softmax fused,
 * the probabilities kept for the backward (llm.c {@code attention_forward} / {@code attention_backward}).
 * Query head h reads key/value head {@code h / (H / KVH)}; scores are scaled by 1/√hs.
 *
 * <p>Shapes: q, out, dq, dout (B, T, H, hs); k, v, dk, dv (B, T, KVH, hs); att (B, H, T, T), zero above
 * the diagonal. Heads stay interleaved in the channel dimension, as the projections produce them, so no
 * transpose is needed; with a {@link QkvLayout} q, k and v (and their gradients) are read and written in
 * place inside one fused projection (B, T, (H + 2·KVH)·hs), so no split copies are needed either. The forward splits (batch, head) pairs over threads, the backward (batch, kv head)
 * groups, so that every gradient element has one writer and the result is independent of the thread count.
 *
 * <p>{@link #forwardScalar} and {@link #backwardScalar} are the reference: one dot product per score.
 * {@link #forward} and {@link #backward} are small register-blocked matrix products. Heads a whole number of
 * two vectors wide (64 and 128 on AVX-512) take the tiled path: operands packed per head into contiguous
 * slivers and one 12 × 2-vector register tile ({@link #tile}) for all six products, scores, weighted sums
 * and the four gradients; this made the attention of a 6-head, 384-wide GPT at T = 256 some 25% faster
 * than the four-row path, which the other head sizes keep: each key/value head copied transposed, (hs, T),
 * so a row of scores accumulates in vector registers over the head dimension, weighted sums of rows
 * accumulate over positions, and dk and dv are gathered column by column from a (T, T) scratch of score
 * gradients. Lanes are summed in a fixed order and exp is {@link Lanes#exp}, so every JIT tier gives the
 * same bits.
 */
public final class AttentionKernel {
    private static final TensorOps SCALAR = TensorOps.scalar();
    /** Query rows (or key columns) a register tile covers. */
    private static final int ROWS = 4;
    /** Rows of the register tile of the tiled path (query rows, or key positions for dk and dv). */
    private static final int TILE_ROWS = 12;
    /** Columns of that tile, two vectors; heads whose size is a multiple of this take the tiled path. */
    private static final int TILE_COLS = 2 * L;

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

    /**
     * Where q, k and v (and their gradients, laid out alike) sit in their arrays: row (b, t) of q starts at
     * {@code qOffset + (b·T + t)·qStride}, of k at {@code kOffset + (b·T + t)·kvStride}, of v at
     * {@code vOffset + (b·T + t)·kvStride}; within a row, head h occupies [h·hs, (h + 1)·hs).
     */
    public record QkvLayout(int qOffset, int kOffset, int vOffset, int qStride, int kvStride) {
        /** q (B, T, H·hs), k and v (B, T, KVH·hs), each in an array of its own. */
        public static QkvLayout separate(int heads, int kvHeads, int hs) {
            return new QkvLayout(0, 0, 0, heads * hs, kvHeads * hs);
        }

        /** One array (B, T, (H + 2·KVH)·hs) holding q | k | v in each row, as a fused projection writes them. */
        public static QkvLayout fused(int heads, int kvHeads, int hs) {
            int stride = (heads + 2 * kvHeads) * hs;
            return new QkvLayout(0, heads * hs, (heads + kvHeads) * hs, stride, stride);
        }
    }

    /** out ← softmax(mask(q·kᵀ/√hs)) · v; att receives the probabilities. */
    public static void forward(float[] out, float[] att, float[] q, float[] k, float[] v,
            int b, int t, int heads, int kvHeads, int hs) {
        forward(out, att, q, k, v, QkvLayout.separate(heads, kvHeads, hs), b, t, heads, kvHeads, hs);
    }

    /** {@link #forward} with q, k, v placed by {@code layout} (they may share one array); out is (B, T, H·hs). */
    public static void forward(float[] out, float[] att, float[] q, float[] k, float[] v, QkvLayout layout,
            int b, int t, int heads, int kvHeads, int hs) {
        if (hs % TILE_COLS == 0) {
            forwardTiled(out, att, q, k, v, layout, b, t, heads, kvHeads, hs);
            return;
        }
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int kvStride = layout.kvStride(), qStride = layout.qStride(), oStride = heads * hs;
        Parallel.forRows(b * kvHeads, (long) group * t * t * hs, (u0, u1) -> {
            float[] kt = new float[hs * t];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads, kvh = unit % kvHeads;
                int kBase = layout.kOffset() + bi * t * kvStride + kvh * hs;
                int vBase = layout.vOffset() + bi * t * kvStride + kvh * hs;
                transpose(kt, k, kBase, kvStride, t, hs);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int qBase = layout.qOffset() + bi * t * qStride + h * hs;
                    int oBase = bi * t * oStride + h * hs;
                    int ti = 0;
                    for (; ti + ROWS <= t; ti += ROWS) { // four query rows share every load of k and v
                        int qOff = qBase + ti * qStride, oOff = oBase + ti * oStride;
                        int aOff = ((bi * heads + h) * t + ti) * t;
                        int len = ti + ROWS;
                        rowsTimesTransposed(att, aOff, t, q, qOff, qStride, kt, t, len, hs, scale);
                        for (int r = 0; r < ROWS; r++) {
                            softmax(att, aOff + r * t, ti + r + 1);
                            java.util.Arrays.fill(att, aOff + r * t + ti + r + 1, aOff + (r + 1) * t, 0f);
                        }
                        rowsWeighted(out, oOff, oStride, att, aOff, t, v, vBase, kvStride, len, hs, false);
                    }
                    for (; ti < t; ti++) {
                        int qOff = qBase + ti * qStride, oOff = oBase + ti * oStride;
                        int aOff = ((bi * heads + h) * t + ti) * t;
                        int len = ti + 1;
                        rowTimesTransposed(att, aOff, q, qOff, kt, t, len, hs, scale);
                        softmax(att, aOff, len);
                        java.util.Arrays.fill(att, aOff + len, aOff + t, 0f);
                        weightedRows(out, oOff, att, aOff, v, vBase, kvStride, len, hs, false);
                    }
                }
            }
        });
    }

    /** Accumulates dq, dk, dv from dout through the stored probabilities. Any gradient array may be null. */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
            float[] att, int b, int t, int heads, int kvHeads, int hs) {
        backward(dq, dk, dv, dout, q, k, v, att, QkvLayout.separate(heads, kvHeads, hs), b, t, heads, kvHeads, hs);
    }

    /**
     * {@link #backward} with q, k, v and dq, dk, dv placed by {@code layout} (each triple may share one array);
     * dout is (B, T, H·hs). Every gradient element still has one writer.
     */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k, float[] v,
            float[] att, QkvLayout layout, int b, int t, int heads, int kvHeads, int hs) {
        if (hs % TILE_COLS == 0) {
            backwardTiled(dq, dk, dv, dout, q, k, v, att, layout, b, t, heads, kvHeads, hs);
            return;
        }
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int kvStride = layout.kvStride(), qStride = layout.qStride(), oStride = heads * hs;
        Parallel.forRows(b * kvHeads, 4L * group * t * t * hs, (u0, u1) -> {
            float[] vt = new float[hs * t];
            float[] dScores = new float[t * t];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads, kvh = unit % kvHeads;
                int kBase = layout.kOffset() + bi * t * kvStride + kvh * hs;
                int vBase = layout.vOffset() + bi * t * kvStride + kvh * hs;
                transpose(vt, v, vBase, kvStride, t, hs);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int aBase = (bi * heads + h) * t * t;
                    int qBase = layout.qOffset() + bi * t * qStride + h * hs;
                    int oBase = bi * t * oStride + h * hs;
                    int ti = 0;
                    for (; ti + ROWS <= t; ti += ROWS) {
                        int qOff = qBase + ti * qStride, oOff = oBase + ti * oStride, aOff = aBase + ti * t, len = ti + ROWS;
                        rowsTimesTransposed(dScores, ti * t, t, dout, oOff, oStride, vt, t, len, hs, 1f);
                        for (int r = 0; r < ROWS; r++) {
                            int row = ti + r;
                            float dsum = dot(dScores, row * t, att, aOff + r * t, row + 1);
                            softmaxBackward(dScores, row * t, att, aOff + r * t, row + 1, dsum, scale);
                            java.util.Arrays.fill(dScores, row * t + row + 1, (row + 1) * t, 0f);
                        }
                        if (dq != null) rowsWeighted(dq, qOff, qStride, dScores, ti * t, t, k, kBase, kvStride, len, hs, true);
                    }
                    for (; ti < t; ti++) {
                        int qOff = qBase + ti * qStride, oOff = oBase + ti * oStride, aOff = aBase + ti * t, len = ti + 1;
                        // through out = att · v: datt[t2] = dout_t · v_t2
                        rowTimesTransposed(dScores, ti * t, dout, oOff, vt, t, len, hs, 1f);
                        // through the softmax: dScore = att · (datt − Σ att·datt), then the 1/√hs scale
                        float dsum = dot(dScores, ti * t, att, aOff, len);
                        softmaxBackward(dScores, ti * t, att, aOff, len, dsum, scale);
                        java.util.Arrays.fill(dScores, ti * t + len, (ti + 1) * t, 0f);
                        if (dq != null) weightedRows(dq, qOff, dScores, ti * t, k, kBase, kvStride, len, hs, true);
                    }
                    // dk_t2 += Σ_{ti ≥ t2} dScore[ti, t2] · q_ti and dv_t2 += Σ_{ti ≥ t2} att[ti, t2] · dout_ti; both
                    // matrices are zero above the diagonal, so four columns run together from the first one's row
                    int t2 = 0;
                    for (; t2 + ROWS <= t; t2 += ROWS) {
                        int kOff = kBase + t2 * kvStride, vOff = vBase + t2 * kvStride;
                        if (dk != null) columnsWeighted(dk, kOff, kvStride, dScores, t2 * t + t2, t, q, qBase + t2 * qStride, qStride, t - t2, hs);
                        if (dv != null) columnsWeighted(dv, vOff, kvStride, att, aBase + t2 * t + t2, t, dout, oBase + t2 * oStride, oStride, t - t2, hs);
                    }
                    for (; t2 < t; t2++) {
                        int kOff = kBase + t2 * kvStride, vOff = vBase + t2 * kvStride;
                        if (dk != null) columnWeightedRows(dk, kOff, dScores, t2 * t + t2, t, q, qBase + t2 * qStride, qStride, t - t2, hs);
                        if (dv != null) columnWeightedRows(dv, vOff, att, aBase + t2 * t + t2, t, dout, oBase + t2 * oStride, oStride, t - t2, hs);
                    }
                }
            }
        });
    }

    /**
     * The tiled forward, for heads a whole number of {@link #TILE_COLS} wide. Per (batch, kv head) the key head
     * is packed transposed and the value head as is, both in slivers of {@link #TILE_COLS} columns (contiguous,
     * so that a sliver stays in L1: rows of the projections lie a power-of-two-ish stride apart and alias a few
     * cache sets); then per query head, {@link #TILE_ROWS} query rows at a time: their scores against the key
     * slivers (a sliver may run past the diagonal: softmax's zero fill overwrites that), the softmax of each
     * row, and their weighted sums of value rows.
     */
    private static void forwardTiled(float[] out, float[] att, float[] q, float[] k, float[] v, QkvLayout layout,
            int b, int t, int heads, int kvHeads, int hs) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int kvStride = layout.kvStride(), qStride = layout.qStride(), oStride = heads * hs;
        int tp = (t + TILE_COLS - 1) / TILE_COLS * TILE_COLS;
        Parallel.forRows(b * kvHeads, (long) group * t * t * hs, (u0, u1) -> {
            float[] kp = new float[hs * tp], vp = new float[hs * t], tile = new float[TILE_ROWS * TILE_COLS];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads, kvh = unit % kvHeads;
                int vBase = layout.vOffset() + bi * t * kvStride + kvh * hs;
                packTransposed(kp, k, layout.kOffset() + bi * t * kvStride + kvh * hs, kvStride, t, hs);
                pack(vp, v, vBase, kvStride, t, hs);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int qBase = layout.qOffset() + bi * t * qStride + h * hs, oBase = bi * t * oStride + h * hs;
                    int aBase = (bi * heads + h) * t * t;
                    for (int ti = 0; ti < t; ti += TILE_ROWS) {
                        int rows = Math.min(TILE_ROWS, t - ti), end = ti + rows;
                        int qOff = qBase + ti * qStride, aOff = aBase + ti * t;
                        for (int j = 0; j < end; j += TILE_COLS) {
                            tile(hs, rows, q, qOff, qStride, 1, kp, j * hs, TILE_COLS, tile);
                            storeTile(tile, rows, Math.min(TILE_COLS, t - j), scale, att, aOff + j, t, false);
                        }
                        for (int r = 0; r < rows; r++) {
                            softmax(att, aOff + r * t, ti + r + 1);
                            java.util.Arrays.fill(att, aOff + r * t + ti + r + 1, aOff + (r + 1) * t, 0f);
                        }
                        for (int c = 0; c < hs; c += TILE_COLS) {
                            tile(end, rows, att, aOff, t, 1, vp, c * t, TILE_COLS, tile);
                            storeTile(tile, rows, TILE_COLS, 1f, out, oBase + ti * oStride + c, oStride, false);
                        }
                    }
                }
            }
        });
    }

    /**
     * The tiled backward, for heads a whole number of {@link #TILE_COLS} wide, its operands packed in slivers as
     * in {@link #forwardTiled}. Per query head: per block of {@link #TILE_ROWS} query rows the score gradients
     * (dout · vᵀ through the softmax, kept in dScores (T, T), zero above the diagonal) and dq; then per block of
     * {@link #TILE_ROWS} key positions dk and dv from the columns of dScores and att, summed from the block's
     * first row (both matrices are zero above the diagonal).
     */
    private static void backwardTiled(float[] dq, float[] dk, float[] dv, float[] dout, float[] q, float[] k,
            float[] v, float[] att, QkvLayout layout, int b, int t, int heads, int kvHeads, int hs) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int kvStride = layout.kvStride(), qStride = layout.qStride(), oStride = heads * hs;
        int tp = (t + TILE_COLS - 1) / TILE_COLS * TILE_COLS;
        Parallel.forRows(b * kvHeads, 4L * group * t * t * hs, (u0, u1) -> {
            float[] vtp = new float[hs * tp], kp = new float[hs * t], qp = new float[hs * t], op = new float[hs * t];
            float[] dScores = new float[t * t], tile = new float[TILE_ROWS * TILE_COLS];
            for (int unit = u0; unit < u1; unit++) {
                int bi = unit / kvHeads, kvh = unit % kvHeads;
                int kBase = layout.kOffset() + bi * t * kvStride + kvh * hs;
                int vBase = layout.vOffset() + bi * t * kvStride + kvh * hs;
                packTransposed(vtp, v, vBase, kvStride, t, hs);
                pack(kp, k, kBase, kvStride, t, hs);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    int aBase = (bi * heads + h) * t * t;
                    int qBase = layout.qOffset() + bi * t * qStride + h * hs, oBase = bi * t * oStride + h * hs;
                    for (int ti = 0; ti < t; ti += TILE_ROWS) {
                        int rows = Math.min(TILE_ROWS, t - ti), end = ti + rows;
                        int oOff = oBase + ti * oStride, aOff = aBase + ti * t;
                        for (int j = 0; j < end; j += TILE_COLS) { // through out = att · v: datt = dout · vᵀ
                            tile(hs, rows, dout, oOff, oStride, 1, vtp, j * hs, TILE_COLS, tile);
                            storeTile(tile, rows, Math.min(TILE_COLS, t - j), 1f, dScores, ti * t + j, t, false);
                        }
                        for (int r = 0; r < rows; r++) { // through the softmax, then the 1/√hs scale
                            int row = ti + r;
                            float dsum = dot(dScores, row * t, att, aOff + r * t, row + 1);
                            softmaxBackward(dScores, row * t, att, aOff + r * t, row + 1, dsum, scale);
                            java.util.Arrays.fill(dScores, row * t + row + 1, (row + 1) * t, 0f);
                        }
                        if (dq == null) continue;
                        for (int c = 0; c < hs; c += TILE_COLS) {
                            tile(end, rows, dScores, ti * t, t, 1, kp, c * t, TILE_COLS, tile);
                            storeTile(tile, rows, TILE_COLS, 1f, dq, qBase + ti * qStride + c, qStride, true);
                        }
                    }
                    if (dk != null) pack(qp, q, qBase, qStride, t, hs);
                    if (dv != null) pack(op, dout, oBase, oStride, t, hs);
                    for (int t2 = 0; t2 < t; t2 += TILE_ROWS) {
                        int cols = Math.min(TILE_ROWS, t - t2), n = t - t2;
                        for (int c = 0; c < hs; c += TILE_COLS) {
                            int from = c * t + t2 * TILE_COLS;
                            if (dk != null) {
                                tile(n, cols, dScores, t2 * t + t2, 1, t, qp, from, TILE_COLS, tile);
                                storeTile(tile, cols, TILE_COLS, 1f, dk, kBase + t2 * kvStride + c, kvStride, true);
                            }
                            if (dv != null) {
                                tile(n, cols, att, aBase + t2 * t + t2, 1, t, op, from, TILE_COLS, tile);
                                storeTile(tile, cols, TILE_COLS, 1f, dv, vBase + t2 * kvStride + c, kvStride, true);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * dst ← the T rows of one head at src[base + t2·stride .. +hs) in slivers of {@link #TILE_COLS} head
     * columns: column c of row t2 at {@code dst[c·T + t2·TILE_COLS + c % TILE_COLS]} (c rounded down to the sliver).
     */
    private static void pack(float[] dst, float[] src, int base, int stride, int t, int hs) {
        for (int c = 0; c < hs; c += TILE_COLS) {
            for (int t2 = 0, at = c * t; t2 < t; t2++, at += TILE_COLS) {
                int from = base + t2 * stride + c;
                FloatVector.fromArray(F, src, from).intoArray(dst, at);
                FloatVector.fromArray(F, src, from + L).intoArray(dst, at + L);
            }
        }
    }

    /**
     * dst ← the T rows of one head at src[base + t2·stride .. +hs), transposed, in slivers of {@link #TILE_COLS}
     * positions: element i of row t2 at {@code dst[j·hs + i·TILE_COLS + t2 − j]}, j = t2 rounded down to the
     * sliver. Positions past T in the last sliver are left as they are.
     */
    private static void packTransposed(float[] dst, float[] src, int base, int stride, int t, int hs) {
        for (int t2 = 0; t2 < t; t2++) {
            int j = t2 / TILE_COLS * TILE_COLS;
            int at = j * hs + t2 - j, from = base + t2 * stride;
            for (int i = 0; i < hs; i++) dst[at + i * TILE_COLS] = src[from + i];
        }
    }

    /**
     * The register tile of the tiled path, a small matrix product with strided operands:
     * {@code tile[r·TILE_COLS + c] ← Σ_{s < steps} w[wAt + r·wRow + s·wStep] · m[mAt + s·mStep + c]} for
     * r &lt; {@link #TILE_ROWS}, c &lt; {@link #TILE_COLS}, each element one FMA chain over s in order from zero.
     * Rows from {@code rows} on repeat the last valid one, so an edge tile reads nothing outside its operands
     * (their results are not used). Per step: two vectors of m, twelve broadcasts of w, 24 FMAs.
     */
    private static void tile(int steps, int rows, float[] w, int wAt, int wRow, int wStep, float[] m, int mAt,
            int mStep, float[] tile) {
        int last = rows - 1;
        int w0 = wAt, w1 = wAt + Math.min(1, last) * wRow, w2 = wAt + Math.min(2, last) * wRow;
        int w3 = wAt + Math.min(3, last) * wRow, w4 = wAt + Math.min(4, last) * wRow, w5 = wAt + Math.min(5, last) * wRow;
        int w6 = wAt + Math.min(6, last) * wRow, w7 = wAt + Math.min(7, last) * wRow, w8 = wAt + Math.min(8, last) * wRow;
        int w9 = wAt + Math.min(9, last) * wRow, wa = wAt + Math.min(10, last) * wRow;
        int wb = wAt + Math.min(11, last) * wRow;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
        FloatVector c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
        for (int s = 0, ws = 0, ms = mAt; s < steps; s++, ws += wStep, ms += mStep) {
            FloatVector b0 = FloatVector.fromArray(F, m, ms);
            FloatVector b1 = FloatVector.fromArray(F, m, ms + L);
            FloatVector a;
            a = FloatVector.broadcast(F, w[w0 + ws]); c00 = b0.fma(a, c00); c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(F, w[w1 + ws]); c10 = b0.fma(a, c10); c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(F, w[w2 + ws]); c20 = b0.fma(a, c20); c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(F, w[w3 + ws]); c30 = b0.fma(a, c30); c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(F, w[w4 + ws]); c40 = b0.fma(a, c40); c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(F, w[w5 + ws]); c50 = b0.fma(a, c50); c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(F, w[w6 + ws]); c60 = b0.fma(a, c60); c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(F, w[w7 + ws]); c70 = b0.fma(a, c70); c71 = b1.fma(a, c71);
            a = FloatVector.broadcast(F, w[w8 + ws]); c80 = b0.fma(a, c80); c81 = b1.fma(a, c81);
            a = FloatVector.broadcast(F, w[w9 + ws]); c90 = b0.fma(a, c90); c91 = b1.fma(a, c91);
            a = FloatVector.broadcast(F, w[wa + ws]); ca0 = b0.fma(a, ca0); ca1 = b1.fma(a, ca1);
            a = FloatVector.broadcast(F, w[wb + ws]); cb0 = b0.fma(a, cb0); cb1 = b1.fma(a, cb1);
        }
        int n = TILE_COLS;
        c00.intoArray(tile, 0); c01.intoArray(tile, L);
        c10.intoArray(tile, n); c11.intoArray(tile, n + L);
        c20.intoArray(tile, 2 * n); c21.intoArray(tile, 2 * n + L);
        c30.intoArray(tile, 3 * n); c31.intoArray(tile, 3 * n + L);
        c40.intoArray(tile, 4 * n); c41.intoArray(tile, 4 * n + L);
        c50.intoArray(tile, 5 * n); c51.intoArray(tile, 5 * n + L);
        c60.intoArray(tile, 6 * n); c61.intoArray(tile, 6 * n + L);
        c70.intoArray(tile, 7 * n); c71.intoArray(tile, 7 * n + L);
        c80.intoArray(tile, 8 * n); c81.intoArray(tile, 8 * n + L);
        c90.intoArray(tile, 9 * n); c91.intoArray(tile, 9 * n + L);
        ca0.intoArray(tile, 10 * n); ca1.intoArray(tile, 10 * n + L);
        cb0.intoArray(tile, 11 * n); cb1.intoArray(tile, 11 * n + L);
    }

    /**
     * out[oAt + r·oRow + c] ← scale · tile[r·TILE_COLS + c] (plus what out held, with {@code accumulate}) for
     * r &lt; rows, c &lt; cols.
     */
    private static void storeTile(float[] tile, int rows, int cols, float scale, float[] out, int oAt, int oRow,
            boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            int at = oAt + r * oRow;
            for (int c = 0; c < cols; c += L) {
                FloatVector x = FloatVector.fromArray(F, tile, r * TILE_COLS + c);
                if (scale != 1f) x = x.mul(scale);
                if (c + L <= cols) {
                    store(out, at + c, x, accumulate);
                } else {
                    VectorMask<Float> valid = VectorMask.fromLong(F, (1L << (cols - c)) - 1);
                    if (accumulate) x = x.add(FloatVector.fromArray(F, out, at + c, valid));
                    x.intoArray(out, at + c, valid);
                }
            }
        }
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
        // vectors start below len and end within t; four, then one at a time, so that up to four independent
        // FMA chains are in flight (each lane's chain runs over i in order: blocking does not change its bits)
        int vectors = Math.min((len + L - 1) / L, t / L);
        int j = 0;
        for (; j + 4 * L <= vectors * L; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < hs; i++) {
                FloatVector xi = FloatVector.broadcast(F, x[xOff + i]);
                int m = i * t + j;
                a0 = FloatVector.fromArray(F, mt, m).fma(xi, a0);
                a1 = FloatVector.fromArray(F, mt, m + L).fma(xi, a1);
                a2 = FloatVector.fromArray(F, mt, m + 2 * L).fma(xi, a2);
                a3 = FloatVector.fromArray(F, mt, m + 3 * L).fma(xi, a3);
            }
            a0.mul(scale).intoArray(row, off + j);
            a1.mul(scale).intoArray(row, off + j + L);
            a2.mul(scale).intoArray(row, off + j + 2 * L);
            a3.mul(scale).intoArray(row, off + j + 3 * L);
        }
        for (; j + 2 * L <= vectors * L; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int i = 0; i < hs; i++) {
                FloatVector xi = FloatVector.broadcast(F, x[xOff + i]);
                int m = i * t + j;
                a0 = FloatVector.fromArray(F, mt, m).fma(xi, a0);
                a1 = FloatVector.fromArray(F, mt, m + L).fma(xi, a1);
            }
            a0.mul(scale).intoArray(row, off + j);
            a1.mul(scale).intoArray(row, off + j + L);
        }
        for (; j < vectors * L; j += L) {
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
        for (; c + 2 * L <= hs; c += 2 * L) { // two lane blocks per pass: independent FMA chains, same per-lane order
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int t2 = 0; t2 < len; t2++) {
                FloatVector wt = FloatVector.broadcast(F, w[wOff + t2]);
                int at = base + t2 * stride + c;
                a0 = FloatVector.fromArray(F, m, at).fma(wt, a0);
                a1 = FloatVector.fromArray(F, m, at + L).fma(wt, a1);
            }
            if (accumulate) {
                a0 = a0.add(FloatVector.fromArray(F, out, oOff + c));
                a1 = a1.add(FloatVector.fromArray(F, out, oOff + c + L));
            }
            a0.intoArray(out, oOff + c);
            a1.intoArray(out, oOff + c + L);
        }
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
        for (; c + 2 * L <= hs; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            for (int r = 0; r < rows; r++) {
                FloatVector wr = FloatVector.broadcast(F, w[wOff + r * t]);
                int at = mOff + r * stride + c;
                a0 = FloatVector.fromArray(F, m, at).fma(wr, a0);
                a1 = FloatVector.fromArray(F, m, at + L).fma(wr, a1);
            }
            a0.add(FloatVector.fromArray(F, out, oOff + c)).intoArray(out, oOff + c);
            a1.add(FloatVector.fromArray(F, out, oOff + c + L)).intoArray(out, oOff + c + L);
        }
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

    /**
     * {@link #rowTimesTransposed} for the four rows x[xOff + r·xStride ..] (r &lt; 4) into row[off + r·rowStride ..],
     * columns [0, len): each load of mt serves four rows. Per element the same operations in the same order.
     */
    private static void rowsTimesTransposed(float[] row, int off, int rowStride, float[] x, int xOff, int xStride,
            float[] mt, int t, int len, int hs, float scale) {
        int vectors = Math.min((len + L - 1) / L, t / L);
        int x1 = xOff + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        int o1 = off + rowStride, o2 = o1 + rowStride, o3 = o2 + rowStride;
        int j = 0;
        for (; j + 2 * L <= vectors * L; j += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int i = 0; i < hs; i++) {
                int m = i * t + j;
                FloatVector m0 = FloatVector.fromArray(F, mt, m), m1 = FloatVector.fromArray(F, mt, m + L);
                FloatVector xa = FloatVector.broadcast(F, x[xOff + i]), xb = FloatVector.broadcast(F, x[x1 + i]);
                FloatVector xc = FloatVector.broadcast(F, x[x2 + i]), xd = FloatVector.broadcast(F, x[x3 + i]);
                a0 = m0.fma(xa, a0);
                a1 = m1.fma(xa, a1);
                b0 = m0.fma(xb, b0);
                b1 = m1.fma(xb, b1);
                c0 = m0.fma(xc, c0);
                c1 = m1.fma(xc, c1);
                d0 = m0.fma(xd, d0);
                d1 = m1.fma(xd, d1);
            }
            a0.mul(scale).intoArray(row, off + j);
            a1.mul(scale).intoArray(row, off + j + L);
            b0.mul(scale).intoArray(row, o1 + j);
            b1.mul(scale).intoArray(row, o1 + j + L);
            c0.mul(scale).intoArray(row, o2 + j);
            c1.mul(scale).intoArray(row, o2 + j + L);
            d0.mul(scale).intoArray(row, o3 + j);
            d1.mul(scale).intoArray(row, o3 + j + L);
        }
        for (; j < vectors * L; j += L) {
            FloatVector a0 = FloatVector.zero(F), b0 = a0, c0 = a0, d0 = a0;
            for (int i = 0; i < hs; i++) {
                FloatVector m0 = FloatVector.fromArray(F, mt, i * t + j);
                a0 = m0.fma(FloatVector.broadcast(F, x[xOff + i]), a0);
                b0 = m0.fma(FloatVector.broadcast(F, x[x1 + i]), b0);
                c0 = m0.fma(FloatVector.broadcast(F, x[x2 + i]), c0);
                d0 = m0.fma(FloatVector.broadcast(F, x[x3 + i]), d0);
            }
            a0.mul(scale).intoArray(row, off + j);
            b0.mul(scale).intoArray(row, o1 + j);
            c0.mul(scale).intoArray(row, o2 + j);
            d0.mul(scale).intoArray(row, o3 + j);
        }
        for (; j < len; j++) {
            for (int r = 0; r < ROWS; r++) {
                float s = 0f;
                int xr = xOff + r * xStride;
                for (int i = 0; i < hs; i++) s = Math.fma(mt[i * t + j], x[xr + i], s);
                row[off + r * rowStride + j] = s * scale;
            }
        }
    }

    /**
     * {@link #weightedRows} for four rows at once: out[oOff + r·oStride ..+hs) (+)= Σ_{t2 &lt; len} w[wOff + r·wStride
     * + t2] · m[base + t2·stride ..+hs). Weights past a row's own length must be zero; they then add nothing.
     */
    private static void rowsWeighted(float[] out, int oOff, int oStride, float[] w, int wOff, int wStride, float[] m,
            int base, int stride, int len, int hs, boolean accumulate) {
        int w1 = wOff + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
        int c = 0;
        for (; c + 2 * L <= hs; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int t2 = 0; t2 < len; t2++) {
                int at = base + t2 * stride + c;
                FloatVector m0 = FloatVector.fromArray(F, m, at), m1 = FloatVector.fromArray(F, m, at + L);
                FloatVector wa = FloatVector.broadcast(F, w[wOff + t2]), wb = FloatVector.broadcast(F, w[w1 + t2]);
                FloatVector wc = FloatVector.broadcast(F, w[w2 + t2]), wd = FloatVector.broadcast(F, w[w3 + t2]);
                a0 = m0.fma(wa, a0);
                a1 = m1.fma(wa, a1);
                b0 = m0.fma(wb, b0);
                b1 = m1.fma(wb, b1);
                c0 = m0.fma(wc, c0);
                c1 = m1.fma(wc, c1);
                d0 = m0.fma(wd, d0);
                d1 = m1.fma(wd, d1);
            }
            store(out, oOff + c, a0, accumulate);
            store(out, oOff + c + L, a1, accumulate);
            store(out, oOff + oStride + c, b0, accumulate);
            store(out, oOff + oStride + c + L, b1, accumulate);
            store(out, oOff + 2 * oStride + c, c0, accumulate);
            store(out, oOff + 2 * oStride + c + L, c1, accumulate);
            store(out, oOff + 3 * oStride + c, d0, accumulate);
            store(out, oOff + 3 * oStride + c + L, d1, accumulate);
        }
        if (c < hs) {
            for (int r = 0; r < ROWS; r++) {
                weightedRowsFrom(out, oOff + r * oStride, w, wOff + r * wStride, m, base, stride, len, hs, c, accumulate);
            }
        }
    }

    private static void store(float[] out, int at, FloatVector v, boolean accumulate) {
        (accumulate ? v.add(FloatVector.fromArray(F, out, at)) : v).intoArray(out, at);
    }

    /** {@link #weightedRows} over the head dimensions [c, hs) only. */
    private static void weightedRowsFrom(float[] out, int oOff, float[] w, int wOff, float[] m, int base, int stride,
            int len, int hs, int c, boolean accumulate) {
        for (int end = c + F.loopBound(hs - c); c < end; c += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int t2 = 0; t2 < len; t2++) {
                acc = FloatVector.fromArray(F, m, base + t2 * stride + c).fma(FloatVector.broadcast(F, w[wOff + t2]), acc);
            }
            store(out, oOff + c, acc, accumulate);
        }
        for (; c < hs; c++) {
            float s = 0f;
            for (int t2 = 0; t2 < len; t2++) s = Math.fma(m[base + t2 * stride + c], w[wOff + t2], s);
            out[oOff + c] = accumulate ? out[oOff + c] + s : s;
        }
    }

    /**
     * {@link #columnWeightedRows} for the four columns starting at w[wOff] (rows of out at oOff + r·oStride), all
     * summed over rows from the first column's: entries of w above the diagonal must be zero.
     */
    private static void columnsWeighted(float[] out, int oOff, int oStride, float[] w, int wOff, int t, float[] m,
            int mOff, int stride, int rows, int hs) {
        int c = 0;
        for (; c + 2 * L <= hs; c += 2 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int r = 0; r < rows; r++) {
                int at = mOff + r * stride + c, wr = wOff + r * t;
                FloatVector m0 = FloatVector.fromArray(F, m, at), m1 = FloatVector.fromArray(F, m, at + L);
                FloatVector wa = FloatVector.broadcast(F, w[wr]), wb = FloatVector.broadcast(F, w[wr + 1]);
                FloatVector wc = FloatVector.broadcast(F, w[wr + 2]), wd = FloatVector.broadcast(F, w[wr + 3]);
                a0 = m0.fma(wa, a0);
                a1 = m1.fma(wa, a1);
                b0 = m0.fma(wb, b0);
                b1 = m1.fma(wb, b1);
                c0 = m0.fma(wc, c0);
                c1 = m1.fma(wc, c1);
                d0 = m0.fma(wd, d0);
                d1 = m1.fma(wd, d1);
            }
            store(out, oOff + c, a0, true);
            store(out, oOff + c + L, a1, true);
            store(out, oOff + oStride + c, b0, true);
            store(out, oOff + oStride + c + L, b1, true);
            store(out, oOff + 2 * oStride + c, c0, true);
            store(out, oOff + 2 * oStride + c + L, c1, true);
            store(out, oOff + 3 * oStride + c, d0, true);
            store(out, oOff + 3 * oStride + c + L, d1, true);
        }
        for (; c < hs; c++) { // remaining head dimensions, lane by lane in scalar
            for (int k = 0; k < ROWS; k++) {
                float s = 0f;
                for (int r = 0; r < rows; r++) s = Math.fma(m[mOff + r * stride + c], w[wOff + r * t + k], s);
                out[oOff + k * oStride + c] += s;
            }
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

    /**
     * In place over x[off..+n): the max-shifted exponentials normalized by their sum. The last partial vector
     * runs masked (lanes past n are neither read nor written), so short causal rows need no scalar exp. The
     * pieces are small methods on purpose: with a second exp inlined here C2 stops inlining (its node count
     * cutoff) and the calls left box their vectors, several times slower.
     */
    private static void softmax(float[] x, int off, int n) {
        int end = F.loopBound(n);
        float max = rowMax(x, off, n);
        FloatVector sums = FloatVector.zero(F);
        for (int j = 0; j < end; j += L) {
            FloatVector e = Lanes.exp(FloatVector.fromArray(F, x, off + j).sub(max));
            e.intoArray(x, off + j);
            sums = sums.add(e);
        }
        float sum = Lanes.sum(sums);
        if (end < n) sum += expTail(x, off + end, n - end, max);
        float inverse = 1f / sum; // a multiply per element, not a division
        for (int j = 0; j < end; j += L) FloatVector.fromArray(F, x, off + j).mul(inverse).intoArray(x, off + j);
        if (end < n) {
            VectorMask<Float> tail = VectorMask.fromLong(F, (1L << (n - end)) - 1);
            FloatVector.fromArray(F, x, off + end, tail).mul(inverse).intoArray(x, off + end, tail);
        }
    }

    /** The largest of x[off..+n), over two accumulators so that two dependency chains run at once. */
    private static float rowMax(float[] x, int off, int n) {
        int end = F.loopBound(n);
        FloatVector max0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), max1 = max0;
        int j = 0;
        for (; j + 2 * L <= end; j += 2 * L) {
            max0 = max0.max(FloatVector.fromArray(F, x, off + j));
            max1 = max1.max(FloatVector.fromArray(F, x, off + j + L));
        }
        if (j < end) max0 = max0.max(FloatVector.fromArray(F, x, off + j));
        if (end < n) {
            VectorMask<Float> tail = VectorMask.fromLong(F, (1L << (n - end)) - 1);
            max1 = max1.max(FloatVector.fromArray(F, x, off + end, tail).blend(Float.NEGATIVE_INFINITY, tail.not()));
        }
        return max0.max(max1).reduceLanes(VectorOperators.MAX);
    }

    /** x[at..+count) ← e^(x − max) for count &lt; L lanes, masked; returns their sum. */
    private static float expTail(float[] x, int at, int count, float max) {
        VectorMask<Float> tail = VectorMask.fromLong(F, (1L << count) - 1);
        FloatVector e = Lanes.exp(FloatVector.fromArray(F, x, at, tail).sub(max)).blend(0f, tail.not());
        e.intoArray(x, at, tail);
        return Lanes.sum(e);
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
