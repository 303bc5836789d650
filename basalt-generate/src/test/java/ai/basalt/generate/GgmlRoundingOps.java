package ai.basalt.generate;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.RopeMode;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import java.util.Arrays;
import java.util.Map;

/**
 * Test-only kernels: Basalt's own kernels with the two roundings ggml's CPU backend (llama.cpp b4916) applies to
 * activations, so that a forward pass over them computes what llama.cpp computes, to float32 summation order.
 *
 * <ul>
 *   <li>Matrix products: {@code mul_mat} first converts the activation vector to the weight type's
 *       {@code vec_dot_type} ({@code ggml-cpu.c}, {@code type_traits_cpu}) and dots the stored weight row with that.
 *       Here {@link #matmul} rounds x to that type and back, then runs the delegate's product over the weights (the
 *       stored tensor, or its dequantized copy with the stored type named):
 *       F32 weights see x as it is; F16 weights see F16(x); BF16 weights BF16(x); Q8_0, Q4_0 and Q5_0 weights see x
 *       as Q8_0 blocks; Q4_K, Q5_K and Q6_K weights see it as Q8_K blocks. The products themselves are then equal in
 *       exact arithmetic: ggml's integer dot products times the two scales are the dequantized weight times the
 *       dequantized activation.</li>
 *   <li>GELU: ggml (built with {@code GGML_GELU_FP16}) rounds the input to F16 and looks the result up in a table
 *       of F16 values ({@code ggml_vec_gelu_f32}); {@link #gelu} does the same.</li>
 * </ul>
 * <p>Rounding is discontinuous: where two engines' float32 values of an activation differ in the last bits (summation
 * order) and the value lies at a rounding boundary, they round it to neighbouring levels, and the step then travels
 * through the KV cache into every later position (measured: one such coin toss in a few hundred thousand rounded
 * values moves the logits of a 64-step run by up to 3e-2 of the largest). {@link #follow} removes the coin toss: given
 * llama.cpp's own input of the same product (recorded by the oracle), each block is rounded from this engine's
 * values, except where llama.cpp's bits round differently, which can only happen at such a boundary; there llama.cpp's
 * rounding is taken and counted ({@link #knifeEdges}), and {@link #worstInputGap} measures how far apart the two
 * engines' inputs were at all, so that a real difference cannot hide behind it.
 *
 * <p>Everything else delegates. Types ggml pairs with Q8_1 activations (Q4_1, Q5_1: the block sum {@code s} is rounded
 * to F16 separately, which is no rounding of x) are refused rather than approximated.
 */
final class GgmlRoundingOps implements TensorOps {
    private static final int QK = 32, QK_K = 256;
    /** ggml_table_gelu_f16, indexed by the F16 bits of the input. */
    private static final short[] GELU_TABLE = geluTable();

    private final TensorOps base;
    /** llama.cpp's input of each weight product at the current position, by weight name; null: none to follow */
    private Map<String, float[]> reference;
    private int knifeEdges;
    private double worstInputGap;

    GgmlRoundingOps(TensorOps base) {
        this.base = base;
    }

    /**
     * Rounds the products of the next position as llama.cpp rounded its own inputs {@code inputs} (weight name to the
     * F32 vector it multiplied) where the two differ only by which side of a rounding boundary a value fell; every
     * product must then have llama.cpp's counterpart.
     */
    void follow(Map<String, float[]> inputs) {
        reference = inputs;
    }

    /** Blocks (elements for F16/BF16) rounded as llama.cpp rounded them because this engine's bits rounded otherwise. */
    int knifeEdges() {
        return knifeEdges;
    }

    /** The largest max |x − x_llama.cpp| / max |x_llama.cpp| over the products followed so far. */
    double worstInputGap() {
        return worstInputGap;
    }

