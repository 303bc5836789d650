package ai.basalt.nn.kernel;

import ai.basalt.tensor.RopeMode;

/**
 * The rotation angles of rotary position embedding (RoFormer, Su et al. 2021) for positions
 * [0, maxSeq), computed as PyTorch computes them in float32 so long sequences agree with it: the
 * inverse frequencies {@code 1 / theta^(2i/headDim)} and the angles {@code pos · invFreq} are rounded to
 * float before the cosine and sine are taken (Meta Llama {@code precompute_freqs_cis}, Hugging Face
 * {@code RotaryEmbedding}).
 */
public final class RopeTable {
    private final int headDim;
    private final int maxSeq;
    private final float theta;
    private final RopeMode mode;
    /** (maxSeq, headDim/2) */
    final float[] cos;
    /** (maxSeq, headDim/2) */
    final float[] sin;

    public RopeTable(int headDim, int maxSeq, float theta, RopeMode mode) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("rope head dimension " + headDim + " must be positive and even");
        }
        if (maxSeq <= 0) throw new IllegalArgumentException("rope table length " + maxSeq + " must be positive");
        if (!(theta > 0f)) throw new IllegalArgumentException("rope theta " + theta + " must be positive");
        this.headDim = headDim;
        this.maxSeq = maxSeq;
        this.theta = theta;
        this.mode = mode;
        int half = headDim / 2;
        this.cos = new float[maxSeq * half];
        this.sin = new float[maxSeq * half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float invFreq = 1f / (float) Math.pow(theta, exponent);
            for (int pos = 0; pos < maxSeq; pos++) {
                float angle = (float) pos * invFreq;
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
    }

    public int headDim() {
        return headDim;
    }

    public int maxSeq() {
        return maxSeq;
    }

    public float theta() {
        return theta;
    }

    public RopeMode mode() {
        return mode;
    }

    /** cos of pair {@code i} at position {@code pos}. */
    public float cos(int pos, int i) {
        return cos[pos * (headDim / 2) + i];
    }

    /** sin of pair {@code i} at position {@code pos}. */
    public float sin(int pos, int i) {
        return sin[pos * (headDim / 2) + i];
    }
}
