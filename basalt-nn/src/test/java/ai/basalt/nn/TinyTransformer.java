package ai.basalt.nn;

import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.nn.layer.Embedding;
import ai.basalt.nn.layer.LayerNorm;
import ai.basalt.nn.layer.Linear;
import ai.basalt.nn.layer.Module;
import ai.basalt.nn.layer.RmsNorm;
import ai.basalt.tensor.RopeMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A test model over the whole API: GPT-2 style (learned positions, LayerNorm, GELU, tied head) or Llama
 * style (RoPE, RMSNorm, grouped-query attention, SwiGLU), pre-norm residual blocks.
 */
final class TinyTransformer implements Module {
    final int vocab, seq, dim, heads, kvHeads;
    final boolean llama;
    final Embedding wte;
    final Embedding wpe;
    final RopeTable rope;
    final List<Block> blocks = new ArrayList<>();
    final Module finalNorm;
    final Linear head;
    final float dropout;
    final Rng dropoutRng;

    record Block(Module norm1, Linear qkv, Linear proj, Module norm2, Linear up, Linear gate, Linear down) {}

    TinyTransformer(long seed, int vocab, int seq, int dim, int heads, int kvHeads, int layers, boolean llama, float dropout) {
        this.vocab = vocab;
        this.seq = seq;
        this.dim = dim;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.llama = llama;
        this.dropout = dropout;
        Rng rng = new Rng(seed);
        this.dropoutRng = rng.split();
        int hs = dim / heads, kvDim = kvHeads * hs;
        wte = new Embedding("wte", vocab, dim, rng, 0.02f);
        wpe = llama ? null : new Embedding("wpe", seq, dim, rng, 0.02f);
        rope = llama ? new RopeTable(hs, seq, 10000f, RopeMode.NEOX) : null;
        float residualStd = (float) (0.02 / Math.sqrt(2 * layers));
        for (int l = 0; l < layers; l++) {
            String p = "h." + l + ".";
            blocks.add(new Block(norm(p + "ln_1"), new Linear(p + "attn.c_attn", dim, dim + 2 * kvDim, !llama, rng, 0.02f),
                    new Linear(p + "attn.c_proj", dim, dim, !llama, rng, residualStd), norm(p + "ln_2"),
                    new Linear(p + "mlp.c_fc", dim, 4 * dim, !llama, rng, 0.02f),
                    llama ? new Linear(p + "mlp.gate", dim, 4 * dim, false, rng, 0.02f) : null,
                    new Linear(p + "mlp.c_proj", 4 * dim, dim, !llama, rng, residualStd)));
        }
        finalNorm = norm("ln_f");
        head = llama ? new Linear("lm_head", dim, vocab, false, rng, 0.02f) : null;
    }

    private Module norm(String name) {
        return llama ? new RmsNorm(name, dim, 1e-5f) : new LayerNorm(name, dim, true, 1e-5f);
    }

    private static Var norm(Graph g, Module m, Var x) {
        return m instanceof RmsNorm r ? r.forward(g, x) : ((LayerNorm) m).forward(g, x);
    }

    /** Logits (B, T, V) for tokens (B, T). */
    Var forward(Graph g, int[] tokens, int b, int t) {
        int hs = dim / heads, kvDim = kvHeads * hs;
        Var x = wte.forward(g, tokens, b, t);
        if (!llama) {
            int[] positions = new int[t];
            for (int i = 0; i < t; i++) positions[i] = i;
            x = g.add(x, wpe.forward(g, positions, t));
        }
        x = g.dropout(x, dropout, dropoutRng);
        for (Block blk : blocks) {
            Var[] qkv = g.split(blk.qkv.forward(g, norm(g, blk.norm1, x)), dim, kvDim, kvDim);
            Var q = qkv[0], k = qkv[1];
            if (llama) {
                q = g.rope(q, rope, heads);
                k = g.rope(k, rope, kvHeads);
            }
            Var att = g.attention(q, k, qkv[2], heads, kvHeads);
            x = g.add(x, g.dropout(blk.proj.forward(g, att), dropout, dropoutRng));
            Var h = norm(g, blk.norm2, x);
            Var mlp = llama ? g.swiglu(blk.gate.forward(g, h), blk.up.forward(g, h))
                    : g.gelu(blk.up.forward(g, h), GeluApproximation.TANH);
            x = g.add(x, g.dropout(blk.down.forward(g, mlp), dropout, dropoutRng));
        }
        x = norm(g, finalNorm, x);
        return llama ? head.forward(g, x) : g.linear(x, wte.weight, null);
    }

    @Override
    public List<Var> parameters() {
        List<Var> ps = new ArrayList<>(wte.parameters());
        if (wpe != null) ps.addAll(wpe.parameters());
        for (Block blk : blocks) {
            for (Module m : new Module[] {blk.norm1, blk.qkv, blk.proj, blk.norm2, blk.up, blk.gate, blk.down}) {
                if (m != null) ps.addAll(m.parameters());
            }
        }
        ps.addAll(finalNorm.parameters());
        if (head != null) ps.addAll(head.parameters());
        return ps;
    }
}
