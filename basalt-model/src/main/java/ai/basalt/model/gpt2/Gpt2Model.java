package ai.basalt.model.gpt2;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.layers.CachedAttention;
import ai.basalt.model.layers.SequenceBatch;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.Tokenizer;
import java.util.Optional;

/** GPT-2 inference, one token at a time against a KV cache (or one token of each of several sequences). */
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
        return forwardBatch(new InferenceState[] {state}, new int[] {token}, new int[] {position}, computeLogits)[0];
    }

    /**
     * Every sequence through each layer together: each projection is one {@link TensorOps#matmulEach} over the
     * sequences' buffers (each weight read once for the step, every product bit-identical to the one-sequence
     * product); the rest runs per sequence on its own state, attention over its own cache. {@link #forward} is this
     * step for one sequence.
     */
    @Override
    public float[][] forwardBatch(InferenceState[] states, int[] tokens, int[] positions, boolean computeLogits) {
        Step b = new Step(statesOf(states, tokens, positions));
        int dim = config.embeddingLength();
        for (int i = 0; i < b.size; i++) {
            Gpt2State s = b.states[i];
            s.cache.reserve(positions[i] + 1);
            ops.dequantizeRow(weights.tokenEmbedding, tokens[i], s.x, 0);
            ops.dequantizeRow(weights.positionEmbedding, positions[i], s.proj, 0);
            ops.axpy(1f, s.proj, 0, s.x, 0, dim);
        }
        for (int l = 0; l < config.blockCount(); l++) {
            attention(b, l, positions);
            feedForward(b, l);
        }
        if (!computeLogits) return new float[b.size][];
        for (Gpt2State s : b.states) {
            ops.layernorm(s.x, 0, s.x, 0, weights.outputNormW, weights.outputNormB, dim, config.layerNormEpsilon());
        }
        ops.matmulEach(weights.output, b.x, b.size, b.logits);
        return b.logits;
    }

    /** The batch's states, each checked as {@link #forward} checks its one, all before any runs. */
    private Gpt2State[] statesOf(InferenceState[] states, int[] tokens, int[] positions) {
        SequenceBatch.check(states, tokens, positions);
        Gpt2State[] checked = new Gpt2State[states.length];
        for (int i = 0; i < states.length; i++) {
            if (!(states[i] instanceof Gpt2State s) || s.owner != this) {
                throw new IllegalArgumentException("state was not created by this model");
            }
            if (positions[i] < 0 || positions[i] >= s.capacity) {
                throw new IllegalArgumentException("position " + positions[i] + " is outside the context of " + s.capacity + " tokens");
            }
            if (tokens[i] < 0 || tokens[i] >= config.vocabularySize()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " is outside the vocabulary of " + config.vocabularySize());
            }
            checked[i] = s;
        }
        return checked;
    }

    /** The states' buffers gathered buffer by buffer (row i is state i's), for {@link TensorOps#matmulEach}. */
    private static final class Step {
        final Gpt2State[] states;
        final int size;
        final float[][] x, xb, qkv, attnOut, proj, hidden, logits;

        Step(Gpt2State[] states) {
            this.states = states;
            size = states.length;
            x = SequenceBatch.rows(states, s -> s.x);
            xb = SequenceBatch.rows(states, s -> s.xb);
            qkv = SequenceBatch.rows(states, s -> s.qkv);
            attnOut = SequenceBatch.rows(states, s -> s.attnOut);
            proj = SequenceBatch.rows(states, s -> s.proj);
            hidden = SequenceBatch.rows(states, s -> s.hidden);
            logits = SequenceBatch.rows(states, s -> s.logits);
        }
    }

    /** x ← x + Wo · attention(LayerNorm(x)) + bo for each sequence. */
    private void attention(Step b, int l, int[] positions) {
        int dim = config.embeddingLength();
        for (Gpt2State s : b.states) {
            ops.layernorm(s.xb, 0, s.x, 0, weights.attnNormW[l], weights.attnNormB[l], dim, config.layerNormEpsilon());
        }
        ops.matmulEach(weights.wqkv[l], b.xb, b.size, b.qkv);
        for (int i = 0; i < b.size; i++) {
            Gpt2State s = b.states[i];
            ops.axpy(1f, weights.bqkv[l], 0, s.qkv, 0, 3 * dim);
            System.arraycopy(s.qkv, 0, s.q, 0, dim);
            s.cache.store(l, s.qkv, dim, s.qkv, 2 * dim, positions[i]);
            attention.attend(s.q, s.cache, l, s.scores, s.attnOut, positions[i] + 1);
        }
        ops.matmulEach(weights.wo[l], b.attnOut, b.size, b.proj);
        for (Gpt2State s : b.states) {
            ops.axpy(1f, weights.bo[l], 0, s.proj, 0, dim);
            ops.axpy(1f, s.proj, 0, s.x, 0, dim);
        }
    }

    /** x ← x + W_down · GELU(W_up · LayerNorm(x) + b_up) + b_down for each sequence. */
    private void feedForward(Step b, int l) {
        int dim = config.embeddingLength();
        int ffn = config.feedForwardLength();
        for (Gpt2State s : b.states) {
            ops.layernorm(s.xb, 0, s.x, 0, weights.ffnNormW[l], weights.ffnNormB[l], dim, config.layerNormEpsilon());
        }
        ops.matmulEach(weights.wUp[l], b.xb, b.size, b.hidden);
        for (Gpt2State s : b.states) {
            ops.axpy(1f, weights.bUp[l], 0, s.hidden, 0, ffn);
            ops.gelu(s.hidden, 0, ffn);
        }
        ops.matmulEach(weights.wDown[l], b.hidden, b.size, b.proj);
        for (Gpt2State s : b.states) {
            ops.axpy(1f, weights.bDown[l], 0, s.proj, 0, dim);
            ops.axpy(1f, s.proj, 0, s.x, 0, dim);
        }
    }

    @Override
    public void close() {
        file.close();
    }
}
