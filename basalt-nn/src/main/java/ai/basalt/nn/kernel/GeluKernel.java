package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * GELU (Hendrycks and Gimpel 2016) element-wise, in the two forms of {@code torch.nn.GELU} and with
 * PyTorch's derivative formulas (aten {@code GeluKernel}). Shapes: x, out, dx, dout (n).
 *
 * <p>{@link #gelu} and {@link #derivative} are the scalar reference; the tanh form runs in Vector API
 * lanes (GPT-2's MLP spends more time here than in anything but its matrix products).
 */
public final class GeluKernel {
    /** √(2/π). */
    private static final float BETA = (float) Math.sqrt(2.0 / Math.PI);
    private static final float KAPPA = 0.044715f;
    private static final double SQRT1_2 = Math.sqrt(0.5);
    /** 1/√(2π): the normal density at 0. */
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private GeluKernel() {}

    /** out ← gelu(x). */
    public static void forward(float[] out, float[] x, int n, GeluApproximation approx) {
        forward(out, null, x, n, approx);
    }

    /**
     * out ← gelu(x), and for the tanh form saved ← e^{−2u} (n), which {@link #backward(float[], float[], float[],
     * float[], int, GeluApproximation)} takes instead of recomputing the exponential. Only the whole vectors
     * of each block are written (the backward's scalar tail uses the reference); saved may be null, and is
     * not written for the exact form.
     */
    public static void forward(float[] out, float[] saved, float[] x, int n, GeluApproximation approx) {
        if (approx == GeluApproximation.NONE) {
            Parallel.forRows(n, 32, (i0, i1) -> {
                for (int i = i0; i < i1; i++) out[i] = gelu(x[i], approx);
            });
            return;
        }
        Lanes.forBlocks(n, 4, (i0, i1) -> {
            int i = i0;
            for (int end = Lanes.vectorEnd(i0, i1); i < end; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector e = Lanes.exp(v.mul(v).mul(v).mul(KAPPA).add(v).mul(-2f * BETA));
                v.div(e.add(1f)).intoArray(out, i);
                if (saved != null) e.intoArray(saved, i);
            }
            for (; i < i1; i++) out[i] = gelu(x[i], approx); // the backward's tail recomputes in double
        });
    }

    /** dx += dout · gelu′(x). */
    public static void backward(float[] dx, float[] dout, float[] x, int n, GeluApproximation approx) {
        backward(dx, dout, x, null, n, approx);
    }

    /**
     * dx += dout · gelu′(x), reading e^{−2u} from saved (as {@link #forward(float[], float[], float[], int,
     * GeluApproximation)} left it) for the tanh form; with saved null the exponential is recomputed.
     */
    public static void backward(float[] dx, float[] dout, float[] x, float[] saved, int n, GeluApproximation approx) {
        if (approx == GeluApproximation.NONE) {
            Parallel.forRows(n, 32, (i0, i1) -> {
                for (int i = i0; i < i1; i++) dx[i] += dout[i] * derivative(x[i], approx);
            });
            return;
        }
        Lanes.forBlocks(n, saved == null ? 6 : 3, (i0, i1) -> {
            int i = i0;
            for (int end = Lanes.vectorEnd(i0, i1); i < end; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector sq = v.mul(v);
                FloatVector e = saved != null ? FloatVector.fromArray(F, saved, i)
                        : Lanes.exp(sq.mul(v).mul(KAPPA).add(v).mul(-2f * BETA));
                FloatVector s = FloatVector.broadcast(F, 1f).div(e.add(1f));
                FloatVector dInner = sq.mul(3f * KAPPA).add(1f).mul(BETA);
                FloatVector local = v.mul(2f).mul(s).mul(e.mul(s)).mul(dInner).add(s);
                FloatVector.fromArray(F, dout, i).fma(local, FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
            }
            for (; i < i1; i++) dx[i] += dout[i] * derivative(x[i], approx);
        });
    }

    /**
     * gelu(x) for one value, the reference. The tanh form is evaluated as x · σ(2u), u = √(2/π)(x + κx³),
     * which equals 0.5 · x · (1 + tanh u) without its cancellation for negative x.
     */
    public static float gelu(float x, GeluApproximation approx) {
        if (approx == GeluApproximation.TANH) {
            double u = BETA * (x + KAPPA * (double) x * x * x);
            return (float) (x / (1.0 + Math.exp(-2.0 * u)));
        }
        return (float) (0.5 * x * (1.0 + erf(x * SQRT1_2)));
    }

    /**
     * gelu′(x) for one value, the reference. Tanh form: with s = σ(2u) and e = e^{−2u}, PyTorch's
     * 0.5(1 + tanh u) + 0.5x(1 − tanh²u)·u′ is s + 2x·s·(e·s)·u′, since 1 − s = e·s.
     */
    public static float derivative(float x, GeluApproximation approx) {
        if (approx == GeluApproximation.TANH) {
            double u = BETA * (x + KAPPA * (double) x * x * x);
            double e = Math.exp(-2.0 * u);
            double s = 1.0 / (1.0 + e);
            double dInner = BETA * (1.0 + 3.0 * KAPPA * (double) x * x);
            return (float) (s + 2.0 * x * s * (e * s) * dInner);
        }
        double cdf = 0.5 * (1.0 + erf(x * SQRT1_2));
        double pdf = Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
        return (float) (cdf + x * pdf);
    }

    /**
     * The error function to about 1e-9 absolute, which float rounding hides: the Maclaurin series
     * (Abramowitz and Stegun 7.1.5) below 1, and the Chebyshev fit of erfc with fractional error under
     * 1.2e-7 (Numerical Recipes, 2nd ed., §6.2) above, where erfc is below 0.16.
     */
    public static double erf(double x) {
        double z = Math.abs(x);
        if (z < 1.0) {
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int k = 1; k < 20; k++) {
                term *= -x2 / k;
                sum += term / (2 * k + 1);
            }
            return sum * 2.0 / Math.sqrt(Math.PI);
        }
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}
