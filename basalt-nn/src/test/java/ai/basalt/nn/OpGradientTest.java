package ai.basalt.nn;

import static ai.basalt.nn.GradCheck.check;
import static ai.basalt.nn.GradCheck.input;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.nn.kernel.Unary;
import ai.basalt.tensor.RopeMode;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every differentiable op against central finite differences, over a few seeds and awkward shapes. */
class OpGradientTest {
    private static final double EPS = 1e-2;
    private static final double TOL = 5e-3;
    private static final long[] SEEDS = {1, 2, 3};

    @Test
    void theCheckCatchesAWrongBackward() {
        Random rnd = new Random(7);
        Var x = input(rnd, 1f, 3, 4);
        // y = x², with a backward that forgets the factor 2
        GradCheck.Fn broken = (g, in) -> {
            Var out = g.output("square", in[0].shape, in[0]);
            for (int i = 0; i < out.size(); i++) out.data()[i] = in[0].data()[i] * in[0].data()[i];
            g.record(out, () -> {
                for (int i = 0; i < out.size(); i++) g.grad(in[0])[i] += out.grad()[i] * in[0].data()[i];
            });
            return out;
        };
        assertThatThrownBy(() -> check("broken square", 7, broken, EPS, TOL, x)).isInstanceOf(AssertionError.class);
    }

