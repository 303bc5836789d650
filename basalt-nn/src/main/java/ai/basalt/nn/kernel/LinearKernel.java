package ai.basalt.nn.kernel;

import ai.basalt.tensor.Gemm;
import ai.basalt.tensor.Parallel;

/**
 * A fully connected layer, {@code out = x · Wᵀ + b} with W stored (OUT, IN) as in {@code torch.nn.Linear}
 * (llm.c {@code matmul_forward} / {@code matmul_backward}). The products go to a {@link Gemm}, which must be
 * called from the caller's thread (it may use the shared pool itself); {@link Gemm#scalar()} is the
 * reference.
 *
 * <p>Shapes: x (N, IN), W (OUT, IN), b (OUT) or null, out (N, OUT), where N is every leading dimension
 * of the input flattened (B·T for a sequence batch).
 */
public final class LinearKernel {
    private LinearKernel() {}

    /** out (N, OUT) ← x (N, IN) · Wᵀ + b. */
    public static void forward(Gemm gemm, float[] out, float[] x, float[] w, float[] b, int n, int in, int outDim) {
        if (b == null) {
            gemm.gemm(false, true, n, outDim, in, 1f, x, 0, in, w, 0, in, 0f, out, 0, outDim);
            return;
        }
        Parallel.forRows(n, outDim, (r0, r1) -> {
            for (int r = r0; r < r1; r++) System.arraycopy(b, 0, out, r * outDim, outDim);
        });
        gemm.gemm(false, true, n, outDim, in, 1f, x, 0, in, w, 0, in, 1f, out, 0, outDim);
    }

    /**
     * Accumulates dx (N, IN) += dout · W, dW (OUT, IN) += doutᵀ · x and db (OUT) += Σ_rows dout. Any of
     * dx, dw, db may be null when that input needs no gradient.
     */
    public static void backward(Gemm gemm, float[] dx, float[] dw, float[] db, float[] dout, float[] x, float[] w,
            int n, int in, int outDim) {
        if (dx != null) gemm.gemm(false, false, n, in, outDim, 1f, dout, 0, outDim, w, 0, in, 1f, dx, 0, in);
        if (dw != null) gemm.gemm(true, false, outDim, in, n, 1f, dout, 0, outDim, x, 0, in, 1f, dw, 0, in);
        if (db != null) ColumnSums.accumulate(db, 0, dout, 0, n, outDim);
    }
}
