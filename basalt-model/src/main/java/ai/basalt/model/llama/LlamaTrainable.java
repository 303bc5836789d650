package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.layers.GgufExport;
import ai.basalt.model.layers.HuggingFaceExport;
import ai.basalt.model.layers.ParameterInit;
import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.nn.Graph;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.tensor.RopeMode;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama that trains: the forward pass of {@link LlamaModel} on a basalt-nn {@link Graph}, operation for operation
 * the reference of {@code tools/pytorch/models.py} (Meta's {@code llama/model.py}): RMSNorm, adjacent-pair RoPE,
 * grouped-query causal attention, SwiGLU, untied or tied output. Parameters carry the GGUF tensor names the engine
 * loads ({@code blk.0.attn_q.weight}, …), so {@link #writeGguf} writes them as they are.
 *
 * <p>Initialisation (GPT-2's, as {@link ai.basalt.model.training.TrainableModels#create} promises): matrices and
 * the embedding N(0, 0.02²), the residual projections {@code attn_output} and {@code ffn_down} N(0, (0.02/√(2L))²),
 * norm gains 1. Dropout (when the spec asks for it and the graph is training) follows the embedding and each
 * residual branch, as in nanoGPT; Meta's Llama has none.
 *
 * <p>Shapes: B batch, T time, C = dim, V vocabulary, F = ffn, hd = C / heads, kvDim = kvHeads · hd.
 */
public final class LlamaTrainable implements TrainableModel {
    private static final float STD = 0.02f;

    private final ModelSpec spec;
    private final LlamaConfig config;
    /** (V, C) */
    private final Var tokenEmbedding;
    private final List<Block> blocks = new ArrayList<>();
    /** (C) */
    private final Var outputNorm;
    /** (V, C), or null when the output projection is the token embedding */
    private final Var output;
    private final RopeTable rope;
    private final Rng dropoutRng;
    /** Every parameter, in checkpoint order. */
    private final List<Var> parameters;

    /**
     * One transformer block: attnNorm, ffnNorm (C); wq (C, C); wk, wv (kvDim, C); wo (C, C); wGate, wUp (F, C);
     * wDown (C, F).
     */
    private record Block(Var attnNorm, Var wq, Var wk, Var wv, Var wo, Var ffnNorm, Var wGate, Var wUp, Var wDown) {
        List<Var> parameters() {
            return List.of(attnNorm, wq, wk, wv, wo, ffnNorm, wGate, wUp, wDown);
        }
    }

    /**
     * A freshly initialised model; values are drawn from {@code rng} (parameters in {@link #parameters()} order,
     * then the dropout generator's seed).
     */
    public LlamaTrainable(ModelSpec spec, Rng rng) {
        if (!spec.architecture().equals("llama")) {
            throw new IllegalArgumentException("a " + spec.architecture() + " spec cannot build a llama model");
        }
        this.spec = spec;
        List<Var> all = new ArrayList<>();
        this.config = spec.toLlamaConfig();
        int dim = spec.dim();
        int ffn = spec.ffn();
        int kvDim = config.kvDim();
        float residualStd = ParameterInit.residualStd(STD, spec.layers());
        tokenEmbedding = ParameterInit.embedding(TensorKey.TOKEN_EMBD.weight(), spec.vocabularySize(), dim, rng, STD);
        all.add(tokenEmbedding);
        for (int l = 0; l < spec.layers(); l++) {
            Block b = new Block(
                    ParameterInit.gain(TensorKey.ATTN_NORM.weight(l), dim),
                    ParameterInit.matrix(TensorKey.ATTN_Q.weight(l), config.qDim(), dim, rng, STD),
                    ParameterInit.matrix(TensorKey.ATTN_K.weight(l), kvDim, dim, rng, STD),
                    ParameterInit.matrix(TensorKey.ATTN_V.weight(l), kvDim, dim, rng, STD),
                    ParameterInit.matrix(TensorKey.ATTN_OUTPUT.weight(l), dim, config.qDim(), rng, residualStd),
                    ParameterInit.gain(TensorKey.FFN_NORM.weight(l), dim),
                    ParameterInit.matrix(TensorKey.FFN_GATE.weight(l), ffn, dim, rng, STD),
                    ParameterInit.matrix(TensorKey.FFN_UP.weight(l), ffn, dim, rng, STD),
                    ParameterInit.matrix(TensorKey.FFN_DOWN.weight(l), dim, ffn, rng, residualStd));
            blocks.add(b);
            all.addAll(b.parameters());
        }
        outputNorm = ParameterInit.gain(TensorKey.OUTPUT_NORM.weight(), dim);
        all.add(outputNorm);
        output = spec.tiedOutput() ? null
                : ParameterInit.matrix(TensorKey.OUTPUT.weight(), spec.vocabularySize(), dim, rng, STD);
        if (output != null) all.add(output);
        rope = new RopeTable(config.headDim(), spec.context(), spec.ropeTheta(), RopeMode.NORMAL);
        parameters = List.copyOf(all);
        dropoutRng = rng.split();
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** The engine's config of this model, as {@link #writeGguf} stores it. */
    public LlamaConfig config() {
        return config;
    }

    @Override
    public List<Var> parameters() {
        return parameters;
    }

    @Override
    public Rng dropoutRng() {
        return dropoutRng;
    }

    @Override
    public Var logits(Graph g, int[] tokens, int batch, int time) {
        spec.checkBatch(tokens, batch, time);
        Var x = g.embedding(tokenEmbedding, tokens, batch, time); // (B, T, C)
        x = g.dropout(x, spec.dropout(), dropoutRng);
        for (Block b : blocks) {
            x = attention(g, b, x);
            x = feedForward(g, b, x);
        }
        x = g.rmsNorm(x, outputNorm, spec.normEpsilon());
        return g.linear(x, output == null ? tokenEmbedding : output, null); // (B, T, V)
    }

    /** x + dropout(Wo · attention(rope(Wq·h), rope(Wk·h), Wv·h)) with h = RMSNorm(x). */
    private Var attention(Graph g, Block b, Var x) {
        Var h = g.rmsNorm(x, b.attnNorm, spec.normEpsilon());
        Var q = g.rope(g.linear(h, b.wq, null), rope, spec.heads()); // (B, T, C)
        Var k = g.rope(g.linear(h, b.wk, null), rope, spec.kvHeads()); // (B, T, kvDim)
        Var v = g.linear(h, b.wv, null); // (B, T, kvDim)
        Var y = g.attention(q, k, v, spec.heads(), spec.kvHeads()); // (B, T, C)
        return g.add(x, g.dropout(g.linear(y, b.wo, null), spec.dropout(), dropoutRng));
    }

    /** x + dropout(W_down · (SiLU(W_gate · h) ⊙ W_up · h)) with h = RMSNorm(x). */
    private Var feedForward(Graph g, Block b, Var x) {
        Var h = g.rmsNorm(x, b.ffnNorm, spec.normEpsilon());
        Var m = g.swiglu(g.linear(h, b.wGate, null), g.linear(h, b.wUp, null)); // (B, T, F)
        return g.add(x, g.dropout(g.linear(m, b.wDown, null), spec.dropout(), dropoutRng));
    }

    /**
     * Writes {@code general.*}, the {@code llama.*} hyper-parameters ({@link LlamaConfig#putGgufMetadata}), the
     * tokenizer and every parameter in F32 under its own name; a tied model has no {@code output.weight}, which
     * llama.cpp and the engine then take from {@code token_embd.weight}.
     */
    @Override
    public void writeGguf(Path file, Tokenizer tokenizer, String name) {
        GgufMetadata.Builder m = GgufExport.header("llama", name);
        config.putGgufMetadata(m, "llama");
        GgufExport.write(file, m, tokenizer, spec.vocabularySize(), GgufExport.tensors(parameters));
    }

    /**
     * Writes a {@code LlamaForCausalLM} folder. Query and key projections are permuted per head from the
     * adjacent-pair RoPE layout into Hugging Face's rotate-half layout ({@link LlamaRopeLayout#pairsToHalves}).
     */
    @Override
    public void writeHuggingFace(Path folder, Tokenizer tokenizer) {
        GgufExport.requireVocabulary(tokenizer, spec.vocabularySize());
        ObjectNode c = HuggingFaceExport.config("LlamaForCausalLM", "llama", spec.vocabularySize(), spec.tiedOutput(),
                tokenizer);
        c.put("hidden_size", spec.dim()).put("intermediate_size", spec.ffn())
                .put("num_hidden_layers", spec.layers()).put("num_attention_heads", spec.heads())
                .put("num_key_value_heads", spec.kvHeads()).put("head_dim", config.headDim())
                .put("max_position_embeddings", spec.context()).put("rms_norm_eps", spec.normEpsilon())
                .put("rope_theta", spec.ropeTheta()).put("hidden_act", "silu").put("attention_bias", false)
                .put("attention_dropout", 0.0).put("mlp_bias", false).put("pretraining_tp", 1)
                .putNull("rope_scaling");
        HuggingFaceExport.write(folder, c, huggingFaceTensors(), tokenizer, spec.context());
    }

    /** The parameters under {@code LlamaForCausalLM}'s state_dict names, q/k rows in rotate-half order. */
    private List<Tensor> huggingFaceTensors() {
        List<Tensor> out = new ArrayList<>();
        out.add(HuggingFaceExport.tensor("model.embed_tokens.weight", tokenEmbedding));
        int hd = config.headDim();
        for (int l = 0; l < blocks.size(); l++) {
            Block b = blocks.get(l);
            String p = "model.layers." + l + ".";
            out.add(HuggingFaceExport.tensor(p + "input_layernorm.weight", b.attnNorm));
            out.add(HuggingFaceExport.matrix(p + "self_attn.q_proj.weight",
                    LlamaRopeLayout.pairsToHalves(b.wq.data(), spec.heads(), hd, spec.dim()), config.qDim(), spec.dim()));
            out.add(HuggingFaceExport.matrix(p + "self_attn.k_proj.weight",
                    LlamaRopeLayout.pairsToHalves(b.wk.data(), spec.kvHeads(), hd, spec.dim()), config.kvDim(), spec.dim()));
            out.add(HuggingFaceExport.tensor(p + "self_attn.v_proj.weight", b.wv));
            out.add(HuggingFaceExport.tensor(p + "self_attn.o_proj.weight", b.wo));
            out.add(HuggingFaceExport.tensor(p + "post_attention_layernorm.weight", b.ffnNorm));
            out.add(HuggingFaceExport.tensor(p + "mlp.gate_proj.weight", b.wGate));
            out.add(HuggingFaceExport.tensor(p + "mlp.up_proj.weight", b.wUp));
            out.add(HuggingFaceExport.tensor(p + "mlp.down_proj.weight", b.wDown));
        }
        out.add(HuggingFaceExport.tensor("model.norm.weight", outputNorm));
        if (output != null) out.add(HuggingFaceExport.tensor("lm_head.weight", output));
        return out;
    }
}
