package ai.basalt.nn;

import ai.basalt.nn.kernel.EmbeddingKernel;
import ai.basalt.nn.kernel.LayerNormKernel;
import ai.basalt.nn.kernel.LinearKernel;
import ai.basalt.nn.kernel.RmsNormKernel;
import ai.basalt.tensor.Gemm;
import java.util.Arrays;

/** The graph side of the layers with weights: shape checks, buffers, and the backward each one records. */
final class LayerOps {
    private LayerOps() {}

    static void requireShape(String op, Var v, int... shape) {
        if (!Arrays.equals(v.shape, shape)) {
            throw new ShapeMismatchException(op + ": " + v + " should have shape " + Arrays.toString(shape));
        }
    }

    static int[] withLast(int[] shape, int last) {
        int[] s = shape.clone();
        s[s.length - 1] = last;
        return s;
    }

    /** x (…, IN) · Wᵀ + b with W (OUT, IN), b (OUT) or null. */
    static Var linear(Graph g, Var x, Var w, Var b) {
        if (w.rank() != 2 || x.rank() == 0 || w.shape[1] != x.cols()) {
            throw new ShapeMismatchException("linear: input " + x + " does not fit weight " + w + " (out, in)");
        }
        int in = w.shape[1], outDim = w.shape[0], n = x.size / in;
        if (b != null) requireShape("linear bias", b, outDim);
        Var out = g.output("linear", withLast(x.shape, outDim), x, w, b);
        LinearKernel.forward(g.gemm(), out.data, x.data, w.data, b == null ? null : b.data, n, in, outDim);
        g.record(out, () -> LinearKernel.backward(g.gemm(), g.gradIfNeeded(x), g.gradIfNeeded(w),
                b == null ? null : g.gradIfNeeded(b), out.grad, x.data, w.data, n, in, outDim));
        return out;
    }

    /** a (…, M, K) · b (…, K, N), batched over equal leading dimensions, or over a's alone when b is 2-D. */
    static Var matmul(Graph g, Var a, Var b) {
        if (a.rank() < 2 || b.rank() < 2) throw new ShapeMismatchException("matmul: " + a + " and " + b + " need two dimensions");
        int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
        boolean shared = b.rank() == 2;
        int batch = a.size / (m * k);
        boolean leadingMatch = Arrays.equals(Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        if (b.dim(-2) != k || !(shared || leadingMatch)) {
            throw new ShapeMismatchException("matmul: " + a + " and " + b + " do not multiply");
        }
        Var out = g.output("matmul", withLast(a.shape, n), a, b);
        Gemm gemm = g.gemm();
        for (int i = 0; i < batch; i++) {
            int bOff = shared ? 0 : i * k * n;
            gemm.gemm(false, false, m, n, k, 1f, a.data, i * m * k, k, b.data, bOff, n, 0f, out.data, i * m * n, n);
        }
        g.record(out, () -> {
            float[] da = g.gradIfNeeded(a), db = g.gradIfNeeded(b);
            for (int i = 0; i < batch; i++) {
                int bOff = shared ? 0 : i * k * n;
                if (da != null) gemm.gemm(false, true, m, k, n, 1f, out.grad, i * m * n, n, b.data, bOff, n, 1f, da, i * m * k, k);
                if (db != null) gemm.gemm(true, false, k, n, m, 1f, a.data, i * m * k, k, out.grad, i * m * n, n, 1f, db, bOff, n);
            }
        });
        return out;
    }

    /** Rows of table (V, C) picked by ids, shaped idShape + (C). */
    static Var embedding(Graph g, Var table, int[] ids, int[] idShape) {
        if (table.rank() != 2) throw new ShapeMismatchException("embedding: table " + table + " should be (vocab, channels)");
        int n = Var.sizeOf(idShape), v = table.shape[0], c = table.shape[1];
        if (ids.length < n) throw new ShapeMismatchException("embedding: " + ids.length + " ids for shape " + Arrays.toString(idShape));
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= v) {
                throw new IllegalArgumentException("embedding: id " + ids[i] + " at " + i + " is outside [0, " + v + ") of " + table);
            }
        }
        int[] shape = Arrays.copyOf(idShape, idShape.length + 1);
        shape[idShape.length] = c;
        Var out = g.output("embedding", shape, table);
        EmbeddingKernel.forward(out.data, ids, 0, table.data, n, c);
        g.record(out, () -> EmbeddingKernel.backward(g.grad(table), out.grad, ids, 0, n, c));
        return out;
    }

    /** LayerNorm over the last dimension with weight and bias (C), bias possibly null. */
    static Var layerNorm(Graph g, Var x, Var w, Var b, float eps) {
        int c = x.cols(), n = x.size / c;
        requireShape("layerNorm weight", w, c);
        if (b != null) requireShape("layerNorm bias", b, c);
        Var out = g.output("layerNorm", x.shape, x, w, b);
        float[] mean = g.scratch(n); // (N)
        float[] rstd = g.scratch(n); // (N)
        LayerNormKernel.forward(out.data, mean, rstd, x.data, w.data, b == null ? null : b.data, n, c, eps);
        g.record(out, () -> LayerNormKernel.backward(g.gradIfNeeded(x), g.gradIfNeeded(w),
                b == null ? null : g.gradIfNeeded(b), out.grad, x.data, w.data, mean, rstd, n, c));
        return out;
    }

    /** RMSNorm over the last dimension with weight (C). */
    static Var rmsNorm(Graph g, Var x, Var w, float eps) {
        int c = x.cols(), n = x.size / c;
        requireShape("rmsNorm weight", w, c);
        Var out = g.output("rmsNorm", x.shape, x, w);
        float[] rrms = g.scratch(n); // (N)
        RmsNormKernel.forward(out.data, rrms, x.data, w.data, n, c, eps);
        g.record(out, () -> RmsNormKernel.backward(g.gradIfNeeded(x), g.gradIfNeeded(w), out.grad, x.data, w.data,
                rrms, n, c));
        return out;
    }
}
