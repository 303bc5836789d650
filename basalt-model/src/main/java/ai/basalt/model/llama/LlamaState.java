package ai.basalt.model.llama;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.layers.KvCache;
import ai.basalt.model.layers.SequenceBatch;

/** KV cache and scratch buffers of one sequence running through a {@link LlamaModel}. */
final class LlamaState implements InferenceState {
    final LlamaModel owner;
    final int capacity;
    final KvCache cache;
    /** residual stream (C) */
    final float[] x;
    /** normed input of a sub-layer (C) */
    final float[] xb;
    /** attention output, all heads (qDim) */
    final float[] attnOut;
    /** (qDim), (kvDim), (kvDim) */
    final float[] q, k, v;
    /** projection back to the residual stream (C) */
    final float[] proj;
    /** MLP gate and up activations (F) */
    final float[] gate, up;
    /** fused Q|K|V projection (qDim + 2·kvDim); null unless the model stacks them */
    final float[] qkv;
    /** fused gate|up projection (2F); null unless the model stacks them */
    final float[] gateUp;
    /** attention scores (heads, positions reserved), remade by {@link #reserve} */
    final float[][] scores;
    /** RoPE cosines and sines of the current position (ropeDimensions / 2) */
    final float[] cos, sin;
    /** (V) */
    final float[] logits;

    LlamaState(LlamaModel owner, LlamaConfig c, int capacity, KvType kvType) {
        this.owner = owner;
        this.capacity = capacity;
        this.config = c;
        cache = new KvCache(kvType, c.blockCount(), c.headCountKv(), c.headDim(), capacity);
        x = new float[c.embeddingLength()];
        xb = new float[c.embeddingLength()];
        attnOut = new float[c.qDim()];
        q = new float[c.qDim()];
        k = new float[c.kvDim()];
        v = new float[c.kvDim()];
        proj = new float[c.embeddingLength()];
        gate = new float[c.feedForwardLength()];
        up = new float[c.feedForwardLength()];
        qkv = c.fusedQkv() ? new float[c.qDim() + 2 * c.kvDim()] : null;
        gateUp = c.fusedGateUp() ? new float[2 * c.feedForwardLength()] : null;
        scores = new float[c.headCount()][0];
        cos = new float[c.ropeDimensions() / 2];
        sin = new float[c.ropeDimensions() / 2];
        logits = new float[c.vocabularySize()];
    }

    /**
     * Makes the KV cache and the score rows hold at least {@code positions} positions, a cache page at a time (up
     * to the capacity): a state sized to a long context (131,072 for Llama 3.2) takes memory for the positions
     * used.
     */
    void reserve(int positions) {
        if (positions <= cache.reserved()) return;
        cache.reserve(positions);
        for (int h = 0; h < scores.length; h++) scores[h] = new float[cache.reserved()];
    }

    /** Tokens a prompt batch holds at most (llama.cpp's default micro-batch is 512). */
    static final int MAX_BATCH = 256;
    private final LlamaConfig config;
    private Batch batch;

    /** The buffers of a prompt batch, made on first use. */
    Batch batch() {
        if (batch == null) batch = new Batch(config, Math.min(capacity, MAX_BATCH));
        return batch;
    }

    /** Row-major (tokens, width) activations of a batch of prompt tokens, as the single-token fields above. */
    static final class Batch {
        final int size;
        final float[] x, xb, q, k, v, attnOut, proj, gate, up, qkv, gateUp;
        /** RoPE cosines and sines per token (tokens, ropeDimensions / 2) */
        final float[] cos, sin;

        Batch(LlamaConfig c, int size) {
            this.size = size;
            x = new float[size * c.embeddingLength()];
            xb = new float[size * c.embeddingLength()];
            q = new float[size * c.qDim()];
            k = new float[size * c.kvDim()];
            v = new float[size * c.kvDim()];
            attnOut = new float[size * c.qDim()];
            proj = new float[size * c.embeddingLength()];
            gate = new float[size * c.feedForwardLength()];
            up = new float[size * c.feedForwardLength()];
            qkv = c.fusedQkv() ? new float[size * (c.qDim() + 2 * c.kvDim())] : null;
            gateUp = c.fusedGateUp() ? new float[size * 2 * c.feedForwardLength()] : null;
            cos = new float[size * (c.ropeDimensions() / 2)];
            sin = new float[size * (c.ropeDimensions() / 2)];
        }
    }

    /**
     * The buffers of the states of one decode step, gathered buffer by buffer (row i is state i's): the inputs and
     * outputs of {@link ai.basalt.tensor.TensorOps#matmulEach}, so that each weight is read once for the step.
     */
    static final class Step {
        final LlamaState[] states;
        final int size;
        final float[][] x, xb, q, k, v, attnOut, proj, gate, up, qkv, gateUp, logits;

        Step(LlamaState[] states) {
            this.states = states;
            size = states.length;
            x = SequenceBatch.rows(states, s -> s.x);
            xb = SequenceBatch.rows(states, s -> s.xb);
            q = SequenceBatch.rows(states, s -> s.q);
            k = SequenceBatch.rows(states, s -> s.k);
            v = SequenceBatch.rows(states, s -> s.v);
            attnOut = SequenceBatch.rows(states, s -> s.attnOut);
            proj = SequenceBatch.rows(states, s -> s.proj);
            gate = SequenceBatch.rows(states, s -> s.gate);
            up = SequenceBatch.rows(states, s -> s.up);
            qkv = SequenceBatch.rows(states, s -> s.qkv);
            gateUp = SequenceBatch.rows(states, s -> s.gateUp);
            logits = SequenceBatch.rows(states, s -> s.logits);
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public long cacheBytes() {
        return cache.bytes();
    }
}
