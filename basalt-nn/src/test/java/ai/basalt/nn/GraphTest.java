package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tape's contract: accumulation, seeding, release, pooling, no-grad mode, errors, dropout. */
class GraphTest {

    private static Var mlpLoss(Graph g, Var x, Var w) {
        return g.sum(g.gelu(g.linear(x, w, null), GeluApproximation.TANH));
    }

    @Test
    void aProfileCountsEveryOpInBothDirectionsAndNothingOnceRemoved() {
        Random rnd = new Random(2);
        Var x = GradCheck.input(rnd, 1f, 3, 4);
        Var w = GradCheck.input(rnd, 1f, 5, 4);
        Graph g = new Graph();
        OpProfile profile = new OpProfile();
        g.setProfile(profile);
        for (int step = 0; step < 3; step++) {
            g.reset();
            g.backward(mlpLoss(g, x, w));
        }
        java.util.List<String> lines = profile.report();
        assertThat(lines).hasSize(6); // linear, gelu, sum: forward and backward
        for (String op : new String[] {"linear", "gelu", "sum"}) {
            for (String dir : new String[] {"forward", "backward"}) {
                assertThat(lines).as("%s %s", op, dir)
                        .anyMatch(l -> l.matches(op + " +" + dir + " +3 calls .*"));
            }
        }
        g.setProfile(null);
        g.reset();
        g.backward(mlpLoss(g, x, w));
        assertThat(profile.report()).as("nothing counted once the profile is removed").hasSize(6)
                .allMatch(l -> l.matches("\\w+ +\\w+ +3 calls .*"));
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Random rnd = new Random(1);
        Var x = GradCheck.input(rnd, 1f, 3, 4);
        Var w = GradCheck.input(rnd, 1f, 5, 4);
        Graph g = new Graph();
        g.backward(mlpLoss(g, x, w));
        float[] once = w.grad().clone();
        g.reset();
        g.backward(mlpLoss(g, x, w));
        for (int i = 0; i < once.length; i++) assertThat(w.grad()[i]).isEqualTo(once[i] + once[i]);
        w.zeroGrad();
        g.reset();
        g.backward(mlpLoss(g, x, w), 0.25f);
        for (int i = 0; i < once.length; i++) assertThat(w.grad()[i]).isEqualTo(once[i] * 0.25f);
    }

    @Test
    void aTensorUsedTwiceSumsItsGradients() {
        Var x = Var.leaf("x", new float[] {3f}, true);
        Graph g = new Graph();
        g.backward(g.sum(g.add(g.mul(x, x), x))); // d(x² + x)/dx = 2x + 1
        assertThat(x.grad()[0]).isEqualTo(7f);
    }

    @Test
    void intermediatesAreReleasedByReset() {
        Graph g = new Graph();
        Var x = GradCheck.input(new Random(2), 1f, 2, 2);
        Var y = g.scale(x, 2f);
        g.reset();
        assertThatThrownBy(y::data).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
        assertThatThrownBy(() -> g.add(y, x)).isInstanceOf(IllegalStateException.class);
        assertThat(x.data()).isNotNull();
    }

    @Test
    void rebuildingTheSameGraphAllocatesNothing() {
        Random rnd = new Random(3);
        Var x = GradCheck.input(rnd, 1f, 8, 16), w = GradCheck.input(rnd, 1f, 32, 16);
        Graph g = new Graph();
        long[] after = new long[3];
        for (int step = 0; step < 3; step++) {
            g.reset();
            g.backward(mlpLoss(g, x, w));
            after[step] = g.allocations();
        }
        assertThat(after[0]).isPositive();
        assertThat(after[2]).isEqualTo(after[0]);
    }

    @Test
    void noGradModeRecordsNothing() {
        Var w = GradCheck.input(new Random(4), 1f, 3, 3);
        Graph g = new Graph();
        g.setGradEnabled(false);
        Var loss = g.sum(g.linear(w, w, null));
        assertThat(loss.requiresGrad()).isFalse();
        assertThatThrownBy(() -> g.backward(loss)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badShapesAndIdsAreNamed() {
        Graph g = new Graph();
        Var x = Var.param("x", ParamKind.NONE, 2, 3);
        Var w = Var.param("w", ParamKind.WEIGHT, 4, 5);
        assertThatThrownBy(() -> g.linear(x, w, null)).isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("linear").hasMessageContaining("[2, 3]").hasMessageContaining("[4, 5]");
        assertThatThrownBy(() -> g.backward(g.scale(x, 1f))).isInstanceOf(ShapeMismatchException.class);
        assertThatThrownBy(() -> g.embedding(w, new int[] {4}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 4");
        assertThatThrownBy(() -> g.crossEntropy(x, new int[] {0, 3}, -1)).hasMessageContaining("target 3");
        assertThatThrownBy(() -> g.attention(x, x, x, 3, 2)).hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> g.add(x, w)).isInstanceOf(ShapeMismatchException.class).hasMessageContaining("broadcast");
        assertThatThrownBy(() -> g.view(x, 4, -1)).isInstanceOf(ShapeMismatchException.class);
    }

    @Test
    void viewsShareDataAndGradients() {
        Var x = GradCheck.input(new Random(5), 1f, 2, 6);
        Graph g = new Graph();
        Var v = g.view(x, 3, -1);
        assertThat(v.shape()).containsExactly(3, 4);
        g.backward(g.sum(g.scale(v, 3f)));
        assertThat(x.grad()).containsOnly(3f);
    }

    @Test
    void dropoutScalesKeptValuesAndIsTheIdentityInEvaluation() {
        int n = 100_000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        Var x = Var.leaf("x", ones, true, n);
        Graph g = new Graph();
        Var y = g.dropout(x, 0.25f, new Rng(9));
        int zeros = 0;
        for (int i = 0; i < n; i++) {
            if (y.data()[i] == 0f) zeros++;
            else assertThat(y.data()[i]).isEqualTo(1f / 0.75f);
        }
        assertThat(zeros / (double) n).isBetween(0.24, 0.26);
        float[] mask = y.data().clone();
        int before = Parallel.threads();
        try {
            Parallel.setThreads(before == 1 ? 2 : 1);
            assertThat(g.dropout(x, 0.25f, new Rng(9)).data()).isEqualTo(mask);
        } finally {
            Parallel.setThreads(before);
        }
        assertThat(g.dropout(x, 0f, new Rng(9))).isSameAs(x);
        g.setTraining(false);
        assertThat(g.dropout(x, 0.25f, new Rng(9))).isSameAs(x);
        assertThatThrownBy(() -> g.dropout(x, 1f, new Rng(9))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void crossEntropyOverOnlyIgnoredPositionsIsNaNLikePyTorch() {
        Graph g = new Graph();
        Var logits = Var.leaf("l", new float[6], true, 2, 3);
        assertThat(g.crossEntropy(logits, new int[] {-100, -100}, -100).item()).isNaN();
    }
}
