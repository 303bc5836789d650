package ai.basalt.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;

/**
 * Every kernel written down directly in double precision, decoding stored weights on its own: the oracle
 * {@link ScalarTensorOps} is checked against. Each result is rounded to float once, at the end, except in
 * the decoders of types whose values ggml defines through several float operations (q4_1, q5_1 and the
 * k-quants: a product, then a sum): those round where ggml rounds, since that rounding is the format.
 */
final class DoubleReferenceOps implements TensorOps {
    static final DoubleReferenceOps INSTANCE = new DoubleReferenceOps();

    private DoubleReferenceOps() {}

    @Override
    public String name() {
        return "double";
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) a[aOff + i] * b[bOff + i];
        return (float) sum;
    }

    @Override
    public float dotRow(Tensor w, int row, float[] x, int xOff) {
        double[] weights = decode(w, row);
        double sum = 0;
        for (int i = 0; i < weights.length; i++) sum += weights[i] * x[xOff + i];
        return (float) sum;
    }

    @Override
    public void dequantizeRow(Tensor w, int row, float[] out, int outOff) {
        double[] weights = decode(w, row);
        for (int i = 0; i < weights.length; i++) out[outOff + i] = (float) weights[i];
    }

    /** Row {@code row} of {@code w} as doubles, read through a little-endian ByteBuffer. */
    static double[] decode(Tensor w, int row) {
        int cols = w.cols();
        long rowBytes = w.rowBytes();
        ByteBuffer buf = ByteBuffer.wrap(w.data().asSlice(row * rowBytes, rowBytes).toArray(ValueLayout.JAVA_BYTE))
                .order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[cols];
        for (int i = 0; i < cols; i++) {
            out[i] = switch (w.type()) {
                case F32 -> buf.getFloat(4 * i);
                case F16 -> Float.float16ToFloat(buf.getShort(2 * i));
                case BF16 -> Float.intBitsToFloat(buf.getShort(2 * i) << 16);
                case Q8_0 -> {
                    int block = 34 * (i / 32);
                    yield Float.float16ToFloat(buf.getShort(block)) * (double) buf.get(block + 2 + i % 32);
                }
                case Q4_0 -> {
                    int block = 18 * (i / 32);
                    int packed = buf.get(block + 2 + i % 16) & 0xFF;
                    int nibble = i % 32 < 16 ? packed & 0xF : packed >> 4;
                    yield Float.float16ToFloat(buf.getShort(block)) * (double) (nibble - 8);
                }
                case Q4_1 -> {
                    int block = 20 * (i / 32);
                    int packed = buf.get(block + 4 + i % 16) & 0xFF;
                    double q = i % 32 < 16 ? packed & 0xF : packed >> 4;
                    yield (float) (Float.float16ToFloat(buf.getShort(block)) * q) + (double) Float.float16ToFloat(buf.getShort(block + 2));
                }
                case Q5_0 -> {
                    int block = 22 * (i / 32);
                    int packed = buf.get(block + 6 + i % 16) & 0xFF;
                    int fifth = buf.getInt(block + 2) >>> (i % 32) & 1;
                    int q = (i % 32 < 16 ? packed & 0xF : packed >> 4) + 16 * fifth;
                    yield Float.float16ToFloat(buf.getShort(block)) * (double) (q - 16);
                }
                case Q5_1 -> {
                    int block = 24 * (i / 32);
                    int packed = buf.get(block + 8 + i % 16) & 0xFF;
                    int fifth = buf.getInt(block + 4) >>> (i % 32) & 1;
                    double q = (i % 32 < 16 ? packed & 0xF : packed >> 4) + 16 * fifth;
                    yield (float) (Float.float16ToFloat(buf.getShort(block)) * q) + (double) Float.float16ToFloat(buf.getShort(block + 2));
                }
                case Q4_K -> q4K(buf, 144 * (i / 256), i % 256);
                case Q5_K -> q5K(buf, 176 * (i / 256), i % 256);
                case Q6_K -> q6K(buf, 210 * (i / 256), i % 256);
                default -> throw new UnsupportedOperationException(w.type().toString());
            };
        }
        return out;
    }

    /**
     * Element e of the block_q4_K at byte {@code block}. Sub-block j = e / 32 has a 6-bit scale and min:
     * for j < 4 the low 6 bits of bytes j and j + 4; otherwise the nibbles of byte j + 4 topped by bits
     * 6-7 of bytes j − 4 (scale) and j (min). ggml rounds d·scale, that times q, and dmin·min each to float,
     * so this does too: the format's values are those roundings.
     */
    private static double q4K(ByteBuffer buf, int block, int e) {
        int packed = buf.get(block + 16 + 32 * (e / 64) + e % 32) & 0xFF;
        return affineK(buf, block, e, e / 32 % 2 == 0 ? packed % 16 : packed / 16);
    }

    /** Element e of the block_q5_K at byte {@code block}: q4_K's nibble (from byte 48) plus 16 · bit e / 32 of byte 16 + e % 32. */
    private static double q5K(ByteBuffer buf, int block, int e) {
        int packed = buf.get(block + 48 + 32 * (e / 64) + e % 32) & 0xFF;
        int fifth = (buf.get(block + 16 + e % 32) & 0xFF) >> (e / 32) & 1;
        return affineK(buf, block, e, (e / 32 % 2 == 0 ? packed % 16 : packed / 16) + 16 * fifth);
    }

    /** d·scale·q − dmin·min for element e of a q4_K or q5_K block whose quant is q. */
    private static double affineK(ByteBuffer buf, int block, int e, int q) {
        int j = e / 32;
        int[] s = new int[12];
        for (int k = 0; k < 12; k++) s[k] = buf.get(block + 4 + k) & 0xFF;
        int scale = j < 4 ? s[j] % 64 : s[j + 4] % 16 + 16 * (s[j - 4] / 64);
        int min = j < 4 ? s[j + 4] % 64 : s[j + 4] / 16 + 16 * (s[j] / 64);
        float d = Float.float16ToFloat(buf.getShort(block)) * (float) scale;
        float m = Float.float16ToFloat(buf.getShort(block + 2)) * (float) min;
        return (float) (d * (float) q) - m;
    }

    /**
     * Element e of the block_q6_K at byte {@code block}: in half h = e / 128, at position r = e % 128, the
     * 4 low bits come from ql byte 64h + r % 64 (low nibble if r < 64), the 2 high bits from qh byte
     * 128 + 32h + r % 32 (pair r / 32); minus 32, times d (last) times int8 scale e / 16, rounded as ggml does.
     */
    private static double q6K(ByteBuffer buf, int block, int e) {
        int h = e / 128;
        int r = e % 128;
        int low = buf.get(block + 64 * h + r % 64) & 0xFF;
        int high = buf.get(block + 128 + 32 * h + r % 32) & 0xFF;
        int q = (r < 64 ? low % 16 : low / 16) + 16 * (high / (1 << 2 * (r / 32)) % 4) - 32;
        float scale = Float.float16ToFloat(buf.getShort(block + 208)) * (float) buf.get(block + 192 + e / 16);
        return scale * (float) q;
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) x[xOff + i] * x[xOff + i];
        double scale = 1.0 / Math.sqrt(sum / n + eps);
        for (int i = 0; i < n; i++) out[outOff + i] = (float) (x[xOff + i] * scale * weight[i]);
    }

    @Override
    public void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
        double mean = 0;
        for (int i = 0; i < n; i++) mean += x[xOff + i];
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) var += (x[xOff + i] - mean) * (x[xOff + i] - mean);
        double scale = 1.0 / Math.sqrt(var / n + eps);
        for (int i = 0; i < n; i++) out[outOff + i] = (float) ((x[xOff + i] - mean) * scale * weight[i] + bias[i]);
    }

    @Override
    public void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        }
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double[] e = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            e[i] = Math.exp(x[off + i] - max);
            sum += e[i];
        }
        for (int i = 0; i < n; i++) x[off + i] = (float) (e[i] / sum);
    }

    @Override
    public void rope(float[] x, int off, int nDims, float[] cos, float[] sin, RopeMode mode) {
        int half = nDims / 2;
        for (int i = 0; i < half; i++) {
            int a = mode == RopeMode.NORMAL ? off + 2 * i : off + i;
            int b = mode == RopeMode.NORMAL ? a + 1 : a + half;
            double x0 = x[a];
            double x1 = x[b];
            x[a] = (float) (x0 * cos[i] - x1 * sin[i]);
            x[b] = (float) (x0 * sin[i] + x1 * cos[i]);
        }
    }

    @Override
    public void silu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = (float) (x[i] / (1.0 + Math.exp(-(double) x[i])));
    }

    @Override
    public void mul(float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) a[i] = (float) ((double) a[i] * b[i]);
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = (float) (y[yOff + i] + (double) alpha * x[xOff + i]);
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        for (int i = off; i < off + n; i++) x[i] = (float) ((double) x[i] * alpha);
    }
}
