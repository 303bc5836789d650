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
            default -> throw new UnsupportedOperationException("no kernel for tensor type " + w.type() + " (" + w + ")");
        }
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