    @Test
    void arithmeticWithBroadcasting() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var a = input(rnd, 1f, 2, 3, 5);
            Var same = input(rnd, 1f, 2, 3, 5);
            Var suffix = input(rnd, 1f, 3, 5);
            Var keepDim = input(rnd, 1f, 2, 3, 1);
            Var leading = input(rnd, 1f, 1, 3, 1);
            check("add", seed, (g, in) -> g.add(in[0], in[1]), EPS, TOL, a, same);
            check("add suffix", seed, (g, in) -> g.add(in[0], in[1]), EPS, TOL, a, suffix);
            check("add reversed", seed, (g, in) -> g.add(in[1], in[0]), EPS, TOL, a, suffix);
            check("sub keepdim", seed, (g, in) -> g.sub(in[0], in[1]), EPS, TOL, a, keepDim);
            check("mul suffix", seed, (g, in) -> g.mul(in[0], in[1]), EPS, TOL, a, suffix);
            check("mul general", seed, (g, in) -> g.mul(in[0], in[1]), EPS, TOL, a, leading);
            Var positive = Var.leaf("b", GradCheck.random(rnd, 15, 0.5f), true, 3, 5);
            for (int i = 0; i < 15; i++) positive.data()[i] += 1.5f;
            check("div", seed, (g, in) -> g.div(in[0], in[1]), EPS, TOL, a, positive);
            check("scale", seed, (g, in) -> g.scale(in[0], -1.7f), EPS, TOL, a);
            check("addScalar", seed, (g, in) -> g.addScalar(in[0], 0.3f), EPS, TOL, a);
            check("mul self", seed, (g, in) -> g.mul(in[0], in[0]), EPS, TOL, a);
        }
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryFunctions(Unary f) {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 1f, 4, 7);
            if (f == Unary.LOG || f == Unary.RSQRT || f == Unary.SQRT) {
                for (int i = 0; i < x.size(); i++) x.data()[i] = Math.abs(x.data()[i]) + 0.5f;
            }
            if (f == Unary.RELU) {
                for (int i = 0; i < x.size(); i++) if (Math.abs(x.data()[i]) < 0.05f) x.data()[i] = 0.5f;
            }
            check(f.name(), seed, (g, in) -> g.apply(f, in[0]), EPS, TOL, x);
        }
    }

    @Test
    void reductionsAndLayout() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 1f, 2, 3, 4);
            check("sum", seed, (g, in) -> g.sum(in[0]), EPS, TOL, x);
            check("sumLast", seed, (g, in) -> g.sumLast(in[0]), EPS, TOL, x);
            check("meanLast", seed, (g, in) -> g.meanLast(in[0]), EPS, TOL, x);
            check("view", seed, (g, in) -> g.mul(g.view(in[0], 6, -1), g.view(in[0], 6, 4)), EPS, TOL, x);
            check("permute", seed, (g, in) -> g.permute(in[0], 2, 0, 1), EPS, TOL, x);
            check("transpose", seed, (g, in) -> g.transpose(in[0]), EPS, TOL, x);
            check("split", seed, (g, in) -> {
                Var[] p = g.split(in[0], 1, 3);
                return g.mul(p[0], g.sumLast(p[1]));
            }, EPS, TOL, x);
        }
    }

    @Test
    void matmulBatchedAndShared() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var a = input(rnd, 1f, 2, 3, 5);
            Var b = input(rnd, 1f, 2, 5, 4);
            Var shared = input(rnd, 1f, 5, 7);
            check("matmul batched", seed, (g, in) -> g.matmul(in[0], in[1]), EPS, TOL, a, b);
            check("matmul shared", seed, (g, in) -> g.matmul(in[0], in[1]), EPS, TOL, a, shared);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void linear(boolean withBias) {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 1f, 2, 3, 7);
            Var w = input(rnd, 1f, 5, 7);
            Var b = withBias ? input(rnd, 1f, 5) : null;
            if (withBias) {
                check("linear", seed, (g, in) -> g.linear(in[0], in[1], in[2]), EPS, TOL, x, w, b);
            } else {
                check("linear no bias", seed, (g, in) -> g.linear(in[0], in[1], null), EPS, TOL, x, w);
            }
        }
    }

    @Test
    void embeddingWithRepeatedIds() {
        int[] ids = {3, 0, 3, 4, 1, 3};
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var table = input(rnd, 1f, 5, 3);
            check("embedding", seed, (g, in) -> g.embedding(in[0], ids, 2, 3), EPS, TOL, table);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void norms(boolean withBias) {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var x = input(rnd, 2f, 3, 7);
            Var w = input(rnd, 1f, 7);
            Var b = input(rnd, 1f, 7);
            check("layerNorm", seed, (g, in) -> g.layerNorm(in[0], in[1], withBias ? in[2] : null, 1e-5f), EPS, TOL, x, w, b);
            check("rmsNorm", seed, (g, in) -> g.rmsNorm(in[0], in[1], 1e-6f), EPS, TOL, x, w);
        }
    }

    @ParameterizedTest
    @EnumSource(GeluApproximation.class)
    void gelu(GeluApproximation approx) {
        for (long seed : SEEDS) {
            Var x = input(new Random(seed), 3f, 5, 7);
            check("gelu " + approx, seed, (g, in) -> g.gelu(in[0], approx), EPS, TOL, x);
        }
    }

    @Test
    void siluAndSwiglu() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var a = input(rnd, 3f, 4, 6);
            Var b = input(rnd, 2f, 4, 6);
            check("silu", seed, (g, in) -> g.silu(in[0]), EPS, TOL, a);
            check("swiglu", seed, (g, in) -> g.swiglu(in[0], in[1]), EPS, TOL, a, b);
        }
    }

    @ParameterizedTest
    @EnumSource(RopeMode.class)
    void rope(RopeMode mode) {
        RopeTable table = new RopeTable(6, 9, 10000f, mode);
        for (long seed : SEEDS) {
            Var x = input(new Random(seed), 1f, 2, 5, 2 * 6);
            check("rope " + mode, seed, (g, in) -> g.rope(in[0], table, 2), EPS, TOL, x);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 2, 1})
    void attention(int kvHeads) {
        int b = 2, t = 5, heads = 4, hs = 3;
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            Var q = input(rnd, 1.5f, b, t, heads * hs);
            Var k = input(rnd, 1.5f, b, t, kvHeads * hs);
            Var v = input(rnd, 1f, b, t, kvHeads * hs);
            check("attention kv=" + kvHeads, seed, (g, in) -> g.attention(in[0], in[1], in[2], heads, kvHeads),
                    EPS, TOL, q, k, v);
        }
    }

    @Test
    void dropoutWithAFixedMask() {
        for (long seed : SEEDS) {
            Var x = input(new Random(seed), 1f, 6, 7);
            check("dropout", seed, (g, in) -> g.dropout(in[0], 0.3f, new Rng(seed)), EPS, TOL, x);
        }
    }

    @Test
    void crossEntropyWithIgnoredPositions() {
        int[] targets = {2, -100, 0, 6, 6};
        for (long seed : SEEDS) {
            Var logits = input(new Random(seed), 3f, 5, 7);
            check("crossEntropy", seed, (g, in) -> g.crossEntropy(in[0], targets, -100), EPS, TOL, logits);
        }
    }
}
