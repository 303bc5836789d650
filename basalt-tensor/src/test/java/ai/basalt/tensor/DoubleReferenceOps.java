package ai.basalt.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;

/**
 * Every kernel written down directly in double precision, decoding stored weights on its own: the oracle
 * {@link ScalarTensorOps} is checked against. Each result is rounded to float once, at the end.
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
                default -> throw new UnsupportedOperationException(w.type().toString());
            };
        }
        return out;
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
