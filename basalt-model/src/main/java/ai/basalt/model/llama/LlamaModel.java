package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.layers.CachedAttention;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.Tokenizer;

/**
 * The Llama architecture (Touvron et al. 2023): pre-norm transformer blocks with RMSNorm, rotary
 * position embeddings, grouped-query attention and a SwiGLU MLP, with tied or separate output
 * projection. Inference runs one token at a time against a KV cache.
 */
public final class LlamaModel implements LanguageModel {
    private final GgufFile file;
    private final String architecture;
    private final String name;
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final Tokenizer tokenizer;
    private final TensorOps ops;
    private final CachedAttention attention;

    LlamaModel(GgufFile file, String architecture, String name, LlamaConfig config, LlamaWeights weights,
            Tokenizer tokenizer, TensorOps ops) {
        this.file = file;
        this.architecture = architecture;
        this.name = name;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.ops = ops;
        this.attention = new CachedAttention(ops, config.headCount(), config.headCountKv(), config.headDim());
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public String architecture() {
        return architecture;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int vocabularySize() {
        return config.vocabularySize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public long parameterCount() {
        return weights.parameterCount;
    }

    @Override
    public InferenceState newState(int contextLength) {
        if (contextLength < 1 || contextLength > config.contextLength()) {
            throw new IllegalArgumentException("context length " + contextLength + " must be between 1 and the model's "
                    + config.contextLength());
        }
        return new LlamaState(this, config, contextLength);
    }

    @Override
    public float[] forward(InferenceState state, int token, int position, boolean computeLogits) {
        LlamaState s = stateOf(state);
        if (position < 0 || position >= s.capacity) {
            throw new IllegalArgumentException("position " + position + " is outside the context of " + s.capacity + " tokens");
        }
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + config.vocabularySize());
        }
        ops.dequantizeRow(weights.tokenEmbedding, token, s.x, 0);
        ropeAngles(s, position);
        for (int l = 0; l < config.blockCount(); l++) {
            attention(s, l, position);
            feedForward(s, l);
        }
        if (!computeLogits) return null;
        ops.rmsnorm(s.x, 0, s.x, 0, weights.outputNorm, config.embeddingLength(), config.rmsEpsilon());
        ops.matmul(weights.output, s.x, s.logits);
        return s.logits;
    }

    private LlamaState stateOf(InferenceState state) {
        if (!(state instanceof LlamaState s) || s.owner != this) {
            throw new IllegalArgumentException("state was not created by this model");
        }
        return s;
    }

    /**
     * cos/sin of θ_i = position · base^(-2i/d), computed as ggml does: θ is multiplied by the float
     * ratio base^(-2/d) once per pair, so that angles agree with llama.cpp to the last bit.
     */
    private void ropeAngles(LlamaState s, int position) {
        float thetaScale = (float) Math.pow(config.ropeFreqBase(), -2.0f / config.ropeDimensions());
        float theta = position;
        for (int i = 0; i < s.cos.length; i++) {
            s.cos[i] = (float) Math.cos(theta);
            s.sin[i] = (float) Math.sin(theta);
            theta *= thetaScale;
        }
    }

    /** x ← x + Wo · attention(RMSNorm(x)), appending this position's keys and values to the cache. */
    private void attention(LlamaState s, int l, int position) {
        LlamaConfig c = config;
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        ops.rmsnorm(s.xb, 0, s.x, 0, weights.attnNorm[l], c.embeddingLength(), c.rmsEpsilon());
        ops.matmul(weights.wq[l], s.xb, s.q);
        ops.matmul(weights.wk[l], s.xb, s.k);
        ops.matmul(weights.wv[l], s.xb, s.v);
        for (int h = 0; h < c.headCount(); h++) ops.rope(s.q, h * headDim, c.ropeDimensions(), s.cos, s.sin, c.ropeMode());
        for (int h = 0; h < c.headCountKv(); h++) ops.rope(s.k, h * headDim, c.ropeDimensions(), s.cos, s.sin, c.ropeMode());
        System.arraycopy(s.k, 0, s.keyCache[l], position * kvDim, kvDim);
        System.arraycopy(s.v, 0, s.valueCache[l], position * kvDim, kvDim);

        attention.attend(s.q, s.keyCache[l], s.valueCache[l], s.scores, s.attnOut, position + 1);
        ops.matmul(weights.wo[l], s.attnOut, s.proj);
        ops.axpy(1f, s.proj, 0, s.x, 0, c.embeddingLength());
    }

    /** x ← x + W_down · (SiLU(W_gate · n) ⊙ W_up · n) with n = RMSNorm(x) (Shazeer 2020, SwiGLU). */
    private void feedForward(LlamaState s, int l) {
        LlamaConfig c = config;
        ops.rmsnorm(s.xb, 0, s.x, 0, weights.ffnNorm[l], c.embeddingLength(), c.rmsEpsilon());
        ops.matmul(weights.wGate[l], s.xb, s.gate);
        ops.matmul(weights.wUp[l], s.xb, s.up);
        ops.silu(s.gate, 0, c.feedForwardLength());
        ops.mul(s.gate, s.up, c.feedForwardLength());
        ops.matmul(weights.wDown[l], s.gate, s.proj);
        ops.axpy(1f, s.proj, 0, s.x, 0, c.embeddingLength());
    }

    @Override
    public void close() {
        file.close();
    }
}
