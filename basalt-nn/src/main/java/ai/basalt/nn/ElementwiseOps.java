package ai.basalt.nn;

import ai.basalt.nn.kernel.ColumnSums;
import ai.basalt.nn.kernel.Unary;
import ai.basalt.tensor.Parallel;
import java.util.Arrays;

/**
 * Element-wise arithmetic with NumPy broadcasting, element-wise functions and sums: the primitives.
 * Equal shapes and a trailing-suffix operand (a bias (C) or a position table (T, C) added to (B, T, C))
 * take fast paths; other broadcasts go through a general index walk, single-threaded so sums over
 * broadcast dimensions keep one order.
 */
final class ElementwiseOps {
    enum Binary { ADD, SUB, MUL, DIV }

    private ElementwiseOps() {}

    static Var binary(Graph g, Binary op, Var a, Var b) {
        int[] shape = broadcastShape(op, a.shape, b.shape);
        Var out = g.output(op.name().toLowerCase(java.util.Locale.ROOT), shape, a, b);
        float[] y = out.data, av = a.data, bv = b.data;
        int n = out.size;
        if (Arrays.equals(a.shape, shape) && isSuffix(b.shape, shape)) {
            int bn = b.size;
            Parallel.forRows(n, 2, (i0, i1) -> forSegments(i0, i1, bn, (i, j, len) -> {
                switch (op) {
                    case ADD -> { for (int k = 0; k < len; k++) y[i + k] = av[i + k] + bv[j + k]; }
                    case SUB -> { for (int k = 0; k < len; k++) y[i + k] = av[i + k] - bv[j + k]; }
                    case MUL -> { for (int k = 0; k < len; k++) y[i + k] = av[i + k] * bv[j + k]; }
                    case DIV -> { for (int k = 0; k < len; k++) y[i + k] = av[i + k] / bv[j + k]; }
                }
            }));
            g.record(out, () -> suffixBackward(g, op, a, b, out));
        } else {
            int[][] offsets = broadcastOffsets(shape, a.shape, b.shape);
            for (int i = 0; i < n; i++) y[i] = apply(op, av[offsets[0][i]], bv[offsets[1][i]]);
            g.record(out, () -> generalBackward(g, op, a, b, out, offsets));
        }
        return out;
    }

    /** A run of len elements starting at i in the full operand and at j in the suffix operand. */
    @FunctionalInterface
    private interface Segment {
        void run(int i, int j, int len);
    }

    /** Cuts [i0, i1) into runs that do not wrap around the suffix operand of size bn. */
    private static void forSegments(int i0, int i1, int bn, Segment body) {
        int i = i0;
        while (i < i1) {
            int j = i % bn;
            int len = Math.min(bn - j, i1 - i);
            body.run(i, j, len);
            i += len;
        }
    }

