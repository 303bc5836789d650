package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RngTest {

    @Test
    void restoringTheStateReplaysTheSequence() {
        Rng a = new Rng(123);
        for (int i = 0; i < 17; i++) a.nextGaussian();
        long saved = a.state();
        double[] expected = {a.nextDouble(), a.nextGaussian(), a.nextInt(1000), a.nextFloat()};
        Rng b = new Rng(0);
        b.restore(saved);
        assertThat(new double[] {b.nextDouble(), b.nextGaussian(), b.nextInt(1000), b.nextFloat()}).isEqualTo(expected);
    }

    @Test
    void sameSeedSameStreamDifferentSeedDifferentStream() {
        Rng a = new Rng(5), b = new Rng(5), c = new Rng(6);
        for (int i = 0; i < 100; i++) {
            long va = a.nextLong();
            assertThat(b.nextLong()).isEqualTo(va);
            assertThat(c.nextLong()).isNotEqualTo(va);
        }
    }

    @Test
    void distributionsHaveTheirMoments() {
        Rng rng = new Rng(2024);
        int n = 200_000;
        double sum = 0, sq = 0;
        int[] counts = new int[7];
        for (int i = 0; i < n; i++) {
            double g = rng.nextGaussian();
            sum += g;
            sq += g * g;
            int k = rng.nextInt(7);
            assertThat(k).isBetween(0, 6);
            counts[k]++;
            double u = rng.nextDouble();
            assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
        }
        assertThat(sum / n).isBetween(-0.01, 0.01);
        assertThat(sq / n).isBetween(0.99, 1.01);
        for (int c : counts) assertThat(c / (double) n).isBetween(1 / 7.0 - 0.005, 1 / 7.0 + 0.005);
    }

    @Test
    void normalInitHasTheRequestedSpread() {
        Var w = Var.param("w", ParamKind.WEIGHT, 300, 300);
        Init.normal(w, new Rng(1), 0.5f, 0.02f);
        double sum = 0, sq = 0;
        for (float v : w.data()) {
            sum += v;
            sq += (v - 0.5) * (v - 0.5);
        }
        assertThat(sum / w.size()).isBetween(0.4995, 0.5005);
        assertThat(Math.sqrt(sq / w.size())).isBetween(0.0198, 0.0202);
    }
}
