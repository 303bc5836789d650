package ai.basalt.model.gpt2;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.layers.KvCache;

/** KV cache and scratch buffers of one sequence running through a {@link Gpt2Model}. */
final class Gpt2State implements InferenceState {
    final Gpt2Model owner;
    final int capacity;
    final KvCache cache;
    /** residual stream, normed input, attention output, projection back (C each) */
    final float[] x, xb, attnOut, proj;
    /** fused query/key/value (3C) and the queries alone (C) */
    final float[] qkv, q;
    /** MLP hidden activations (F) */
    final float[] hidden;
    /** attention scores (heads, capacity) */
    final float[][] scores;
    /** (V) */
    final float[] logits;

    Gpt2State(Gpt2Model owner, Gpt2Config c, int capacity, KvType kvType) {
        this.owner = owner;
        this.capacity = capacity;
        int dim = c.embeddingLength();
        cache = new KvCache(kvType, c.blockCount(), c.headCount(), dim / c.headCount(), capacity);
        x = new float[dim];
        xb = new float[dim];
        attnOut = new float[dim];
        proj = new float[dim];
        qkv = new float[3 * dim];
        q = new float[dim];
        hidden = new float[c.feedForwardLength()];
        scores = new float[c.headCount()][capacity];
        logits = new float[c.vocabularySize()];
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
