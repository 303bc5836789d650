package ai.basalt.nn.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.basalt.nn.Graph;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.nn.layer.Embedding;
import ai.basalt.nn.layer.LayerNorm;
import ai.basalt.nn.layer.Linear;
import ai.basalt.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** AdamW by hand and by formula, parameter groups, the schedule's key points, clipping. */
class OptimTest {

    private static Var scalarWithGrad(float value, float grad) {
        Var p = Var.leaf("p", new float[] {value}, true, 1);
        new Graph().grad(p)[0] = grad;
        return p;
    }

    @Test
    void adamwTwoStepsByHand() {
        // constant gradient: Adam's bias-corrected step is exactly lr, after decay p·(1 − lr·wd)
        Var p = scalarWithGrad(1f, 0.5f);
        AdamW opt = new AdamW(List.of(new ParamGroup(List.of(p), 0.1)));
        opt.step(0.1);
        assertThat(p.data()[0]).isCloseTo(0.99f - 0.1f, within(1e-6f));
        assertThat(opt.expAvg(0)[0]).isCloseTo(0.05f, within(1e-8f));
        assertThat(opt.expAvgSq(0)[0]).isCloseTo(0.00025f, within(1e-10f));
        opt.step(0.1);
        assertThat(p.data()[0]).isCloseTo(0.89f * 0.99f - 0.1f, within(1e-6f));
        assertThat(opt.step(0)).isEqualTo(2);
    }

