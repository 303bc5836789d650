package ai.basalt.model.gpt2;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.layers.GgufExport;
import ai.basalt.model.layers.HuggingFaceExport;
import ai.basalt.model.layers.ParameterInit;
import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.nn.Graph;
import ai.basalt.nn.Rng;
import ai.basalt.nn.TorchGenerator;
import ai.basalt.nn.Var;
import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * GPT-2 that trains: the forward pass of {@link Gpt2Model} on a basalt-nn {@link Graph}, operation for operation
 * nanoGPT's {@code model.py} as {@code tools/pytorch/models.py} pins it down: learned positions, pre-LayerNorm
 * blocks with biases, one fused query/key/value projection (rows q | k | v), tanh GELU, and an output projection
 * tied to the token embedding (or separate). Parameters carry the GGUF tensor names the engine loads
 * ({@code blk.0.attn_qkv.weight}, …), so {@link #writeGguf} writes them as they are.
 *
 * <p>Initialisation (nanoGPT's {@code _init_weights}): matrices and both embeddings N(0, 0.02²), the residual
 * projections {@code attn_output} and {@code ffn_down} N(0, (0.02/√(2L))²) per the GPT-2 paper, biases 0,
 * LayerNorm gain 1 and shift 0. Dropout (when the spec asks for it and the graph is training) follows the
 * embeddings and each residual branch, as nanoGPT's {@code drop} and {@code resid_dropout}; attention
 * probabilities are not dropped.
 *
 * <p>Shapes: B batch, T time, C = dim, V vocabulary, F = ffn.
 */
public final class Gpt2Trainable implements TrainableModel {
    private static final float STD = 0.02f;

    private final ModelSpec spec;
    private final Gpt2Config config;
    /** (V, C) */
    private final Var tokenEmbedding;
    /** (context, C) */
    private final Var positionEmbedding;
    private final List<Block> blocks = new ArrayList<>();
    /** (C) each */
    private final Var outputNormW, outputNormB;
    /** (V, C), or null when the output projection is the token embedding */
    private final Var output;
    /** (context) the positions 0, 1, …, looked up in the position embedding */
    private final int[] positions;
    private final Rng dropoutRng;
    /** Every parameter, in checkpoint order. */
    private final List<Var> parameters;

    /**
     * One transformer block: attnNormW/B, ffnNormW/B (C); wqkv (3C, C), bqkv (3C); wo (C, C), bo (C);
     * wUp (F, C), bUp (F); wDown (C, F), bDown (C).
     */
    private record Block(Var attnNormW, Var attnNormB, Var wqkv, Var bqkv, Var wo, Var bo, Var ffnNormW, Var ffnNormB,
            Var wUp, Var bUp, Var wDown, Var bDown) {
        /** Every tensor in GGUF order; biases are null in a model without them. */
        List<Var> all() {
            return Arrays.asList(attnNormW, attnNormB, wqkv, bqkv, wo, bo, ffnNormW, ffnNormB, wUp, bUp, wDown, bDown);
        }

        List<Var> parameters() {
            return all().stream().filter(Objects::nonNull).toList();
        }
    }

    /**
     * A freshly initialised model; values are drawn from {@code rng} (parameters in {@link #parameters()} order,
     * then the dropout generator's seed).
     */
    public Gpt2Trainable(ModelSpec spec, Rng rng) {
        if (!spec.architecture().equals("gpt2")) {
            throw new IllegalArgumentException("a " + spec.architecture() + " spec cannot build a gpt2 model");
        }
        this.spec = spec;
        List<Var> all = new ArrayList<>();
        this.config = spec.toGpt2Config();
        int dim = spec.dim();
        int ffn = spec.ffn();
        float residualStd = ParameterInit.residualStd(STD, spec.layers());
        tokenEmbedding = ParameterInit.embedding(TensorKey.TOKEN_EMBD.weight(), spec.vocabularySize(), dim, rng, STD);
        positionEmbedding = ParameterInit.embedding(TensorKey.POSITION_EMBD.weight(), spec.context(), dim, rng, STD);
        all.add(tokenEmbedding);
        all.add(positionEmbedding);
        for (int l = 0; l < spec.layers(); l++) {
            boolean bias = spec.bias(); // biases and shifts start at zero: leaving them out draws nothing less
            Block b = new Block(
                    ParameterInit.gain(TensorKey.ATTN_NORM.weight(l), dim),
                    bias ? ParameterInit.shift(TensorKey.ATTN_NORM.bias(l), dim) : null,
                    ParameterInit.matrix(TensorKey.ATTN_QKV.weight(l), 3 * dim, dim, rng, STD),
                    bias ? ParameterInit.bias(TensorKey.ATTN_QKV.bias(l), 3 * dim) : null,
                    ParameterInit.matrix(TensorKey.ATTN_OUTPUT.weight(l), dim, dim, rng, residualStd),
                    bias ? ParameterInit.bias(TensorKey.ATTN_OUTPUT.bias(l), dim) : null,
                    ParameterInit.gain(TensorKey.FFN_NORM.weight(l), dim),
                    bias ? ParameterInit.shift(TensorKey.FFN_NORM.bias(l), dim) : null,
                    ParameterInit.matrix(TensorKey.FFN_UP.weight(l), ffn, dim, rng, STD),
                    bias ? ParameterInit.bias(TensorKey.FFN_UP.bias(l), ffn) : null,
                    ParameterInit.matrix(TensorKey.FFN_DOWN.weight(l), dim, ffn, rng, residualStd),
                    bias ? ParameterInit.bias(TensorKey.FFN_DOWN.bias(l), dim) : null);
            blocks.add(b);
            all.addAll(b.parameters());
        }
        outputNormW = ParameterInit.gain(TensorKey.OUTPUT_NORM.weight(), dim);
        outputNormB = spec.bias() ? ParameterInit.shift(TensorKey.OUTPUT_NORM.bias(), dim) : null;
        all.add(outputNormW);
        if (outputNormB != null) all.add(outputNormB);
        output = spec.tiedOutput() ? null
                : ParameterInit.matrix(TensorKey.OUTPUT.weight(), spec.vocabularySize(), dim, rng, STD);
        if (output != null) all.add(output);
        positions = new int[spec.context()];
        for (int t = 0; t < positions.length; t++) positions[t] = t;
        parameters = List.copyOf(all);
        dropoutRng = rng.split();
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** The engine's config of this model, as {@link #writeGguf} stores it. */
    public Gpt2Config config() {
        return config;
    }

    @Override
    public List<Var> parameters() {
        return parameters;
    }

    /**
     * nanoGPT's initialisation, draw for draw ({@code GPT.__init__} in its {@code model.py}, pinned down by
     * {@code tools/pytorch/models.py}). PyTorch first builds the modules with their default initialisations, which
     * take draws although their values are overwritten: the token and position embeddings N(0, 1) (normal fills),
     * then per block the four linear weights and their biases (Kaiming-uniform fills, one draw per element), then
     * the output head. Then {@code apply(_init_weights)} visits the modules children first, in construction order:
     * token embedding, position embedding, each block's four weights, and the head, each N(0, 0.02²); the head's
     * draw overwrites a tied token embedding. Last, every {@code c_proj.weight} (attention output, feed-forward
     * down) is drawn again N(0, (0.02/√(2L))²). Biases become 0 and LayerNorm gains 1.
     */
    @Override
    public void initializeAsPyTorch(TorchGenerator g) {
        int dim = spec.dim();
        int ffn = spec.ffn();
        long vocab = spec.vocabularySize();
        g.skipNormal(vocab * dim); // nn.Embedding: normal_(0, 1)
        g.skipNormal((long) spec.context() * dim);
        for (int l = 0; l < spec.layers(); l++) { // nn.Linear: kaiming_uniform_ weight, then uniform_ bias
            long[][] linears = {{3L * dim, dim}, {dim, dim}, {ffn, dim}, {dim, ffn}};
            for (long[] outIn : linears) {
                g.skipUniform(outIn[0] * outIn[1]);
                if (spec.bias()) g.skipUniform(outIn[0]);
            }
        }
        g.skipUniform(vocab * dim); // lm_head = nn.Linear(C, V, bias=False)
        normal(g, tokenEmbedding, STD);
        normal(g, positionEmbedding, STD);
        for (Block b : blocks) {
            normal(g, b.wqkv, STD);
            normal(g, b.wo, STD);
            normal(g, b.wUp, STD);
            normal(g, b.wDown, STD);
        }
        normal(g, output == null ? tokenEmbedding : output, STD);
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * spec.layers())); // Python's double, then float
        for (Block b : blocks) {
            normal(g, b.wo, residualStd);
            normal(g, b.wDown, residualStd);
        }
        for (Block b : blocks) {
            for (Var p : List.of(b.attnNormW, b.ffnNormW)) Arrays.fill(p.data(), 0, p.size(), 1f);
            for (Var p : Arrays.asList(b.attnNormB, b.ffnNormB, b.bqkv, b.bo, b.bUp, b.bDown)) {
                if (p != null) Arrays.fill(p.data(), 0, p.size(), 0f);
            }
        }
        Arrays.fill(outputNormW.data(), 0, outputNormW.size(), 1f);
        if (outputNormB != null) Arrays.fill(outputNormB.data(), 0, outputNormB.size(), 0f);
    }

    private static void normal(TorchGenerator g, Var p, float std) {
        g.normal(p.data(), 0, p.size(), 0f, std);
    }

    @Override
    public Rng dropoutRng() {
        return dropoutRng;
    }

    @Override
    public Var logits(Graph g, int[] tokens, int batch, int time) {
        spec.checkBatch(tokens, batch, time);
        Var x = g.add(g.embedding(tokenEmbedding, tokens, batch, time), // (B, T, C)
                g.embedding(positionEmbedding, positions, time)); // (T, C), broadcast over B
        x = g.dropout(x, spec.dropout(), dropoutRng);
        for (Block b : blocks) {
            x = attention(g, b, x);
            x = feedForward(g, b, x);
        }
        x = g.layerNorm(x, outputNormW, outputNormB, spec.normEpsilon());
        return g.linear(x, output == null ? tokenEmbedding : output, null); // (B, T, V)
    }

    /** x + dropout(Wo · attention(q, k, v) + bo) with q | k | v = Wqkv · LayerNorm(x) + bqkv. */
    private Var attention(Graph g, Block b, Var x) {
        Var h = g.layerNorm(x, b.attnNormW, b.attnNormB, spec.normEpsilon());
        Var qkv = g.linear(h, b.wqkv, b.bqkv); // (B, T, 3C), read in place: no split copies
        Var y = g.attentionFused(qkv, spec.heads(), spec.heads()); // (B, T, C)
        return g.add(x, g.dropout(g.linear(y, b.wo, b.bo), spec.dropout(), dropoutRng));
    }

    /** x + dropout(W_down · GELU_tanh(W_up · LayerNorm(x) + b_up) + b_down). */
    private Var feedForward(Graph g, Block b, Var x) {
        Var h = g.layerNorm(x, b.ffnNormW, b.ffnNormB, spec.normEpsilon());
        Var m = g.gelu(g.linear(h, b.wUp, b.bUp), GeluApproximation.TANH); // (B, T, F)
        return g.add(x, g.dropout(g.linear(m, b.wDown, b.bDown), spec.dropout(), dropoutRng));
    }

    /**
     * Writes {@code general.*}, the {@code gpt2.*} hyper-parameters ({@link Gpt2Config#putGgufMetadata}), the
     * tokenizer and every parameter in F32 under its own name. A tied model writes the token embedding a second
     * time as {@code output.weight}, as llama.cpp's {@code convert_hf_to_gguf.py} does for GPT-2: llama.cpp's
     * {@code gpt2} loader requires that tensor (b4916 has no fallback to {@code token_embd.weight}).
     */
    @Override
    public void writeGguf(Path file, Tokenizer tokenizer, String name) {
        GgufMetadata.Builder m = GgufExport.header("gpt2", name);
        config.putGgufMetadata(m, "gpt2");
        List<Tensor> tensors = GgufExport.tensors(exportOrder());
        if (output == null) tensors.add(GgufExport.tensor(TensorKey.OUTPUT.weight(), tokenEmbedding));
        GgufExport.write(file, m, tokenizer, spec.vocabularySize(), tensors);
    }

    /**
     * Writes a {@code GPT2LMHeadModel} folder. GPT-2's attention and MLP use {@code Conv1D}, which stores its weight
     * as (in, out): those four matrices are written transposed; embeddings, norms, biases and an untied
     * {@code lm_head} (a {@code Linear}) as they are.
     */
    @Override
    public void writeHuggingFace(Path folder, Tokenizer tokenizer) {
        GgufExport.requireVocabulary(tokenizer, spec.vocabularySize());
        ObjectNode c = HuggingFaceExport.config("GPT2LMHeadModel", "gpt2", spec.vocabularySize(), spec.tiedOutput(),
                tokenizer);
        c.put("n_positions", spec.context()).put("n_ctx", spec.context()).put("n_embd", spec.dim())
                .put("n_layer", spec.layers()).put("n_head", spec.heads()).put("n_inner", spec.ffn())
                .put("activation_function", "gelu_new").put("layer_norm_epsilon", spec.normEpsilon())
                .put("resid_pdrop", spec.dropout()).put("embd_pdrop", spec.dropout()).put("attn_pdrop", 0.0)
                .put("scale_attn_weights", true);
        HuggingFaceExport.write(folder, c, huggingFaceTensors(), tokenizer, spec.context());
    }

    /**
     * The parameters in GGUF order; a model without biases has zero biases in their places, since llama.cpp's and
     * Hugging Face's GPT-2 require them.
     */
    private List<Var> exportOrder() {
        List<Var> out = new ArrayList<>();
        out.add(tokenEmbedding);
        out.add(positionEmbedding);
        for (int l = 0; l < blocks.size(); l++) {
            Block b = blocks.get(l);
            out.add(b.attnNormW);
            out.add(orZeros(b.attnNormB, TensorKey.ATTN_NORM.bias(l), spec.dim()));
            out.add(b.wqkv);
            out.add(orZeros(b.bqkv, TensorKey.ATTN_QKV.bias(l), 3 * spec.dim()));
            out.add(b.wo);
            out.add(orZeros(b.bo, TensorKey.ATTN_OUTPUT.bias(l), spec.dim()));
            out.add(b.ffnNormW);
            out.add(orZeros(b.ffnNormB, TensorKey.FFN_NORM.bias(l), spec.dim()));
            out.add(b.wUp);
            out.add(orZeros(b.bUp, TensorKey.FFN_UP.bias(l), spec.ffn()));
            out.add(b.wDown);
            out.add(orZeros(b.bDown, TensorKey.FFN_DOWN.bias(l), spec.dim()));
        }
        out.add(outputNormW);
        out.add(orZeros(outputNormB, TensorKey.OUTPUT_NORM.bias(), spec.dim()));
        if (output != null) out.add(output);
        return out;
    }

    private static Var orZeros(Var bias, String name, int size) {
        return bias != null ? bias : ParameterInit.bias(name, size);
    }

    /** The parameters under {@code GPT2LMHeadModel}'s state_dict names, Conv1D weights transposed. */
    private List<Tensor> huggingFaceTensors() {
        List<Tensor> out = new ArrayList<>();
        out.add(HuggingFaceExport.tensor("transformer.wte.weight", tokenEmbedding));
        out.add(HuggingFaceExport.tensor("transformer.wpe.weight", positionEmbedding));
        for (int l = 0; l < blocks.size(); l++) {
            Block b = blocks.get(l);
            String p = "transformer.h." + l + ".";
            out.add(HuggingFaceExport.tensor(p + "ln_1.weight", b.attnNormW));
            out.add(HuggingFaceExport.tensor(p + "ln_1.bias", orZeros(b.attnNormB, TensorKey.ATTN_NORM.bias(l), spec.dim())));
            out.add(HuggingFaceExport.transposed(p + "attn.c_attn.weight", b.wqkv));
            out.add(HuggingFaceExport.tensor(p + "attn.c_attn.bias", orZeros(b.bqkv, TensorKey.ATTN_QKV.bias(l), 3 * spec.dim())));
            out.add(HuggingFaceExport.transposed(p + "attn.c_proj.weight", b.wo));
            out.add(HuggingFaceExport.tensor(p + "attn.c_proj.bias", orZeros(b.bo, TensorKey.ATTN_OUTPUT.bias(l), spec.dim())));
            out.add(HuggingFaceExport.tensor(p + "ln_2.weight", b.ffnNormW));
            out.add(HuggingFaceExport.tensor(p + "ln_2.bias", orZeros(b.ffnNormB, TensorKey.FFN_NORM.bias(l), spec.dim())));
            out.add(HuggingFaceExport.transposed(p + "mlp.c_fc.weight", b.wUp));
            out.add(HuggingFaceExport.tensor(p + "mlp.c_fc.bias", orZeros(b.bUp, TensorKey.FFN_UP.bias(l), spec.ffn())));
            out.add(HuggingFaceExport.transposed(p + "mlp.c_proj.weight", b.wDown));
            out.add(HuggingFaceExport.tensor(p + "mlp.c_proj.bias", orZeros(b.bDown, TensorKey.FFN_DOWN.bias(l), spec.dim())));
        }
        out.add(HuggingFaceExport.tensor("transformer.ln_f.weight", outputNormW));
        out.add(HuggingFaceExport.tensor("transformer.ln_f.bias",
                orZeros(outputNormB, TensorKey.OUTPUT_NORM.bias(), spec.dim())));
        if (output != null) out.add(HuggingFaceExport.tensor("lm_head.weight", output));
        return out;
    }
}
