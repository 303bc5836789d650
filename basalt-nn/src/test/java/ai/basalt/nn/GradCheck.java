package ai.basalt.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Finite-difference gradient check. The op's output y is reduced to L = Σ r·y with fixed random weights r
 * (a custom op written through the extension API, so it does not lean on the primitives under test);
 * every element of every input that needs a gradient is then nudged by ±eps and the central difference
 * (L(x+eps) − L(x−eps)) / 2eps, with L summed in double, is compared with the analytic gradient. Float
 * rounding makes the difference noisy at about 1e-4 of the gradient's scale, so the tolerance is relative
 * to the larger of the element's and the input's largest gradient.
 */
final class GradCheck {
    /** The computation under test, rebuilt for every evaluation. */
    interface Fn {
        Var apply(Graph g, Var[] inputs);
    }

    private GradCheck() {}

    /** Random values in [−scale, scale) from a seeded generator. */
    static float[] random(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextFloat() * 2f - 1f) * scale;
        return a;
    }

    /** A leaf that needs gradients, filled with values in [−scale, scale). */
    static Var input(Random rnd, float scale, int... shape) {
        return Var.leaf("in", random(rnd, Var.sizeOf(shape), scale), true, shape);
    }

    static double weightedSum(Var y, float[] r) {
        double s = 0;
        for (int i = 0; i < y.size(); i++) s += (double) r[i] * y.data()[i];
        return s;
    }

    /** L = Σ r·y as a custom op: forward in double, backward dy += r·dL. */
    static Var weighted(Graph g, Var y, float[] r) {
        Var out = g.output("weighted", new int[0], y);
        out.data()[0] = (float) weightedSum(y, r);
        g.record(out, () -> {
            float[] dy = g.grad(y);
            float d = out.grad()[0];
            for (int i = 0; i < y.size(); i++) dy[i] += r[i] * d;
        });
        return out;
    }

    static void check(String what, long seed, Fn fn, double eps, double tol, Var... inputs) {
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        Graph g = new Graph();
        Var y = fn.apply(g, inputs);
        float[] r = random(rnd, y.size(), 1f);
        for (Var in : inputs) in.zeroGrad();
        g.backward(weighted(g, y, r));
        List<float[]> analytic = new ArrayList<>();
        for (Var in : inputs) analytic.add(in.grad() == null ? new float[in.size()] : in.grad().clone());
        g.reset();
        for (int k = 0; k < inputs.length; k++) {
            Var in = inputs[k];
            if (!in.requiresGrad()) continue;
            float[] an = analytic.get(k);
            double scale = 0;
            for (float v : an) scale = Math.max(scale, Math.abs(v));
            float[] x = in.data();
            for (int j = 0; j < in.size(); j++) {
                float orig = x[j];
                x[j] = (float) (orig + eps);
                double plus = evaluate(g, fn, inputs, r);
                x[j] = (float) (orig - eps);
                double minus = evaluate(g, fn, inputs, r);
                x[j] = orig;
                double step = ((double) (float) (orig + eps) - (float) (orig - eps));
                double fd = (plus - minus) / step;
                double err = Math.abs(fd - an[j]);
                double allowed = tol * Math.max(Math.max(Math.abs(fd), Math.abs(an[j])), Math.max(0.05 * scale, 1e-3));
                if (!(err <= allowed)) {
                    throw new AssertionError(what + ": input " + k + " element " + j + ": analytic " + an[j]
                            + ", finite difference " + fd + " (seed " + seed + ")");
                }
            }
        }
    }

    private static double evaluate(Graph g, Fn fn, Var[] inputs, float[] r) {
        g.setGradEnabled(false);
        double v = weightedSum(fn.apply(g, inputs), r);
        g.reset();
        g.setGradEnabled(true);
        return v;
    }
}
