package ai.basalt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The obviously-correct reference kernels: plain loops, one element at a time. Kept forever as the test
 * oracle for faster implementations and as their fallback for shapes they do not handle.
 */
public final class ScalarTensorOps implements TensorOps {
    public static final ScalarTensorOps INSTANCE = new ScalarTensorOps();

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements per super-block of the k-quant types (ggml's QK_K). */
    static final int QK_K = 256;

    private ScalarTensorOps() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    @Override
    public float dotRow(Tensor w, int row, float[] x, int xOff) {
        int cols = w.cols();
        float[] buf = new float[cols];
        dequantizeRow(w, row, buf, 0);
        return dot(buf, 0, x, xOff, cols);
    }

    @Override
    public void dequantizeRow(Tensor w, int row, float[] out, int outOff) {
        MemorySegment seg = w.data();
        long base = row * w.rowBytes();
        int cols = w.cols();
        switch (w.type()) {
            case F32 -> {
                for (int i = 0; i < cols; i++) out[outOff + i] = seg.get(F32, base + 4L * i);
            }
            case F16 -> {
                for (int i = 0; i < cols; i++) out[outOff + i] = Float.float16ToFloat(seg.get(I16, base + 2L * i));
            }
            case BF16 -> {
                for (int i = 0; i < cols; i++) out[outOff + i] = bf16ToFloat(seg.get(I16, base + 2L * i));
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long block = base + 34L * b;
                    float d = Float.float16ToFloat(seg.get(I16, block));
                    for (int j = 0; j < 32; j++) {
                        out[outOff + 32 * b + j] = d * seg.get(ValueLayout.JAVA_BYTE, block + 2 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long block = base + 18L * b;
                    float d = Float.float16ToFloat(seg.get(I16, block));
                    for (int j = 0; j < 16; j++) {
                        int q = seg.get(ValueLayout.JAVA_BYTE, block + 2 + j) & 0xFF;
                        out[outOff + 32 * b + j] = d * ((q & 0x0F) - 8);
                        out[outOff + 32 * b + j + 16] = d * ((q >>> 4) - 8);
                    }
                }
            }
            case Q4_1, Q5_0, Q5_1 -> {
                int bytes = w.type().bytesPerBlock();
                for (int b = 0; b < cols / 32; b++) dequantizeSmallBlock(w.type(), seg, base + (long) bytes * b, out, outOff + 32 * b);
            }
            case Q4_K -> {
                for (int b = 0; b < cols / QK_K; b++) dequantizeNibbleK(seg, base + 144L * b, out, outOff + QK_K * b, false);
            }
            case Q5_K -> {
                for (int b = 0; b < cols / QK_K; b++) dequantizeNibbleK(seg, base + 176L * b, out, outOff + QK_K * b, true);
            }
            case Q6_K -> {
                for (int b = 0; b < cols / QK_K; b++) dequantizeQ6_K(seg, base + 210L * b, out, outOff + QK_K * b);
            }
            default -> throw new UnsupportedOperationException("no kernel for tensor type " + w.type() + " (" + w + ")");
        }
    }

    /**
     * block_q4_1, block_q5_0 and block_q5_1 ({@code dequantize_row_q4_1}, {@code dequantize_row_q5_0},
     * {@code dequantize_row_q5_1}): fp16 d; fp16 m in the affine types (q4_1, q5_1); in the 5-bit types a
     * little-endian uint32 whose bit j is the top bit of element j; then 16 bytes whose low nibbles are
     * elements 0-15 and high nibbles 16-31. y = (q − 16)·d for q5_0, q·d + m for the others.
     */
    private static void dequantizeSmallBlock(DType type, MemorySegment seg, long block, float[] out, int at) {
        float d = Float.float16ToFloat(seg.get(I16, block));
        boolean affine = type != DType.Q5_0;
        boolean fiveBit = type != DType.Q4_1;
        float m = affine ? Float.float16ToFloat(seg.get(I16, block + 2)) : 0f;
        long qh = affine ? block + 4 : block + 2;
        int high = fiveBit ? seg.get(I32, qh) : 0;
        long qs = fiveBit ? qh + 4 : qh;
        for (int j = 0; j < 32; j++) {
            int q = ((u8(seg, qs + j % 16) >> (4 * (j / 16))) & 0x0F) | ((high >>> j) & 1) << 4;
            out[at + j] = affine ? q * d + m : (q - 16) * d;
        }
    }

    /**
     * block_q4_K ({@code dequantize_row_q4_K}): fp16 d and dmin, 12 bytes of 6-bit sub-block scales and mins,
     * then 128 bytes of quants. Each 64 elements share 32 bytes: the low nibbles are the first 32 elements
     * (sub-block j even), the high nibbles the next 32; y = (d·scale)·q − dmin·min. block_q5_K
     * ({@code dequantize_row_q5_K}, {@code fiveBit}) has 32 bytes of fifth bits between the scales and the nibbles:
     * bit j of byte l is the top bit of element 32·j + l.
     */
    private static void dequantizeNibbleK(MemorySegment seg, long block, float[] out, int at, boolean fiveBit) {
        float d = Float.float16ToFloat(seg.get(I16, block));
        float dmin = Float.float16ToFloat(seg.get(I16, block + 2));
        long nibbles = fiveBit ? block + 48 : block + 16;
        for (int j = 0; j < QK_K / 32; j++) {
            float scale = d * kScale(seg, block + 4, j);
            float min = dmin * kMin(seg, block + 4, j);
            long qs = nibbles + 32L * (j / 2);
            for (int l = 0; l < 32; l++) {
                int low = (u8(seg, qs + l) >> (4 * (j % 2))) & 0x0F;
                int high = fiveBit ? (u8(seg, block + 16 + l) >> j) & 1 : 0;
                out[at + 32 * j + l] = scale * (low | high << 4) - min;
            }
        }
    }

    /**
     * block_q6_K ({@code dequantize_row_q6_K}): 128 bytes of low nibbles, 64 bytes of high bit pairs, 16 int8
     * sub-block scales, fp16 d last. Each 128 elements use 64 low-nibble bytes and 32 high-bit bytes: element
     * 32·k + l (k in [0, 4)) takes the low (k < 2) or high nibble of byte l + 32·(k % 2) and bits 2k, 2k+1 of
     * high byte l; q is that 6-bit value − 32 and y = (d·scale[e / 16])·q.
     */
    private static void dequantizeQ6_K(MemorySegment seg, long block, float[] out, int at) {
        float d = Float.float16ToFloat(seg.get(I16, block + 208));
        for (int half = 0; half < 2; half++) {
            long ql = block + 64L * half;
            long qh = block + 128 + 32L * half;
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < 32; l++) {
                    int low = (u8(seg, ql + l + 32 * (k % 2)) >> (4 * (k / 2))) & 0x0F;
                    int high = (u8(seg, qh + l) >> (2 * k)) & 3;
                    int e = 128 * half + 32 * k + l;
                    int scale = seg.get(ValueLayout.JAVA_BYTE, block + 192 + e / 16);
                    out[at + e] = d * scale * ((low | high << 4) - 32);
                }
            }
        }
    }

