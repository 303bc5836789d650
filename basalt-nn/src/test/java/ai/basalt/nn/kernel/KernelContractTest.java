package ai.basalt.nn.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * Each Vector API kernel against its scalar reference over awkward sizes (tails, block edges), with a
 * tolerance that grows with the size; and the lane-wise exp against its scalar twin, bit for bit.
 */
class KernelContractTest {
    private static final int[] SIZES = {1, 3, 7, 13, 31, 32, 33, 207, 4098};

    private static float[] random(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * scale;
        return a;
    }

    /** |a − b| ≤ tol · (1 + log2 n) · max(|b|, 0.05 · max|b|, 1e-6). */
    static void close(String what, int n, float[] a, float[] b, double tol) {
        double scale = 0;
        for (float v : b) scale = Math.max(scale, Math.abs(v));
        double allowed = tol * (1 + Math.log(n + 1) / Math.log(2));
        for (int i = 0; i < b.length; i++) {
            double err = Math.abs(a[i] - b[i]) / Math.max(Math.max(Math.abs(b[i]), 0.05 * scale), 1e-6);
            if (!(err <= allowed)) throw new AssertionError(what + " n=" + n + " at " + i + ": " + a[i] + " vs reference " + b[i]);
        }
    }

    @Test
    void laneExpIsItsScalarTwinBitForBitAndWithinTwoUlpOfMath() {
        Random rnd = new Random(1);
        int l = Lanes.L;
        float[] x = new float[l * 4096], y = new float[x.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((rnd.nextDouble() * 2 - 1) * 90);
        x[0] = 0f;
        x[1] = -0f;
        x[2] = Float.NEGATIVE_INFINITY;
        x[3] = 88f;
        for (int i = 0; i < x.length; i += l) Lanes.exp(FloatVector.fromArray(Lanes.F, x, i)).intoArray(y, i);
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.floatToRawIntBits(y[i])).as("exp(%s)", x[i]).isEqualTo(Float.floatToRawIntBits(Lanes.exp(x[i])));
            if (x[i] > -87f && x[i] < 88f) {
                float exact = (float) Math.exp(x[i]);
                assertThat(Math.abs(y[i] - exact)).as("exp(%s)", x[i]).isLessThanOrEqualTo(2 * Math.ulp(exact));
            }
        }
        assertThat(Lanes.exp(0f)).isEqualTo(1f);
        assertThat(Lanes.exp(Float.NEGATIVE_INFINITY)).isLessThan(1e-37f);
    }

    @Test
    void elementwiseActivations() {
        for (int n : SIZES) {
            Random rnd = new Random(n);
            float[] x = random(rnd, n, 3f), b = random(rnd, n, 1f), dout = random(rnd, n, 1f);
            float[] out = new float[n], ref = new float[n], dx = new float[n], dxRef = new float[n];
            GeluKernel.forward(out, x, n, GeluApproximation.TANH);
            GeluKernel.backward(dx, dout, x, n, GeluApproximation.TANH);
            for (int i = 0; i < n; i++) {
                ref[i] = GeluKernel.gelu(x[i], GeluApproximation.TANH);
                dxRef[i] = dout[i] * GeluKernel.derivative(x[i], GeluApproximation.TANH);
            }
            close("gelu", n, out, ref, 1e-6);
            close("gelu backward", n, dx, dxRef, 1e-6);
            // the saved exponentials give the backward the same bits as recomputing them, forward unchanged
            float[] saved = new float[n], outSaved = new float[n], dxSaved = new float[n];
            GeluKernel.forward(outSaved, saved, x, n, GeluApproximation.TANH);
            GeluKernel.backward(dxSaved, dout, x, saved, n, GeluApproximation.TANH);
            assertThat(outSaved).as("gelu with saved n=%d", n).isEqualTo(out);
            assertThat(dxSaved).as("gelu backward from saved n=%d", n).isEqualTo(dx);
            float[] da = new float[n], db = new float[n], daRef = new float[n], dbRef = new float[n];
            SwiGluKernel.forward(out, x, b, n);
            SwiGluKernel.backward(da, db, dout, x, b, n);
            for (int i = 0; i < n; i++) {
                float s = SwiGluKernel.sigmoid(x[i]);
                ref[i] = x[i] * s * b[i];
                daRef[i] = dout[i] * b[i] * s * (1 + x[i] * (1 - s));
                dbRef[i] = dout[i] * x[i] * s;
            }
            close("swiglu", n, out, ref, 1e-6);
            close("swiglu da", n, da, daRef, 1e-6);
            close("swiglu db", n, db, dbRef, 1e-6);
        }
    }

    @Test
    void norms() {
        for (int c : SIZES) {
            int n = 5;
            Random rnd = new Random(c);
            float[] x = random(rnd, n * c, 2f), w = random(rnd, c, 1f), b = random(rnd, c, 1f), dout = random(rnd, n * c, 1f);
            float[][] vec = {new float[n * c], new float[n], new float[n], new float[n * c], new float[c], new float[c]};
            float[][] ref = {new float[n * c], new float[n], new float[n], new float[n * c], new float[c], new float[c]};
            LayerNormKernel.forward(vec[0], vec[1], vec[2], x, w, b, n, c, 1e-5f);
            LayerNormKernel.backward(vec[3], vec[4], vec[5], dout, x, w, vec[1], vec[2], n, c);
            LayerNormKernel.forwardScalar(ref[0], ref[1], ref[2], x, w, b, n, c, 1e-5f);
            LayerNormKernel.backwardScalar(ref[3], ref[4], ref[5], dout, x, w, ref[1], ref[2], n, c);
            String[] names = {"layerNorm out", "mean", "rstd", "dx", "dweight", "dbias"};
            for (int k = 0; k < names.length; k++) close(names[k], c, vec[k], ref[k], 2e-6);
            float[] out = new float[n * c], outRef = new float[n * c], rr = new float[n], rrRef = new float[n];
            float[] dx = new float[n * c], dxRef = new float[n * c], dw = new float[c], dwRef = new float[c];
            RmsNormKernel.forward(out, rr, x, w, n, c, 1e-6f);
            RmsNormKernel.backward(dx, dw, dout, x, w, rr, n, c);
            RmsNormKernel.forwardScalar(outRef, rrRef, x, w, n, c, 1e-6f);
            RmsNormKernel.backwardScalar(dxRef, dwRef, dout, x, w, rrRef, n, c);
            close("rmsNorm out", c, out, outRef, 2e-6);
            close("rmsNorm dx", c, dx, dxRef, 2e-6);
            close("rmsNorm dweight", c, dw, dwRef, 2e-6);
        }
    }

    @Test
    void crossEntropy() {
        for (int v : SIZES) {
            int n = 4;
            Random rnd = new Random(v);
            float[] logits = random(rnd, n * v, 4f);
            int[] targets = {0, v - 1, -100, v / 2};
            float[] losses = new float[n], lse = new float[n], lossesRef = new float[n], lseRef = new float[n];
            CrossEntropyKernel.forward(losses, lse, logits, targets, 0, n, v, -100);
            CrossEntropyKernel.forwardScalar(lossesRef, lseRef, logits, targets, 0, n, v, -100);
            close("crossEntropy losses", v, losses, lossesRef, 1e-6);
            float[] d = new float[n * v], dRef = new float[n * v];
            CrossEntropyKernel.backward(d, 0.25f, logits, lse, targets, 0, n, v, -100);
            CrossEntropyKernel.backwardScalar(dRef, 0.25f, logits, lseRef, targets, 0, n, v, -100);
            close("crossEntropy dlogits", v, d, dRef, 1e-6);
        }
    }

    @Test
    void columnSumsMatchTheReferenceBitForBit() {
        for (int cols : new int[] {1, 15, 16, 17, 64, 65, 130, 8192}) {
            for (int rows : new int[] {1, 3, 768}) {
                Random rnd = new Random(cols * 7L + rows);
                float[] src = random(rnd, rows * cols + 5, 1f);
                float[] start = random(rnd, cols + 3, 1f);
                float[] vec = start.clone(), ref = start.clone();
                ColumnSums.accumulate(vec, 3, src, 5, rows, cols);
                ColumnSums.accumulateScalar(ref, 3, src, 5, rows, cols);
                assertThat(vec).as("cols %d rows %d", cols, rows).containsExactly(ref);
            }
        }
    }

    @Test
    void attention() {
        int[][] shapes = {{1, 1, 1, 1, 1}, {2, 3, 2, 1, 3}, {1, 7, 4, 2, 16}, {2, 13, 3, 3, 33}, {1, 33, 4, 1, 8}, {1, 65, 2, 2, 64},
                {2, 64, 2, 1, 32}, {1, 100, 3, 3, 64}, {1, 37, 2, 2, 128}, {2, 256, 2, 2, 64}};
        for (int[] s : shapes) {
            int b = s[0], t = s[1], h = s[2], kvh = s[3], hs = s[4];
            Random rnd = new Random(t * 31 + hs);
            float[] q = random(rnd, b * t * h * hs, 1f), k = random(rnd, b * t * kvh * hs, 1f), v = random(rnd, b * t * kvh * hs, 1f);
            float[] dout = random(rnd, q.length, 1f);
            float[][] vec = {new float[q.length], new float[b * h * t * t], new float[q.length], new float[k.length], new float[v.length]};
            float[][] ref = {new float[q.length], new float[b * h * t * t], new float[q.length], new float[k.length], new float[v.length]};
            AttentionKernel.forward(vec[0], vec[1], q, k, v, b, t, h, kvh, hs);
            AttentionKernel.backward(vec[2], vec[3], vec[4], dout, q, k, v, vec[1], b, t, h, kvh, hs);
            AttentionKernel.forwardScalar(ref[0], ref[1], q, k, v, b, t, h, kvh, hs);
            AttentionKernel.backwardScalar(ref[2], ref[3], ref[4], dout, q, k, v, ref[1], b, t, h, kvh, hs);
            String[] names = {"out", "att", "dq", "dk", "dv"};
            for (int i = 0; i < names.length; i++) close("attention " + names[i] + " T=" + t + " hs=" + hs, t * hs, vec[i], ref[i], 2e-6);
        }
    }
}
