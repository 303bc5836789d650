package ai.basalt.nn.optim;

import ai.basalt.nn.Var;
import ai.basalt.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019) with the exact arithmetic of
 * {@code torch.optim.AdamW} in PyTorch 1.13 (the single-tensor path): per parameter,
 * <pre>
 *   step += 1
 *   p ← p · (1 − lr·wd)
 *   m ← m·β1 + (1 − β1)·g
 *   v ← v·β2 + (1 − β2)·g·g
 *   p ← p + (−lr / (1 − β1^step)) · m / (√v / √(1 − β2^step) + eps)
 * </pre>
 * Scalars are computed in double, as Python does, and rounded to float where PyTorch hands them to a
 * float kernel. Like PyTorch, a parameter whose gradient was never allocated is skipped and keeps its own
 * step count. The moments and step counts are exposed for checkpoints; the trainer writes the file.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final List<Var> params = new ArrayList<>();
    /** Per parameter: the decay of its group. */
    private final double[] weightDecay;
    /** Per parameter, the first moment (param size). */
    private final float[][] expAvg;
    /** Per parameter, the second moment (param size). */
    private final float[][] expAvgSq;
    private final long[] steps;

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 " + beta1 + " is outside [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 " + beta2 + " is outside [0, 1)");
        if (!(eps >= 0)) throw new IllegalArgumentException("eps " + eps + " must be at least 0");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        List<Double> decays = new ArrayList<>();
        for (ParamGroup group : groups) {
            for (Var p : group.params()) {
                if (params.contains(p)) throw new IllegalArgumentException("parameter " + p + " is in more than one group");
                params.add(p);
                decays.add(group.weightDecay());
            }
        }
        int n = params.size();
        this.weightDecay = new double[n];
        this.expAvg = new float[n][];
        this.expAvgSq = new float[n][];
        this.steps = new long[n];
        for (int i = 0; i < n; i++) {
            weightDecay[i] = decays.get(i);
            expAvg[i] = new float[params.get(i).size()];
            expAvgSq[i] = new float[params.get(i).size()];
        }
    }

    /** AdamW with PyTorch's defaults β = (0.9, 0.999), eps = 1e-8. */
    public AdamW(List<ParamGroup> groups) {
        this(groups, 0.9, 0.999, 1e-8);
    }

    /** One update of every parameter that has a gradient, at learning rate lr. */
    public void step(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate " + lr + " must be at least 0");
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad();
            if (g == null) continue;
            steps[i]++;
            update(params.get(i).data(), g, expAvg[i], expAvgSq[i], params.get(i).size(), lr, weightDecay[i], steps[i]);
        }
    }

    private void update(float[] p, float[] g, float[] m, float[] v, int n, double lr, double wd, long step) {
        float decay = (float) (1 - lr * wd);
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        float negStepSize = (float) -(lr / biasCorrection1);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float epsF = (float) eps;
        Parallel.forRows(n, 16, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float pi = p[i] * decay;
                float mi = m[i] * b1 + oneMinusB1 * g[i];
                float vi = v[i] * b2 + oneMinusB2 * g[i] * g[i];
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + epsF;
                p[i] = pi + negStepSize * mi / denom;
                m[i] = mi;
                v[i] = vi;
            }
        });
    }

    /** Sets every parameter's gradient to zeros, keeping the arrays. */
    public void zeroGrad() {
        for (Var p : params) p.zeroGrad();
    }

    /** The parameters, in state order. */
    public List<Var> params() {
        return List.copyOf(params);
    }

    /** The first-moment array of parameter i (live: a checkpoint reads it, a resume writes it). */
    public float[] expAvg(int i) {
        return expAvg[i];
    }

    /** The second-moment array of parameter i (live). */
    public float[] expAvgSq(int i) {
        return expAvgSq[i];
    }

    /** How many updates parameter i has had. */
    public long step(int i) {
        return steps[i];
    }

    /** Restores parameter i's step count from a checkpoint. */
    public void setStep(int i, long step) {
        if (step < 0) throw new IllegalArgumentException("step " + step + " of parameter " + params.get(i) + " is negative");
        steps[i] = step;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }
}
