package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import jdk.incubator.vector.FloatVector;

/**
 * SiLU (Elfwing et al. 2017), {@code x · σ(x)}, and the gated unit built on it, SwiGLU (Shazeer 2020):
 * {@code silu(a) · b}, fused so the gate's activation is never stored. Shapes: every array (n).
 * Vector API lanes with the scalar formulas ({@link #sigmoid}) finishing the tail and serving as reference.
 */
public final class SwiGluKernel {
    private SwiGluKernel() {}

    /** σ(x), the scalar reference. */
    public static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /** out ← x · σ(x). */
    public static void siluForward(float[] out, float[] x, int n) {
        forward(out, x, null, n);
    }

    /** dx += dout · σ(x) · (1 + x · (1 − σ(x))). */
    public static void siluBackward(float[] dx, float[] dout, float[] x, int n) {
        backward(dx, null, dout, x, null, n);
    }

    /** out ← silu(a) · b; b null means 1 (plain SiLU). */
    public static void forward(float[] out, float[] a, float[] b, int n) {
        Lanes.forBlocks(n, 4, (i0, i1) -> {
            int i = i0;
            for (int end = Lanes.vectorEnd(i0, i1); i < end; i += L) {
                FloatVector va = FloatVector.fromArray(F, a, i);
                FloatVector y = va.mul(Lanes.sigmoid(va));
                (b == null ? y : y.mul(FloatVector.fromArray(F, b, i))).intoArray(out, i);
            }
            for (; i < i1; i++) out[i] = a[i] * sigmoid(a[i]) * (b == null ? 1f : b[i]);
        });
    }

    /**
     * da += dout · b · silu′(a), db += dout · silu(a); either may be null; b null means 1 (plain SiLU,
     * and then db must be null).
     */
    public static void backward(float[] da, float[] db, float[] dout, float[] a, float[] b, int n) {
        Lanes.forBlocks(n, 6, (i0, i1) -> {
            int i = i0;
            for (int end = Lanes.vectorEnd(i0, i1); i < end; i += L) {
                FloatVector va = FloatVector.fromArray(F, a, i);
                FloatVector s = Lanes.sigmoid(va);
                FloatVector d = FloatVector.fromArray(F, dout, i);
                if (da != null) {
                    FloatVector dSilu = s.mul(va.mul(s.neg().add(1f)).add(1f));
                    FloatVector g = b == null ? d : d.mul(FloatVector.fromArray(F, b, i));
                    g.fma(dSilu, FloatVector.fromArray(F, da, i)).intoArray(da, i);
                }
                if (db != null) d.fma(va.mul(s), FloatVector.fromArray(F, db, i)).intoArray(db, i);
            }
            for (; i < i1; i++) {
                float s = sigmoid(a[i]);
                float bi = b == null ? 1f : b[i];
                if (da != null) da[i] += dout[i] * bi * s * (1f + a[i] * (1f - s));
                if (db != null) db[i] += dout[i] * a[i] * s;
            }
        });
    }
}
