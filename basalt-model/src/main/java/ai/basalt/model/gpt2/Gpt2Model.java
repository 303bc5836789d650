package ai.basalt.model.gpt2;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.layers.CachedAttention;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.Tokenizer;
import java.util.Optional;

/** GPT-2 inference, one token at a time against a KV cache. */
public final class Gpt2Model implements LanguageModel {
    private final GgufView file;
    private final String architecture;
    private final String name;
    private final Gpt2Config config;
    private final Gpt2Weights weights;
    private final Tokenizer tokenizer;
    private final TensorOps ops;
    private final CachedAttention attention;

    Gpt2Model(GgufView file, String architecture, String name, Gpt2Config config, Gpt2Weights weights,
            Tokenizer tokenizer, TensorOps ops) {
        this.file = file;
        this.architecture = architecture;
        this.name = name;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.ops = ops;
        this.attention = new CachedAttention(ops, config.headCount(), config.headCount(), config.headDim());
    }

    public Gpt2Config config() {
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
    public Optional<String> chatTemplate() {
        return file.metadata().findString(MetadataKey.TOKENIZER_CHAT_TEMPLATE.key());
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
    public String weightType() {
        return weights.wqkv[0].type().name();
    }

    @Override
    public InferenceState newState(int contextLength, KvType kvType) {
        if (contextLength < 1 || contextLength > config.contextLength()) {
            throw new IllegalArgumentException("context length " + contextLength + " must be between 1 and the model's "
                    + config.contextLength());
        }
        return new Gpt2State(this, config, contextLength, kvType);
    }

    @Override
    public float[] forward(InferenceState state, int token, int position, boolean computeLogits) {
        if (!(state instanceof Gpt2State s) || s.owner != this) {
            throw new IllegalArgumentException("state was not created by this model");
        }
        if (position < 0 || position >= s.capacity) {
            throw new IllegalArgumentException("position " + position + " is outside the context of " + s.capacity + " tokens");
        }
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + config.vocabularySize());
        }
        int dim = config.embeddingLength();
        s.cache.reserve(position + 1);
        ops.dequantizeRow(weights.tokenEmbedding, token, s.x, 0);
        ops.dequantizeRow(weights.positionEmbedding, position, s.proj, 0);
        ops.axpy(1f, s.proj, 0, s.x, 0, dim);
        for (int l = 0; l < config.blockCount(); l++) {
            attention(s, l, position);
            feedForward(s, l);
        }
        if (!computeLogits) return null;
        ops.layernorm(s.x, 0, s.x, 0, weights.outputNormW, weights.outputNormB, dim, config.layerNormEpsilon());
        ops.matmul(weights.output, s.x, s.logits);
        return s.logits;
    }

    /** x ← x + Wo · attention(LayerNorm(x)) + bo. */
    private void attention(Gpt2State s, int l, int position) {
        int dim = config.embeddingLength();
        ops.layernorm(s.xb, 0, s.x, 0, weights.attnNormW[l], weights.attnNormB[l], dim, config.layerNormEpsilon());
        ops.matmul(weights.wqkv[l], s.xb, s.qkv);
        ops.axpy(1f, weights.bqkv[l], 0, s.qkv, 0, 3 * dim);
        System.arraycopy(s.qkv, 0, s.q, 0, dim);
        s.cache.store(l, s.qkv, dim, s.qkv, 2 * dim, position);
        attention.attend(s.q, s.cache, l, s.scores, s.attnOut, position + 1);
        ops.matmul(weights.wo[l], s.attnOut, s.proj);
        ops.axpy(1f, weights.bo[l], 0, s.proj, 0, dim);
        ops.axpy(1f, s.proj, 0, s.x, 0, dim);
    }

    /** x ← x + W_down · GELU(W_up · LayerNorm(x) + b_up) + b_down. */
    private void feedForward(Gpt2State s, int l) {
        int dim = config.embeddingLength();
        int ffn = config.feedForwardLength();
        ops.layernorm(s.xb, 0, s.x, 0, weights.ffnNormW[l], weights.ffnNormB[l], dim, config.layerNormEpsilon());
        ops.matmul(weights.wUp[l], s.xb, s.hidden);
        ops.axpy(1f, weights.bUp[l], 0, s.hidden, 0, ffn);
        ops.gelu(s.hidden, 0, ffn);
        ops.matmul(weights.wDown[l], s.hidden, s.proj);
        ops.axpy(1f, weights.bDown[l], 0, s.proj, 0, dim);
        ops.axpy(1f, s.proj, 0, s.x, 0, dim);
    }

    @Override
    public void close() {
        file.close();
    }
}