    @Test
    void adamwFollowsTheFormulaInDoubleForTwentySteps() {
        Rng rng = new Rng(77);
        int n = 50;
        float[] init = new float[n];
        for (int i = 0; i < n; i++) init[i] = (float) rng.nextGaussian();
        Var p = Var.leaf("p", init.clone(), true, n);
        double lr = 3e-3, wd = 0.05, b1 = 0.9, b2 = 0.95, eps = 1e-8;
        AdamW opt = new AdamW(List.of(new ParamGroup(List.of(p), wd)), b1, b2, eps);
        double[] x = new double[n], m = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) x[i] = init[i];
        Graph g = new Graph();
        for (int step = 1; step <= 20; step++) {
            float[] grad = g.grad(p);
            for (int i = 0; i < n; i++) grad[i] = (float) (rng.nextGaussian() * 0.1);
            for (int i = 0; i < n; i++) {
                x[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * grad[i];
                v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
                double mHat = m[i] / (1 - Math.pow(b1, step)), vHat = v[i] / (1 - Math.pow(b2, step));
                x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            opt.step(lr);
        }
        for (int i = 0; i < n; i++) assertThat((double) p.data()[i]).isCloseTo(x[i], within(1e-5));
    }

    @Test
    void decayGoesToLinearWeightsOnlyAndParamsWithoutGradsAreSkipped() {
        Rng rng = new Rng(1);
        Linear lin = new Linear("fc", 4, 3, true, rng, 0.02f);
        LayerNorm ln = new LayerNorm("ln", 4, true, 1e-5f);
        Embedding emb = new Embedding("wte", 10, 4, rng, 0.02f);
        List<Var> all = new ArrayList<>();
        all.addAll(lin.parameters());
        all.addAll(ln.parameters());
        all.addAll(emb.parameters());
        List<ParamGroup> groups = ParamGroup.decayingWeights(all, 0.1);
        assertThat(groups.get(0).params()).containsExactly(lin.weight);
        assertThat(groups.get(0).weightDecay()).isEqualTo(0.1);
        assertThat(groups.get(1).params()).containsExactly(lin.bias, ln.weight, ln.bias, emb.weight);
        assertThat(groups.get(1).weightDecay()).isZero();
        assertThat(lin.weight.kind()).isEqualTo(ParamKind.WEIGHT);

        float before = emb.weight.data()[0];
        new AdamW(groups).step(0.1); // no parameter has a gradient yet
        assertThat(emb.weight.data()[0]).isEqualTo(before);
        assertThatThrownBy(() -> new AdamW(List.of(groups.get(0), groups.get(0)))).hasMessageContaining("more than one group");

        List<ParamGroup> nanoGpt = ParamGroup.decayingMatrices(all, 0.1);
        assertThat(nanoGpt.get(0).params()).containsExactly(lin.weight, emb.weight);
        assertThat(nanoGpt.get(0).weightDecay()).isEqualTo(0.1);
        assertThat(nanoGpt.get(1).params()).containsExactly(lin.bias, ln.weight, ln.bias);
        assertThat(nanoGpt.get(1).weightDecay()).isZero();
    }

    @Test
    void cosineScheduleAtItsKeyPointsWithNanoGptDefaults() {
        CosineSchedule s = new CosineSchedule(6e-4, 6e-5, 2000, 600_000);
        assertThat(s.lr(0)).isEqualTo(6e-4 * 1 / 2001);
        assertThat(s.lr(1999)).isEqualTo(6e-4 * 2000 / 2001);
        assertThat(s.lr(2000)).isEqualTo(6e-4);
        assertThat(s.lr(301_000)).isCloseTo(6e-5 + 0.5 * (6e-4 - 6e-5), within(1e-15));
        assertThat(s.lr(600_000)).isCloseTo(6e-5, within(1e-18));
        assertThat(s.lr(700_000)).isEqualTo(6e-5);
        for (long it = 2000; it < 600_000; it += 997) assertThat(s.lr(it + 1)).isLessThanOrEqualTo(s.lr(it));
        assertThatThrownBy(() -> new CosineSchedule(1e-3, 1e-4, 100, 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clippingByGlobalNorm() {
        Var a = scalarWithGrad(0f, 3f);
        Var b = scalarWithGrad(0f, 4f);
        Var none = Var.param("unused", ParamKind.BIAS, 2);
        assertThat(GradClip.clipGlobalNorm(List.of(a, b, none), 10.0)).isEqualTo(5f);
        assertThat(a.grad()[0]).isEqualTo(3f);
        assertThat(GradClip.clipGlobalNorm(List.of(a, b, none), 1.0)).isEqualTo(5f);
        float coef = 1f / (5f + 1e-6f);
        assertThat(a.grad()[0]).isEqualTo(3f * coef);
        assertThat(b.grad()[0]).isEqualTo(4f * coef);
        assertThat(GradClip.clipGlobalNorm(List.of(a, b), 1.0)).isCloseTo(1f, within(1e-6f));
    }

    /** Parameters of awkward sizes with random gradients (and values), about 400k elements in all. */
    private static List<Var> randomParams(long seed, float gradScale) {
        Random rnd = new Random(seed);
        List<Var> params = new ArrayList<>();
        int[] sizes = {1, 3, 7, 13, 31, 32, 33, 207, 4098, 2048, 2049, 130_000, 260_001};
        for (int n : sizes) {
            float[] data = new float[n];
            for (int i = 0; i < n; i++) data[i] = (float) rnd.nextGaussian();
            Var p = Var.leaf("p" + n, data, true, n);
            float[] g = new Graph().grad(p);
            for (int i = 0; i < n; i++) g[i] = (float) rnd.nextGaussian() * gradScale;
            params.add(p);
        }
        params.add(Var.param("unused", ParamKind.BIAS, 5));
        return params;
    }

    private static float[][] grads(List<Var> params) {
        return params.stream().map(p -> p.grad() == null ? null : p.grad().clone()).toArray(float[][]::new);
    }

    /** Runs body on fresh copies of the same parameters with 1, 2 and 3 threads; returns their gradients. */
    private static float[][][] acrossThreadCounts(Consumer<List<Var>> body) {
        int before = Parallel.threads();
        float[][][] out = new float[3][][];
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                List<Var> params = randomParams(5, 0.01f);
                body.accept(params);
                out[threads - 1] = grads(params);
            }
        } finally {
            Parallel.setThreads(before);
        }
        return out;
    }

    @Test
    void parallelClippingMatchesTheScalarReferenceAndIgnoresTheThreadCount() {
        float[] norms = new float[3];
        int[] call = {0};
        float[][][] clipped = acrossThreadCounts(params -> norms[call[0]++] = GradClip.clipGlobalNorm(params, 0.5));
        List<Var> reference = randomParams(5, 0.01f);
        float refNorm = GradClip.clipGlobalNormScalar(reference, 0.5);
        assertThat(refNorm).isGreaterThan(0.5f); // so clipping happened
        assertThat(norms[0]).isCloseTo(refNorm, within(1e-5f * refNorm));
        assertThat(norms[1]).isEqualTo(norms[0]);
        assertThat(norms[2]).isEqualTo(norms[0]);
        float[][] ref = grads(reference);
        for (int p = 0; p < ref.length; p++) {
            assertThat(clipped[1][p]).isEqualTo(clipped[0][p]);
            assertThat(clipped[2][p]).isEqualTo(clipped[0][p]);
            if (ref[p] == null) continue;
            for (int i = 0; i < ref[p].length; i++) {
                assertThat(clipped[0][p][i]).isCloseTo(ref[p][i], within(1e-5f * Math.abs(ref[p][i]) + 1e-12f));
            }
        }
    }

    @Test
    void parallelAdamwIsTheScalarReferenceBitForBit() {
        List<Var> reference = randomParams(5, 0.01f);
        AdamW scalar = new AdamW(List.of(new ParamGroup(reference, 0.1)));
        for (int step = 0; step < 3; step++) scalar.stepScalar(1e-3);
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                List<Var> params = randomParams(5, 0.01f);
                AdamW vector = new AdamW(List.of(new ParamGroup(params, 0.1)));
                for (int step = 0; step < 3; step++) vector.step(1e-3);
                for (int p = 0; p < params.size(); p++) {
                    assertThat(params.get(p).data()).as("param %d, %d threads", p, threads).isEqualTo(reference.get(p).data());
                    assertThat(vector.expAvg(p)).isEqualTo(scalar.expAvg(p));
                    assertThat(vector.expAvgSq(p)).isEqualTo(scalar.expAvgSq(p));
                    assertThat(vector.step(p)).isEqualTo(scalar.step(p));
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
