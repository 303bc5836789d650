package ai.basalt.nn.optim;

import ai.basalt.nn.Var;
import ai.basalt.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Elements per parallel chunk of {@link #step}. */
    private static final int CHUNK = 4096;
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

    /**
     * One update of every parameter that has a gradient, at learning rate lr. The parameters are cut into
     * chunks of {@link #CHUNK} elements that run in parallel; the update is element-wise, so the bits do not
     * depend on the thread count or the chunking.
     */
    public void step(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate " + lr + " must be at least 0");
        int n = params.size();
        Coefficients[] coefs = new Coefficients[n];
        int chunks = 0;
        for (int i = 0; i < n; i++) {
            if (params.get(i).grad() == null) continue;
            steps[i]++;
            coefs[i] = coefficients(lr, weightDecay[i], steps[i]);
            chunks += Math.max(1, (params.get(i).size() + CHUNK - 1) / CHUNK);
        }
        int[] chunkParam = new int[chunks], chunkStart = new int[chunks];
        for (int i = 0, c = 0; i < n; i++) {
            if (coefs[i] == null) continue;
            int s = 0;
            do {
                chunkParam[c] = i;
                chunkStart[c++] = s;
                s += CHUNK;
            } while (s < params.get(i).size());
        }
        Parallel.forRows(chunks, 16L * CHUNK, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                int i = chunkParam[c], start = chunkStart[c];
                Var p = params.get(i);
                update(p.data(), p.grad(), expAvg[i], expAvgSq[i], start, Math.min(p.size(), start + CHUNK), coefs[i]);
            }
        });
    }

    /** The reference: {@link #step} one element at a time on one thread. */
    public void stepScalar(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate " + lr + " must be at least 0");
        for (int i = 0; i < params.size(); i++) {
            float[] g = params.get(i).grad();
            if (g == null) continue;
            steps[i]++;
            updateScalar(params.get(i).data(), g, expAvg[i], expAvgSq[i], 0, params.get(i).size(),
                    coefficients(lr, weightDecay[i], steps[i]));
        }
    }

    /** The float scalars of one parameter's update, computed in double and rounded as PyTorch does. */
    private record Coefficients(float decay, float b1, float b2, float oneMinusB1, float oneMinusB2, float negStepSize,
            float bc2Sqrt, float eps) {}

    private Coefficients coefficients(double lr, double wd, long step) {
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        return new Coefficients((float) (1 - lr * wd), (float) beta1, (float) beta2, (float) (1 - beta1),
                (float) (1 - beta2), (float) -(lr / biasCorrection1), (float) Math.sqrt(biasCorrection2), (float) eps);
    }

    /** Elements [start, end) in vector lanes: the same IEEE operations in the same order as the scalar loop. */
    private static void update(float[] p, float[] g, float[] m, float[] v, int start, int end, Coefficients k) {
        int i = start;
        for (int e = start + F.loopBound(end - start); i < e; i += L) {
            FloatVector gi = FloatVector.fromArray(F, g, i);
            FloatVector pi = FloatVector.fromArray(F, p, i).mul(k.decay);
            FloatVector mi = FloatVector.fromArray(F, m, i).mul(k.b1).add(gi.mul(k.oneMinusB1));
            FloatVector vi = FloatVector.fromArray(F, v, i).mul(k.b2).add(gi.mul(k.oneMinusB2).mul(gi));
            FloatVector denom = vi.sqrt().div(k.bc2Sqrt).add(k.eps);
            pi.add(mi.mul(k.negStepSize).div(denom)).intoArray(p, i);
            mi.intoArray(m, i);
            vi.intoArray(v, i);
        }
        updateScalar(p, g, m, v, i, end, k);
    }

    private static void updateScalar(float[] p, float[] g, float[] m, float[] v, int start, int end, Coefficients k) {
        for (int i = start; i < end; i++) {
            float pi = p[i] * k.decay;
            float mi = m[i] * k.b1 + k.oneMinusB1 * g[i];
            float vi = v[i] * k.b2 + k.oneMinusB2 * g[i] * g[i];
            float denom = (float) Math.sqrt(vi) / k.bc2Sqrt + k.eps;
            p[i] = pi + k.negStepSize * mi / denom;
            m[i] = mi;
            v[i] = vi;
        }
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