    /** The type ggml's CPU backend converts activations to before a product with {@code weightType} weights. */
    static DType vecDotType(DType weightType) {
        return switch (weightType) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            case Q8_0, Q4_0, Q5_0 -> DType.Q8_0;
            case Q4_K, Q5_K, Q6_K -> DType.Q8_K;
            default -> throw new IllegalArgumentException("ggml's rounding of activations for " + weightType
                    + " weights is not emulated");
        };
    }

    /** {@code x[0, n)} converted to {@code type} as ggml's CPU backend converts activations, and back. */
    static float[] round(float[] x, int n, DType type) {
        float[] out = new float[n];
        switch (type) {
            case F32 -> System.arraycopy(x, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(Quantizer.floatToBf16(x[i]) << 16);
            }
            case Q8_0 -> {
                for (int b = 0; b < n; b += QK) roundQ8_0(x, b, out);
            }
            case Q8_K -> {
                for (int b = 0; b < n; b += QK_K) roundQ8_K(x, b, out);
            }
            default -> throw new IllegalArgumentException("not a vec_dot_type: " + type);
        }
        return out;
    }

    /**
     * One block of {@code quantize_row_q8_0} as the x86 build runs it (AVX/AVX2 branch): d = amax / 127 stored as
     * F16, q = x · (127 / amax) rounded to nearest even ({@code _mm256_round_ps}); the dot product sees F16(d) · q.
     */
    private static void roundQ8_0(float[] x, int from, float[] out) {
        float amax = 0;
        for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int j = 0; j < QK; j++) out[from + j] = d * (float) Math.rint(x[from + j] * id);
    }

    /**
     * One block of {@code quantize_row_q8_K_ref} (which {@code quantize_row_q8_K} calls on x86): the value of
     * largest magnitude (the first) maps to −127, iscale = −127 / max, q = min(127, nearest_int(iscale · x)),
     * d = 1 / iscale kept in float.
     */
    private static void roundQ8_K(float[] x, int from, float[] out) {
        float amax = 0, max = 0;
        for (int j = 0; j < QK_K; j++) {
            float ax = Math.abs(x[from + j]);
            if (ax > amax) {
                amax = ax;
                max = x[from + j];
            }
        }
        if (amax == 0) return; // out is already zero
        float iscale = -127f / max;
        float d = 1 / iscale;
        for (int j = 0; j < QK_K; j++) {
            out[from + j] = d * Math.min(127, nearestInt(iscale * x[from + j]));
        }
    }

    /** ggml's {@code nearest_int}: round to nearest, halves to even, through the float magic number 1.5·2^23. */
    private static int nearestInt(float v) {
        float shifted = v + 12582912f;
        return (Float.floatToRawIntBits(shifted) & 0x007fffff) - 0x00400000;
    }

    @Override
    public void matmul(Tensor w, float[] x, float[] out) {
        matmul(w, w.type(), x, out);
    }

    /**
     * W · x with x rounded as ggml rounds it for weights stored as {@code stored}, the product computed over
     * {@code w} (the stored tensor, or its dequantized copy: the same values).
     */
    void matmul(Tensor w, DType stored, float[] x, float[] out) {
        DType type = vecDotType(stored);
        float[] theirs = reference == null ? null : reference.get(w.name());
        if (reference != null) {
            if (theirs == null || theirs.length != w.cols()) {
                throw new IllegalStateException("llama.cpp has no input of " + w.cols() + " for " + w.name() + " here");
            }
            double diff = 0, scale = 0;
            for (int i = 0; i < theirs.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - theirs[i]));
                scale = Math.max(scale, Math.abs(theirs[i]));
            }
            worstInputGap = Math.max(worstInputGap, scale == 0 ? diff : diff / scale);
        }
        if (type == DType.F32) {
            base.matmul(w, x, out);
            return;
        }
        float[] mine = round(x, w.cols(), type);
        if (theirs != null) {
            float[] theirRounding = round(theirs, theirs.length, type);
            int block = type.blockSize();
            for (int b = 0; b < mine.length; b += block) {
                if (roundedApart(mine, theirRounding, b, block, type)) {
                    System.arraycopy(theirRounding, b, mine, b, block);
                    knifeEdges++;
                }
            }
        }
        base.matmul(w, mine, out);
    }

    @Override
    public float dotRow(Tensor w, int row, float[] x, int xOff) {
        DType type = vecDotType(w.type());
        if (type == DType.F32) return base.dotRow(w, row, x, xOff);
        float[] slice = new float[w.cols()];
        System.arraycopy(x, xOff, slice, 0, slice.length);
        return base.dotRow(w, row, round(slice, slice.length, type), 0);
    }

    /**
     * Whether two roundings of one block picked different levels. A Q8_K block's scale is 1/iscale in float, so
     * the last bits of the largest value move every element by an ulp: only a difference of half a level counts.
     */
    private static boolean roundedApart(float[] mine, float[] theirs, int from, int block, DType type) {
        if (type != DType.Q8_K) return !Arrays.equals(mine, from, from + block, theirs, from, from + block);
        float amax = 0;
        for (int i = from; i < from + block; i++) amax = Math.max(amax, Math.abs(theirs[i]));
        float half = amax / 127 / 2;
        for (int i = from; i < from + block; i++) if (Math.abs(mine[i] - theirs[i]) > half) return true;
        return false;
    }

    /**
     * {@link #gelu(float[], int, int)}, then, where a test follows llama.cpp, its table value for each element
     * whose input lay within 2% of an F16 step of a rounding boundary and whose value is not llama.cpp's, read from
     * llama.cpp's input of {@code nextProduct} (the product GELU's output goes to). Counted as knife edges.
     */
    void gelu(float[] x, int off, int n, String nextProduct) {
        float[] input = Arrays.copyOfRange(x, off, off + n);
        gelu(x, off, n);
        float[] theirs = reference == null ? null : reference.get(nextProduct);
        if (theirs == null) return;
        for (int i = 0; i < n; i++) {
            if (x[off + i] != theirs[i] && nearF16Boundary(input[i])) {
                x[off + i] = theirs[i];
                knifeEdges++;
            }
        }
    }

    /** Whether v lies within 2% of an F16 step of the midpoint between two F16 values. */
    private static boolean nearF16Boundary(float v) {
        float h = Float.float16ToFloat(Float.floatToFloat16(v));
        float other = Float.float16ToFloat((short) (Float.floatToFloat16(v) + (Math.abs(v) > Math.abs(h) ? 1 : -1)));
        float step = Math.abs(other - h);
        return Math.abs(Math.abs(v - h) - step / 2) < 0.02f * step;
    }

    /** ggml's table GELU: |x| ≥ 10 saturates; otherwise F16(gelu(F16(x))) from the table. */
    @Override
    public void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float v = x[i];
            if (v <= -10f) {
                x[i] = 0f;
            } else if (v < 10f) {
                x[i] = Float.float16ToFloat(GELU_TABLE[Float.floatToFloat16(v) & 0xFFFF]);
            }
        }
    }

    /** {@code ggml_table_gelu_f16[i] = fp16(ggml_gelu_f32(fp32(i)))}, the tanh approximation in float. */
    private static short[] geluTable() {
        short[] table = new short[1 << 16];
        for (int i = 0; i < table.length; i++) {
            float v = Float.float16ToFloat((short) i);
            float inner = 0.7978845608028654f * v * (1f + 0.044715f * v * v);
            table[i] = Float.floatToFloat16(0.5f * v * (1f + (float) Math.tanh(inner)));
        }
        return table;
    }

    @Override
    public String name() {
        return "ggml-rounding(" + base.name() + ")";
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return base.dot(a, aOff, b, bOff, n);
    }

    @Override
    public void dequantizeRow(Tensor w, int row, float[] out, int outOff) {
        base.dequantizeRow(w, row, out, outOff);
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        base.rmsnorm(out, outOff, x, xOff, weight, n, eps);
    }

    @Override
    public void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
        base.layernorm(out, outOff, x, xOff, weight, bias, n, eps);
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        base.softmax(x, off, n);
    }

    @Override
    public void rope(float[] x, int off, int nDims, float[] cos, float[] sin, RopeMode mode) {
        base.rope(x, off, nDims, cos, sin, mode);
    }

    @Override
    public void silu(float[] x, int off, int n) {
        base.silu(x, off, n);
    }

    @Override
    public void mul(float[] a, float[] b, int n) {
        base.mul(a, b, n);
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        base.axpy(alpha, x, xOff, y, yOff, n);
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        base.scale(x, off, n, alpha);
    }
}
