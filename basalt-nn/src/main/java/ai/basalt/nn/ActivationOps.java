package ai.basalt.nn;

import ai.basalt.nn.kernel.DropoutKernel;
import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.GeluKernel;
import ai.basalt.nn.kernel.SwiGluKernel;

/** The graph side of the activations and of dropout. */
final class ActivationOps {
    private ActivationOps() {}

    static Var gelu(Graph g, Var x, GeluApproximation approx) {
        Var out = g.output("gelu", x.shape, x);
        // the tanh form's backward reuses the forward's exponentials: (x's shape) e^{−2u}
        float[] saved = out.requiresGrad && approx == GeluApproximation.TANH ? g.scratch(x.size) : null;
        GeluKernel.forward(out.data, saved, x.data, x.size, approx);
        g.record(out, () -> GeluKernel.backward(g.grad(x), out.grad, x.data, saved, x.size, approx));
        return out;
    }

    static Var silu(Graph g, Var x) {
        Var out = g.output("silu", x.shape, x);
        SwiGluKernel.siluForward(out.data, x.data, x.size);
        g.record(out, () -> SwiGluKernel.siluBackward(g.grad(x), out.grad, x.data, x.size));
        return out;
    }

    static Var swiglu(Graph g, Var gate, Var up) {
        LayerOps.requireShape("swiglu", up, gate.shape);
        Var out = g.output("swiglu", gate.shape, gate, up);
        SwiGluKernel.forward(out.data, gate.data, up.data, gate.size);
        g.record(out, () -> SwiGluKernel.backward(g.gradIfNeeded(gate), g.gradIfNeeded(up), out.grad, gate.data,
                up.data, gate.size));
        return out;
    }

    /** Inverted dropout; the identity (x itself) outside training or when p is 0. */
    static Var dropout(Graph g, Var x, float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability " + p + " is outside [0, 1)");
        if (!g.isTraining() || p == 0f) return x;
        Var out = g.output("dropout", x.shape, x);
        float[] mask = g.scratch(x.size); // x's shape: 0 or 1/(1 − p)
        DropoutKernel.forward(out.data, mask, x.data, x.size, p, rng.nextLong());
        g.record(out, () -> DropoutKernel.backward(g.grad(x), out.grad, mask, x.size));
        return out;
    }
}
