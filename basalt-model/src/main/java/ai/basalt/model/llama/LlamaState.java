package ai.basalt.model.llama;

import ai.basalt.model.InferenceState;

/** KV cache and scratch buffers of one sequence running through a {@link LlamaModel}. */
final class LlamaState implements InferenceState {
    final LlamaModel owner;
    final int capacity;
    /** (layers, capacity · kvDim) */
    final float[][] keyCache;
    /** (layers, capacity · kvDim) */
    final float[][] valueCache;
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
    /** attention scores (heads, capacity) */
    final float[][] scores;
    /** RoPE cosines and sines of the current position (ropeDimensions / 2) */
    final float[] cos, sin;
    /** (V) */
    final float[] logits;

    LlamaState(LlamaModel owner, LlamaConfig c, int capacity) {
        this.owner = owner;
        this.capacity = capacity;
        int layers = c.blockCount();
        keyCache = new float[layers][Math.multiplyExact(capacity, c.kvDim())];
        valueCache = new float[layers][Math.multiplyExact(capacity, c.kvDim())];
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
        scores = new float[c.headCount()][capacity];
        cos = new float[c.ropeDimensions() / 2];
        sin = new float[c.ropeDimensions() / 2];
        logits = new float[c.vocabularySize()];
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
