package ai.basalt.tensor;

/**
 * The numeric kernels models are built from. Activations are heap {@code float[]} with explicit offsets;
 * weights are {@link Tensor}s in their stored type.
 *
 * <p>Every implementation must agree with {@link ScalarTensorOps} within a floating-point tolerance that
 * grows with the vector length; the contract test checks this over awkward sizes.
 */
public interface TensorOps {

    /** A short name for logs and benchmarks. */
    String name();

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, n). */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /** Row {@code row} of {@code w} (any computable type) dotted with {@code x[xOff .. xOff+cols)}. */
    float dotRow(Tensor w, int row, float[] x, int xOff);

    /** Dequantizes row {@code row} of {@code w} into {@code out[outOff .. outOff+cols)}. */
    void dequantizeRow(Tensor w, int row, float[] out, int outOff);

    /**
     * out[outOff+i] = x[xOff+i] / sqrt(mean(x²) + eps) · weight[i] for i in [0, n): RMSNorm (Zhang and
     * Sennrich 2019) with the sum of squares accumulated in double, as ggml does.
     */
    void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps);

    /**
     * out[outOff+i] = (x[xOff+i] − mean) / sqrt(var + eps) · weight[i] + bias[i] for i in [0, n): LayerNorm
     * (Ba et al. 2016) with biased variance, mean and variance accumulated in double as ggml does.
     */
    void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps);

    /** In-place numerically stable softmax of x[off .. off+n). */
    void softmax(float[] x, int off, int n);

    /**
     * Rotates the first {@code nDims} values of one head at {@code x[off..]} by the angles whose cosines and
     * sines are {@code cos[i]}, {@code sin[i]} for pair i in [0, nDims/2) (RoFormer, Su et al. 2021).
     */
    void rope(float[] x, int off, int nDims, float[] cos, float[] sin, RopeMode mode);

    /** In place: x ← x · σ(x) (SiLU, Elfwing et al. 2017) over x[off .. off+n). */
    void silu(float[] x, int off, int n);

    /**
     * In place: GELU with the tanh approximation used by GPT-2 (Hendrycks and Gimpel 2016):
     * x ← 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) over x[off .. off+n).
     */
    void gelu(float[] x, int off, int n);

    /** In place: a[i] ← a[i] · b[i] for i in [0, n). */
    void mul(float[] a, float[] b, int n);

    /** In place: y[yOff+i] ← y[yOff+i] + alpha · x[xOff+i] for i in [0, n). */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /** In place: x[off+i] ← x[off+i] · alpha for i in [0, n). */
    void scale(float[] x, int off, int n, float alpha);

    /**
     * Matrix-vector product out[r] = w[r] · x for every row r of {@code w}, split across the shared
     * {@link Parallel} pool when the matrix is large enough to pay for it.
     */
    default void matmul(Tensor w, float[] x, float[] out) {
        int rows = w.rows();
        if (out.length < rows) {
            throw new IllegalArgumentException("output of length " + out.length + " for " + rows + " rows of " + w);
        }
        if (x.length < w.cols()) {
            throw new IllegalArgumentException("input of length " + x.length + " for " + w.cols() + " columns of " + w);
        }
        Parallel.forRows(rows, (long) w.cols(), (start, end) -> {
            for (int r = start; r < end; r++) out[r] = dotRow(w, r, x, 0);
        });
    }

    /**
     * Matrix-vector products of {@code count} inputs against one matrix: {@code outs[i][r] = w[r] · xs[i]} for i in
     * [0, count) and every row r of {@code w} (one decode step of several sequences, each with its own activations).
     * Every output must equal {@link #dotRow}{@code (w, r, xs[i], 0)} bit for bit, whatever {@code count} and the
     * other inputs: a sequence computed in a batch gives what it gives alone. Implementations may read each weight
     * row once for all inputs, which is the point (decode is bound by reading the weights), but not through
     * {@link #matmul(Tensor, float[], int, float[])}, whose sums run in another order. This default is one
     * {@link #matmul(Tensor, float[], float[])} per input.
     *
     * @param xs inputs of at least {@code w.cols()} values each (the first {@code count} are used)
     * @param outs outputs of at least {@code w.rows()} values each, in the order of {@code xs}
     */
    default void matmulEach(Tensor w, float[][] xs, int count, float[][] outs) {
        SharedRows.check(w, xs, count, outs);
        for (int i = 0; i < count; i++) matmul(w, xs[i], outs[i]);
    }

    /**
     * Scores of one query against many keys stored transposed: {@code out[outOff + j] = scale · Σ_{i<k} x[xOff + i] ·
     * m[mOff + i·stride + j]} for j in [0, n) (m holds k rows of at least n values, {@code stride} apart). With keys
     * as columns, lanes run over positions and no sum crosses lanes: attention over a long cache stays a stream
     * of fused multiply-adds. This default is the reference: each output one sum over i in order.
     */
    default void dotColumns(float[] x, int xOff, float[] m, int mOff, int stride, int k, int n, float scale, float[] out,
            int outOff) {
        for (int j = 0; j < n; j++) {
            float s = 0f;
            for (int i = 0; i < k; i++) s += x[xOff + i] * m[mOff + i * stride + j];
            out[outOff + j] = s * scale;
        }
    }

    /**
     * A weighted sum of rows: {@code out[outOff + i] = Σ_{j<n} w[wOff + j] · m[mOff + j·stride + i]} for i in
     * [0, k), overwriting out or, with {@code accumulate}, added to it (attention's values weighted by the
     * probabilities, a page of the cache at a time). This default is the reference: each output one sum over j in
     * order.
     */
    default void sumRows(float[] w, int wOff, int n, float[] m, int mOff, int stride, int k, float[] out, int outOff,
            boolean accumulate) {
        for (int i = 0; i < k; i++) {
            float s = 0f;
            for (int j = 0; j < n; j++) s += w[wOff + j] * m[mOff + j * stride + i];
            out[outOff + i] = accumulate ? out[outOff + i] + s : s;
        }
    }

    /**
     * {@link #dotColumns} for {@code g} queries against the same matrix (the query heads that share one key head
     * in grouped-query attention): query q at {@code x[xOff + q·xStride ..]}, its scores into
     * {@code outs[outFirst + q][outOff ..]}. An implementation may read m once for all g, which is the point: the
     * results must equal g separate {@link #dotColumns} calls exactly (this default).
     */
    default void dotColumns(int g, float[] x, int xOff, int xStride, float[] m, int mOff, int stride, int k, int n,
            float scale, float[][] outs, int outFirst, int outOff) {
        for (int q = 0; q < g; q++) dotColumns(x, xOff + q * xStride, m, mOff, stride, k, n, scale, outs[outFirst + q], outOff);
    }

    /**
     * {@link #sumRows} for {@code g} weight vectors over the same rows (grouped-query attention's values): weights q
     * at {@code ws[wFirst + q][wOff ..]}, its sum into {@code out[outOff + q·outStride ..]}. The results must equal
     * g separate {@link #sumRows} calls exactly (this default).
     */
    default void sumRows(int g, float[][] ws, int wFirst, int wOff, int n, float[] m, int mOff, int stride, int k,
            float[] out, int outOff, int outStride, boolean accumulate) {
        for (int q = 0; q < g; q++) sumRows(ws[wFirst + q], wOff, n, m, mOff, stride, k, out, outOff + q * outStride, accumulate);
    }

    /**
     * Batched matrix product for n input rows at once (a prompt's tokens): {@code out[i·R + r] = w[r] · x[i·C ..
     * i·C + C)} for i in [0, n) and every row r of {@code w} (R rows, C columns). This default runs {@link #dotRow}
     * for each pair, weight rows split across the pool: the reference. Implementations may instead reuse each
     * weight row across all n inputs (a matrix-matrix product); results then differ from {@link #dotRow}'s in
     * the order of the additions only.
     */
    default void matmul(Tensor w, float[] x, int n, float[] out) {
        int rows = w.rows(), cols = w.cols();
        if ((long) n * cols > x.length) {
            throw new IllegalArgumentException("input of length " + x.length + " for " + n + " rows of " + cols + " columns of " + w);
        }
        if ((long) n * rows > out.length) {
            throw new IllegalArgumentException("output of length " + out.length + " for " + n + " rows of " + rows + " from " + w);
        }
        Parallel.forRows(rows, (long) n * cols, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int i = 0; i < n; i++) out[i * rows + r] = dotRow(w, r, x, i * cols);
            }
        });
    }

    /**
     * The fewest inputs from which {@link #matmul(Tensor, float[], int, float[])} gives each input's products bit for bit
     * as it gives them in any other call of at least this many inputs: independent of n and of the other inputs. Prompt
     * pieces of several sequences, each at least this long, may then be multiplied as one batch and get exactly what
     * each gets alone. This default's products are {@link #dotRow}'s for every n: 1.
     */
    default int matmulStableFrom() {
        return 1;
    }

    /** The fastest implementation this JVM supports. */
    static TensorOps best() {
        return TensorOpsProvider.best();
    }

    /** The scalar reference implementation. */
    static TensorOps scalar() {
        return ScalarTensorOps.INSTANCE;
    }
}
