package ai.basalt.nn;

import static ai.basalt.nn.GradCheck.input;

import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.nn.kernel.Unary;
import ai.basalt.tensor.RopeMode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each fused op against the same computation written with primitives (tinygrad's approach): outputs and
 * every input gradient must agree to float rounding.
 */
class FusedVersusPrimitivesTest {
    private static final long[] SEEDS = {11, 12, 13};

    /** Runs both, compares y to 1e-5 and gradients to 1e-4 of the largest gradient. */
    static void same(String what, long seed, GradCheck.Fn fused, GradCheck.Fn composite, Var... inputs) {
        float[] r = null;
        float[][][] grads = new float[2][inputs.length][];
        float[][] outs = new float[2][];
        GradCheck.Fn[] fns = {fused, composite};
        for (int f = 0; f < 2; f++) {
            for (Var in : inputs) in.zeroGrad();
            Graph g = new Graph();
            Var y = fns[f].apply(g, inputs);
            if (r == null) r = GradCheck.random(new Random(seed), y.size(), 1f);
            outs[f] = java.util.Arrays.copyOf(y.data(), y.size());
            g.backward(GradCheck.weighted(g, y, r));
            for (int k = 0; k < inputs.length; k++) {
                grads[f][k] = inputs[k].grad() == null ? null : inputs[k].grad().clone();
            }
            g.reset();
        }
        assertClose(what + " output", seed, outs[0], outs[1], 1e-5);
        for (int k = 0; k < inputs.length; k++) {
            if (!inputs[k].requiresGrad() || grads[0][k] == null && grads[1][k] == null) continue;
            if (grads[0][k] == null || grads[1][k] == null) throw new AssertionError(what + ": only one side reached input " + k);
            assertClose(what + " gradient of input " + k, seed, grads[0][k], grads[1][k], 1e-4);
        }
    }

    static void assertClose(String what, long seed, float[] a, float[] b, double tol) {
        double scale = 0;
        for (float v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            double err = Math.abs(a[i] - b[i]);
            if (!(err <= tol * Math.max(Math.max(Math.abs(b[i]), scale), 1e-3))) {
                throw new AssertionError(what + " differs at " + i + ": fused " + a[i] + ", primitives " + b[i] + " (seed " + seed + ")");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void layerNorm(boolean withBias) {
        float eps = 1e-5f;
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 2f, 2, 3, 9), w = input(rnd, 1f, 9), b = input(rnd, 1f, 9);
            same("layerNorm", seed, (g, in) -> g.layerNorm(in[0], in[1], withBias ? in[2] : null, eps), (g, in) -> {
                Var xc = g.sub(in[0], g.meanLast(in[0]));
                Var rstd = g.apply(Unary.RSQRT, g.addScalar(g.meanLast(g.mul(xc, xc)), eps));
                Var y = g.mul(g.mul(xc, rstd), in[1]);
                return withBias ? g.add(y, in[2]) : y;
            }, x, w, b);
        }
    }

    @Test
    void rmsNorm() {
        float eps = 1e-6f;
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 2f, 4, 10), w = input(rnd, 1f, 10);
            same("rmsNorm", seed, (g, in) -> g.rmsNorm(in[0], in[1], eps), (g, in) -> {
                Var rrms = g.apply(Unary.RSQRT, g.addScalar(g.meanLast(g.mul(in[0], in[0])), eps));
                return g.mul(g.mul(in[0], rrms), in[1]);
            }, x, w);
        }
    }

    @Test
    void swigluAndSilu() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var a = input(rnd, 4f, 3, 8), b = input(rnd, 2f, 3, 8);
            same("swiglu", seed, (g, in) -> g.swiglu(in[0], in[1]),
                    (g, in) -> g.mul(g.mul(in[0], g.apply(Unary.SIGMOID, in[0])), in[1]), a, b);
            same("silu", seed, (g, in) -> g.silu(in[0]), (g, in) -> g.mul(in[0], g.apply(Unary.SIGMOID, in[0])), a);
        }
    }

    @ParameterizedTest
    @EnumSource(GeluApproximation.class)
    void gelu(GeluApproximation approx) {
        float beta = (float) Math.sqrt(2 / Math.PI);
        for (long seed : SEEDS) {
            Var x = input(new Random(seed), 4f, 5, 8);
            same("gelu " + approx, seed, (g, in) -> g.gelu(in[0], approx), (g, in) -> {
                if (approx == GeluApproximation.NONE) return g.mul(in[0], g.apply(Unary.NORMAL_CDF, in[0]));
                Var cube = g.mul(g.mul(in[0], in[0]), in[0]);
                Var inner = g.scale(g.add(in[0], g.scale(cube, 0.044715f)), beta);
                return g.mul(g.scale(in[0], 0.5f), g.addScalar(g.apply(Unary.TANH, inner), 1f));
            }, x);
        }
    }

    @Test
    void linearAndEmbedding() {
        int[] ids = {4, 1, 1, 0, 4, 2};
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 1f, 2, 3, 7), w = input(rnd, 1f, 5, 7), b = input(rnd, 1f, 5);
            same("linear", seed, (g, in) -> g.linear(in[0], in[1], in[2]),
                    (g, in) -> g.add(g.matmul(in[0], g.transpose(in[1])), in[2]), x, w, b);
            Var table = input(rnd, 1f, 5, 3);
            float[] onehot = new float[ids.length * 5];
            for (int i = 0; i < ids.length; i++) onehot[i * 5 + ids[i]] = 1f;
            same("embedding", seed, (g, in) -> g.embedding(in[0], ids, 2, 3),
                    (g, in) -> g.view(g.matmul(Var.of(onehot, ids.length, 5), in[0]), 2, 3, 3), table);
        }
    }

    @ParameterizedTest
    @EnumSource(RopeMode.class)
    void rope(RopeMode mode) {
        int b = 2, t = 4, heads = 3, hs = 4, c = heads * hs, half = hs / 2;
        RopeTable table = new RopeTable(hs, 8, 500f, mode);
        // x' = x·cos + R(x)·sin, with R the fixed signed permutation that maps each pair (x0, x1) to (−x1, x0)
        float[] rot = new float[c * c];
        float[] cos = new float[t * c], sin = new float[t * c];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                int i0 = h * hs + (mode == RopeMode.NEOX ? i : 2 * i);
                int i1 = i0 + (mode == RopeMode.NEOX ? half : 1);
                rot[i0 * c + i1] = -1f;
                rot[i1 * c + i0] = 1f;
                for (int pos = 0; pos < t; pos++) {
                    cos[pos * c + i0] = cos[pos * c + i1] = table.cos(pos, i);
                    sin[pos * c + i0] = sin[pos * c + i1] = table.sin(pos, i);
                }
            }
        }
        for (long seed : SEEDS) {
            Var x = input(new Random(seed), 1f, b, t, c);
            same("rope " + mode, seed, (g, in) -> g.rope(in[0], table, heads), (g, in) -> g.add(
                    g.mul(in[0], Var.of(cos, t, c)), g.mul(g.linear(in[0], Var.of(rot, c, c), null), Var.of(sin, t, c))), x);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 2, 1})
    void attention(int kvHeads) {
        int b = 2, t = 6, heads = 4, hs = 5, group = heads / kvHeads;
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) mask[i * t + j] = -1e9f;
        // repeats each kv head for the query heads of its group: a 0/1 matrix, exact in float
        float[] repeat = new float[heads * hs * kvHeads * hs];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hs; i++) repeat[(h * hs + i) * kvHeads * hs + (h / group) * hs + i] = 1f;
        }
        Var rep = Var.of(repeat, heads * hs, kvHeads * hs);
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var q = input(rnd, 1f, b, t, heads * hs), k = input(rnd, 1f, b, t, kvHeads * hs), v = input(rnd, 1f, b, t, kvHeads * hs);
            same("attention kv=" + kvHeads, seed, (g, in) -> g.attention(in[0], in[1], in[2], heads, kvHeads), (g, in) -> {
                Var qh = g.permute(g.view(in[0], b, t, heads, hs), 0, 2, 1, 3);
                Var kh = g.permute(g.view(g.linear(in[1], rep, null), b, t, heads, hs), 0, 2, 1, 3);
                Var vh = g.permute(g.view(g.linear(in[2], rep, null), b, t, heads, hs), 0, 2, 1, 3);
                Var scores = g.add(g.scale(g.matmul(qh, g.transpose(kh)), (float) (1 / Math.sqrt(hs))), Var.of(mask, t, t));
                Var e = g.apply(Unary.EXP, scores);
                Var y = g.matmul(g.div(e, g.sumLast(e)), vh);
                return g.view(g.permute(y, 0, 2, 1, 3), b, t, heads * hs);
            }, q, k, v);
        }
    }

    @Test
    void crossEntropy() {
        int n = 6, vocab = 9;
        int[] targets = {3, 8, -1, 0, 3, 5};
        float[] pick = new float[n * vocab];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0) continue;
            pick[i * vocab + targets[i]] = 1f;
            count++;
        }
        float invCount = -1f / count;
        for (long seed : SEEDS) {
            Var logits = input(new Random(seed), 3f, 2, 3, vocab);
            same("crossEntropy", seed, (g, in) -> g.crossEntropy(in[0], targets, -1), (g, in) -> {
                Var logSoftmax = g.sub(in[0], g.apply(Unary.LOG, g.sumLast(g.apply(Unary.EXP, in[0]))));
                return g.scale(g.sum(g.mul(logSoftmax, Var.of(pick, 2, 3, vocab))), invCount);
            }, logits);
        }
    }
}