    private static float apply(Binary op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    /** ∂y/∂a. */
    private static float partialA(Binary op, float b) {
        return switch (op) {
            case ADD, SUB -> 1f;
            case MUL -> b;
            case DIV -> 1f / b;
        };
    }

    /** ∂y/∂b, given a, b and y. */
    private static float partialB(Binary op, float a, float b, float y) {
        return switch (op) {
            case ADD -> 1f;
            case SUB -> -1f;
            case MUL -> a;
            case DIV -> -y / b;
        };
    }

    private static void suffixBackward(Graph g, Binary op, Var a, Var b, Var out) {
        float[] dy = out.grad, av = a.data, bv = b.data, y = out.data;
        int n = out.size, bn = b.size;
        float[] da = g.gradIfNeeded(a);
        if (da != null) {
            Parallel.forRows(n, 2, (i0, i1) -> forSegments(i0, i1, bn, (i, j, len) -> {
                switch (op) {
                    case ADD, SUB -> { for (int k = 0; k < len; k++) da[i + k] += dy[i + k]; }
                    case MUL -> { for (int k = 0; k < len; k++) da[i + k] += dy[i + k] * bv[j + k]; }
                    case DIV -> { for (int k = 0; k < len; k++) da[i + k] += dy[i + k] * (1f / bv[j + k]); }
                }
            }));
        }
        float[] db = g.gradIfNeeded(b);
        if (db == null) return;
        if (op == Binary.ADD) {
            ColumnSums.accumulate(db, 0, dy, 0, n / bn, bn);
            return;
        }
        if (op == Binary.SUB && bn == n) {
            Parallel.forRows(n, 2, (i0, i1) -> {
                for (int i = i0; i < i1; i++) db[i] -= dy[i];
            });
            return;
        }
        Parallel.forRows(bn, 2L * (n / bn), (c0, c1) -> {
            for (int r = 0; r < n / bn; r++) {
                for (int c = c0; c < c1; c++) {
                    int i = r * bn + c;
                    db[c] += dy[i] * partialB(op, av[i], bv[c], y[i]);
                }
            }
        });
    }

    private static void generalBackward(Graph g, Binary op, Var a, Var b, Var out, int[][] offsets) {
        float[] dy = out.grad, av = a.data, bv = b.data, y = out.data;
        float[] da = g.gradIfNeeded(a);
        float[] db = g.gradIfNeeded(b);
        for (int i = 0; i < out.size; i++) {
            int ai = offsets[0][i], bi = offsets[1][i];
            if (da != null) da[ai] += dy[i] * partialA(op, bv[bi]);
            if (db != null) db[bi] += dy[i] * partialB(op, av[ai], bv[bi], y[i]);
        }
    }

    /** Whether {@code s} equals the trailing dimensions of {@code full}. */
    private static boolean isSuffix(int[] s, int[] full) {
        if (s.length > full.length) return false;
        for (int i = 1; i <= s.length; i++) if (s[s.length - i] != full[full.length - i]) return false;
        return true;
    }

    static int[] broadcastShape(Binary op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int da = i <= a.length ? a[a.length - i] : 1;
            int db = i <= b.length ? b[b.length - i] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException(op.name().toLowerCase(java.util.Locale.ROOT) + ": shapes "
                        + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[rank - i] = Math.max(da, db);
        }
        return out;
    }

    /** For each output element, the offsets of its a and b operands. */
    private static int[][] broadcastOffsets(int[] shape, int[] a, int[] b) {
        int n = Var.sizeOf(shape);
        int[][] off = new int[2][n];
        int[][] operands = {a, b};
        for (int o = 0; o < 2; o++) {
            int[] s = operands[o];
            for (int i = 0; i < n; i++) {
                int rem = i, at = 0, stride = 1;
                for (int d = 1; d <= shape.length; d++) {
                    int coord = rem % shape[shape.length - d];
                    rem /= shape[shape.length - d];
                    if (d <= s.length) {
                        int dim = s[s.length - d];
                        if (dim != 1) at += coord * stride;
                        stride *= dim;
                    }
                }
                off[o][i] = at;
            }
        }
        return off;
    }

    static Var unary(Graph g, Unary f, Var x) {
        Var out = g.output(f.name().toLowerCase(java.util.Locale.ROOT), x.shape, x);
        float[] y = out.data, xv = x.data;
        Parallel.forRows(x.size, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) y[i] = f.apply(xv[i]);
        });
        g.record(out, () -> {
            float[] dx = g.grad(x), dy = out.grad;
            Parallel.forRows(x.size, 8, (i0, i1) -> {
                for (int i = i0; i < i1; i++) dx[i] += dy[i] * f.derivative(xv[i], y[i]);
            });
        });
        return out;
    }

    /** y = x · s + t. */
    static Var affine(Graph g, Var x, float s, float t) {
        Var out = g.output("affine", x.shape, x);
        float[] y = out.data, xv = x.data;
        Parallel.forRows(x.size, 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) y[i] = xv[i] * s + t;
        });
        g.record(out, () -> {
            float[] dx = g.grad(x), dy = out.grad;
            Parallel.forRows(x.size, 1, (i0, i1) -> {
                for (int i = i0; i < i1; i++) dx[i] += dy[i] * s;
            });
        });
        return out;
    }

    /** The sum of all elements, accumulated in double in index order. */
    static Var sum(Graph g, Var x) {
        Var out = g.output("sum", new int[0], x);
        double s = 0;
        for (int i = 0; i < x.size; i++) s += x.data[i];
        out.data[0] = (float) s;
        g.record(out, () -> {
            float[] dx = g.grad(x);
            float d = out.grad[0];
            for (int i = 0; i < x.size; i++) dx[i] += d;
        });
        return out;
    }

    /** Sums (or means, with {@code mean}) over the last dimension, keeping it as 1. */
    static Var sumLast(Graph g, Var x, boolean mean) {
        int c = x.cols();
        int rows = x.size / c;
        int[] shape = x.shape.clone();
        if (shape.length == 0) shape = new int[] {1};
        shape[shape.length - 1] = 1;
        Var out = g.output(mean ? "meanLast" : "sumLast", shape, x);
        float scale = mean ? 1f / c : 1f;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < c; i++) s += x.data[r * c + i];
            out.data[r] = mean ? (float) (s / c) : (float) s;
        }
        g.record(out, () -> {
            float[] dx = g.grad(x);
            for (int r = 0; r < rows; r++) {
                float d = out.grad[r] * scale;
                for (int i = 0; i < c; i++) dx[r * c + i] += d;
            }
        });
        return out;
    }
}
