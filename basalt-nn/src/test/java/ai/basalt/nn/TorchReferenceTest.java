package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.nn.optim.AdamW;
import ai.basalt.nn.optim.CosineSchedule;
import ai.basalt.nn.optim.GradClip;
import ai.basalt.nn.optim.ParamGroup;
import ai.basalt.tensor.RopeMode;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Every op, AdamW, clipping and the schedule against PyTorch 1.13 ({@code tools/nn/torch_reference.py}):
 * outputs within 1e-5 and gradients within 1e-4, relative to the tensor's scale.
 */
class TorchReferenceTest {
    private static final TorchReference REF = TorchReference.load();

    static void assertClose(String what, float[] actual, float[] expected, double tol) {
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]) / Math.max(Math.max(Math.abs(expected[i]), 0.1 * scale), 1e-6);
            if (err > tol) {
                throw new AssertionError(what + " at " + i + ": " + actual[i] + " vs PyTorch " + expected[i]);
            }
        }
    }

    /** Builds the op over the named inputs, back-propagates PyTorch's upstream gradient, and compares. */
    private static void op(String name, BiFunction<Graph, Var[], Var> fn, String... inputNames) {
        Var[] in = new Var[inputNames.length];
        for (int i = 0; i < in.length; i++) in[i] = REF.leaf(name + "." + inputNames[i]);
        Graph g = new Graph();
        Var y = fn.apply(g, in);
        assertClose(name + " output", y.data(), REF.floats(name + ".y"), 1e-5);
        Var dy = Var.of(REF.floats(name + ".dy"), y.shape());
        g.backward(GradCheck.weighted(g, y, dy.data()));
        for (int i = 0; i < in.length; i++) assertClose(name + " gradient of " + inputNames[i], in[i].grad(), REF.floats(name + ".d" + i), 1e-4);
    }

    @Test
    void linearAndNorms() {
        op("linear", (g, in) -> g.linear(in[0], in[1], in[2]), "x", "w", "b");
        op("layernorm", (g, in) -> g.layerNorm(in[0], in[1], in[2], 1e-5f), "x", "w", "b");
        op("rmsnorm", (g, in) -> g.rmsNorm(in[0], in[1], 1e-6f), "x", "w");
    }

    @Test
    void activations() {
        op("gelu_none", (g, in) -> g.gelu(in[0], GeluApproximation.NONE), "x");
        op("gelu_tanh", (g, in) -> g.gelu(in[0], GeluApproximation.TANH), "x");
        op("silu", (g, in) -> g.silu(in[0]), "x");
        op("swiglu", (g, in) -> g.swiglu(in[0], in[1]), "a", "b");
    }

    @Test
    void ropeInBothLayoutsOverTwoHundredPositions() {
        Var x = REF.leaf("rope.x");
        for (RopeMode mode : RopeMode.values()) {
            String name = "rope_" + mode.name().toLowerCase(java.util.Locale.ROOT);
            RopeTable table = new RopeTable(16, 256, 10000f, mode);
            x.zeroGrad();
            Graph g = new Graph();
            Var y = g.rope(x, table, 2);
            assertClose(name + " output", y.data(), REF.floats(name + ".y"), 1e-5);
            g.backward(GradCheck.weighted(g, y, REF.floats(name + ".dy")));
            assertClose(name + " gradient", x.grad(), REF.floats(name + ".d0"), 1e-4);
        }
    }

    @Test
    void groupedQueryAttention() {
        op("attention", (g, in) -> g.attention(in[0], in[1], in[2], 4, 2), "q", "k", "v");
    }

    @Test
    void crossEntropyAndEmbedding() {
        Var logits = REF.leaf("crossentropy.logits");
        Graph g = new Graph();
        Var loss = g.crossEntropy(logits, REF.ints("crossentropy.targets"), -100);
        assertClose("crossentropy loss", loss.data(), REF.floats("crossentropy.loss"), 1e-5);
        g.backward(loss);
        assertClose("crossentropy gradient", logits.grad(), REF.floats("crossentropy.d0"), 1e-4);
        int[] ids = REF.ints("embedding.ids");
        op("embedding", (g2, in) -> g2.embedding(in[0], ids, 2, 3), "table");
    }

    @Test
    void adamWithClippingAndScheduleForSixSteps() {
        Var w = Var.leaf("w", REF.floats("adamw.w0"), true, 4, 6);
        Var b = Var.leaf("b", REF.floats("adamw.b0"), true, 6);
        AdamW opt = new AdamW(List.of(new ParamGroup(List.of(w), 0.1), new ParamGroup(List.of(b), 0.0)), 0.9, 0.95, 1e-8);
        CosineSchedule schedule = new CosineSchedule(1e-2, 1e-3, 2, 4);
        float[] norms = new float[6];
        float[] lrs = new float[6];
        for (int it = 0; it < 6; it++) {
            w.zeroGrad();
            b.zeroGrad();
            Graph g = new Graph();
            System.arraycopy(REF.floats("adamw.gw" + it), 0, g.grad(w), 0, 24);
            System.arraycopy(REF.floats("adamw.gb" + it), 0, g.grad(b), 0, 6);
            norms[it] = GradClip.clipGlobalNorm(List.of(w, b), 1.0);
            lrs[it] = (float) schedule.lr(it);
            opt.step(schedule.lr(it));
        }
        assertClose("clip norms", norms, REF.floats("adamw.norms"), 1e-6);
        assertClose("schedule", lrs, REF.floats("adamw.lrs"), 1e-7);
        assertClose("adamw w", w.data(), REF.floats("adamw.w"), 1e-6);
        assertClose("adamw b", b.data(), REF.floats("adamw.b"), 1e-6);
        assertClose("adamw w exp_avg", opt.expAvg(0), REF.floats("adamw.w_exp_avg"), 1e-6);
        assertClose("adamw w exp_avg_sq", opt.expAvgSq(0), REF.floats("adamw.w_exp_avg_sq"), 1e-6);
        assertClose("adamw b exp_avg", opt.expAvg(1), REF.floats("adamw.b_exp_avg"), 1e-6);
        assertClose("adamw b exp_avg_sq", opt.expAvgSq(1), REF.floats("adamw.b_exp_avg_sq"), 1e-6);
        assertThat(opt.step(0)).isEqualTo(6);
    }
}
