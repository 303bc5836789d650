package ai.basalt.nn;

import ai.basalt.tensor.Parallel;
import java.util.Arrays;

/** Shape changes: views that share storage, and copies that permute or split it. */
final class LayoutOps {
    private LayoutOps() {}

    /** The same data under another shape of equal size; one dimension may be −1 (inferred). */
    static Var view(Graph g, Var x, int[] shape) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else {
                if (s[i] < 0) throw new ShapeMismatchException("view: bad shape " + Arrays.toString(shape));
                known *= s[i];
            }
        }
        if (infer >= 0 && known > 0 && x.size % known == 0) s[infer] = (int) (x.size / known);
        if (Var.sizeOf(s) != x.size) {
            throw new ShapeMismatchException("view: " + x + " cannot be viewed as " + Arrays.toString(shape));
        }
        return g.viewOf(x, s);
    }

    /** Dimension i of the result is dimension axes[i] of x; the data is copied. */
    static Var permute(Graph g, Var x, int[] axes) {
        int rank = x.rank();
        boolean[] seen = new boolean[rank];
        if (axes.length != rank) throw new ShapeMismatchException("permute: " + axes.length + " axes for " + x);
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (axes[i] < 0 || axes[i] >= rank || seen[axes[i]]) {
                throw new ShapeMismatchException("permute: axes " + Arrays.toString(axes) + " are not a permutation of " + rank);
            }
            seen[axes[i]] = true;
            shape[i] = x.shape[axes[i]];
        }
        int[] srcStride = new int[rank];
        for (int d = rank - 1, st = 1; d >= 0; st *= x.shape[d], d--) srcStride[d] = st;
        Var out = g.output("permute", shape, x);
        int[] from = new int[out.size];
        for (int i = 0; i < out.size; i++) {
            int rem = i, at = 0;
            for (int d = rank - 1; d >= 0; d--) {
                at += (rem % shape[d]) * srcStride[axes[d]];
                rem /= shape[d];
            }
            from[i] = at;
            out.data[i] = x.data[at];
        }
        g.record(out, () -> {
            float[] dx = g.grad(x);
            for (int i = 0; i < out.size; i++) dx[from[i]] += out.grad[i];
        });
        return out;
    }

    /** Swaps the last two dimensions (a copy). */
    static Var transpose(Graph g, Var x) {
        int rank = x.rank();
        if (rank < 2) throw new ShapeMismatchException("transpose: " + x + " has fewer than two dimensions");
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) axes[i] = i;
        axes[rank - 2] = rank - 1;
        axes[rank - 1] = rank - 2;
        return permute(g, x, axes);
    }

    /** Copies of consecutive slices of the last dimension, of the given widths (a fused QKV into Q, K, V). */
    static Var[] split(Graph g, Var x, int[] widths) {
        int c = x.cols();
        int rows = x.size / c;
        int total = 0;
        for (int w : widths) total += w;
        if (total != c) {
            throw new ShapeMismatchException("split: widths " + Arrays.toString(widths) + " sum to " + total
                    + ", last dimension of " + x + " is " + c);
        }
        Var[] parts = new Var[widths.length];
        int start = 0;
        for (int p = 0; p < widths.length; p++) {
            int w = widths[p], s = start;
            int[] shape = x.shape.clone();
            shape[shape.length - 1] = w;
            Var out = g.output("split", shape, x);
            Parallel.forRows(rows, w, (r0, r1) -> {
                for (int r = r0; r < r1; r++) System.arraycopy(x.data, r * c + s, out.data, r * w, w);
            });
            g.record(out, () -> {
                float[] dx = g.grad(x), dy = out.grad;
                Parallel.forRows(rows, 2L * w, (r0, r1) -> {
                    for (int r = r0; r < r1; r++) {
                        int xo = r * c + s, yo = r * w;
                        for (int i = 0; i < w; i++) dx[xo + i] += dy[yo + i];
                    }
                });
            });
            parts[p] = out;
            start += w;
        }
        return parts;
    }
}
