package ai.basalt.nn;

import ai.basalt.nn.kernel.AttentionKernel;
import ai.basalt.nn.kernel.RopeKernel;
import ai.basalt.nn.kernel.RopeTable;

/** The graph side of rotary embeddings and causal self-attention over (B, T, heads · hs) activations. */
final class AttentionOps {
    private AttentionOps() {}

    /** Rotates every head of x (B, T, heads · hs) by the angles of positions 0..T−1. */
    static Var rope(Graph g, Var x, RopeTable table, int heads) {
        int hs = table.headDim();
        if (x.rank() != 3 || x.shape[2] != heads * hs) {
            throw new ShapeMismatchException("rope: " + x + " should be (B, T, " + heads + " heads x " + hs + ")");
        }
        int b = x.shape[0], t = x.shape[1];
        if (t > table.maxSeq()) {
            throw new IllegalArgumentException("rope: sequence of " + t + " positions, table holds " + table.maxSeq());
        }
        Var out = g.output("rope", x.shape, x);
        RopeKernel.forward(out.data, x.data, table, b, t, heads);
        g.record(out, () -> RopeKernel.backward(g.grad(x), out.grad, table, b, t, heads));
        return out;
    }

    /**
     * Causal attention of q (B, T, heads · hs) over k, v (B, T, kvHeads · hs); the result has q's shape.
     * The probabilities (B, heads, T, T) are kept in a pooled buffer for the backward.
     */
    static Var attention(Graph g, Var q, Var k, Var v, int heads, int kvHeads) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: " + heads + " query heads are not a multiple of " + kvHeads + " kv heads");
        }
        if (q.rank() != 3 || q.shape[2] % heads != 0) {
            throw new ShapeMismatchException("attention: query " + q + " should be (B, T, " + heads + " heads x hs)");
        }
        int b = q.shape[0], t = q.shape[1], hs = q.shape[2] / heads;
        LayerOps.requireShape("attention key", k, b, t, kvHeads * hs);
        LayerOps.requireShape("attention value", v, b, t, kvHeads * hs);
        Var out = g.output("attention", q.shape, q, k, v);
        float[] att = g.scratch(b * heads * t * t); // (B, heads, T, T)
        AttentionKernel.forward(out.data, att, q.data, k.data, v.data, b, t, heads, kvHeads, hs);
        g.record(out, () -> AttentionKernel.backward(g.gradIfNeeded(q), g.gradIfNeeded(k), g.gradIfNeeded(v),
                out.grad, q.data, k.data, v.data, att, b, t, heads, kvHeads, hs));
        return out;
    }
}