    /**
     * The 6-bit scale of sub-block j in [0, 8) of the 12 packed bytes at {@code scales} (ggml's
     * {@code get_scale_min_k4}): bytes 0-3 hold scales 0-3 in their low 6 bits, bytes 4-7 mins 0-3; scales
     * and mins 4-7 keep their low 4 bits in bytes 8-11 and their top 2 bits in the spare bits 6-7 of bytes 0-7.
     */
    static int kScale(MemorySegment seg, long scales, int j) {
        return j < 4 ? u8(seg, scales + j) & 63
                : (u8(seg, scales + j + 4) & 0x0F) | (u8(seg, scales + j - 4) >> 6) << 4;
    }

    /** The 6-bit min of sub-block j, packed as {@link #kScale} describes. */
    static int kMin(MemorySegment seg, long scales, int j) {
        return j < 4 ? u8(seg, scales + j + 4) & 63
                : (u8(seg, scales + j + 4) >> 4) | (u8(seg, scales + j) >> 6) << 4;
    }

    static int u8(MemorySegment seg, long at) {
        return seg.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** bfloat16 is the high half of an IEEE float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) (x[xOff + i] * x[xOff + i]);
        float mean = (float) (sum / n);
        float scale = (float) (1.0 / Math.sqrt(mean + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = (x[xOff + i] * scale) * weight[i];
    }

    @Override
    public void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xOff + i];
        float mean = (float) (sum / n);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            float d = x[xOff + i] - mean;
            sq += (double) (d * d);
        }
        float scale = (float) (1.0 / Math.sqrt((float) (sq / n) + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = (x[xOff + i] - mean) * scale * weight[i] + bias[i];
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[off + i] *= inv;
    }

    @Override
    public void rope(float[] x, int off, int nDims, float[] cos, float[] sin, RopeMode mode) {
        ropePairs(x, off, nDims, cos, sin, mode, 0);
    }

    /** Rotates pairs [from, nDims/2) one at a time: the reference, and the tail of vector kernels. */
    static void ropePairs(float[] x, int off, int nDims, float[] cos, float[] sin, RopeMode mode, int from) {
        int half = nDims / 2;
        for (int i = from; i < half; i++) {
            int a = mode == RopeMode.NORMAL ? off + 2 * i : off + i;
            int b = mode == RopeMode.NORMAL ? a + 1 : a + half;
            float x0 = x[a];
            float x1 = x[b];
            x[a] = x0 * cos[i] - x1 * sin[i];
            x[b] = x0 * sin[i] + x1 * cos[i];
        }
    }

    @Override
    public void silu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = (float) (x[i] / (1.0 + Math.exp(-x[i])));
    }

    /** √(2/π), the GELU tanh approximation's constant. */
    static final float GELU_K = 0.7978845608028654f;

    @Override
    public void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = gelu(x[i]);
    }

    static float gelu(float v) {
        return 0.5f * v * (1f + (float) Math.tanh(GELU_K * (v + 0.044715f * v * v * v)));
    }

    @Override
    public void mul(float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) a[i] *= b[i];
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        for (int i = off; i < off + n; i++) x[i] *= alpha;
    }
}
