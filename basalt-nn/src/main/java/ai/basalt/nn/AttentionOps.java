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

    /**
     * {@link #attention} over q | k | v read in place from one fused projection qkv (B, T, (heads + 2·kvHeads)·hs),
     * with the gradient written straight into qkv's: the same arithmetic as splitting qkv first, without the
     * copies. The result is (B, T, heads · hs).
     */
    static Var attentionFused(Graph g, Var qkv, int heads, int kvHeads) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: " + heads + " query heads are not a multiple of " + kvHeads + " kv heads");
        }
        int parts = heads + 2 * kvHeads;
        if (qkv.rank() != 3 || qkv.shape[2] % parts != 0) {
            throw new ShapeMismatchException("attention: fused " + qkv + " should be (B, T, (" + heads + " + 2 x " + kvHeads
                    + ") heads x hs)");
        }
        int b = qkv.shape[0], t = qkv.shape[1], hs = qkv.shape[2] / parts;
        AttentionKernel.QkvLayout layout = AttentionKernel.QkvLayout.fused(heads, kvHeads, hs);
        Var out = g.output("attention", new int[] {b, t, heads * hs}, qkv);
        float[] att = g.scratch(b * heads * t * t); // (B, heads, T, T)
        AttentionKernel.forward(out.data, att, qkv.data, qkv.data, qkv.data, layout, b, t, heads, kvHeads, hs);
        g.record(out, () -> {
            float[] dqkv = g.grad(qkv);
            AttentionKernel.backward(dqkv, dqkv, dqkv, out.grad, qkv.data, qkv.data, qkv.data, att, layout, b, t, heads,
                    kvHeads, hs);
        });
        return out;
    }
}
