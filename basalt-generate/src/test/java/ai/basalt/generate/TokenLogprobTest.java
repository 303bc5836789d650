package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link TokenLogprob} against a plain double log-softmax and a full sort. */
class TokenLogprobTest {

    @Test
    void matchesALogSoftmaxAndAFullSort() {
        Random rnd = new Random(5);
        for (int round = 0; round < 200; round++) {
            int n = 1 + rnd.nextInt(300);
            float[] logits = new float[n];
            for (int i = 0; i < n; i++) logits[i] = (float) (rnd.nextGaussian() * 4) + (rnd.nextInt(5) == 0 ? 30 : 0);
            if (n > 3) logits[1] = logits[2]; // a tie: the lower id comes first
            int token = rnd.nextInt(n);
            int top = rnd.nextInt(25);
            float[] copy = logits.clone();
            TokenLogprob lp = TokenLogprob.of(logits, token, top);
            assertThat(logits).as("logits untouched").isEqualTo(copy);

            double logNorm = Math.log(Arrays.stream(toDoubles(logits)).map(Math::exp).sum());
            assertThat((double) lp.logprob()).isCloseTo(logits[token] - logNorm, within(1e-5));
            Integer[] order = IntStream.range(0, n).boxed().sorted(Comparator.<Integer>comparingDouble(i -> -logits[i])
                    .thenComparingInt(i -> i)).toArray(Integer[]::new);
            assertThat(lp.topTokens()).hasSize(Math.min(top, n));
            for (int k = 0; k < lp.topTokens().length; k++) {
                assertThat(lp.topTokens()[k]).as("rank %d of %d", k, n).isEqualTo(order[k]);
                assertThat((double) lp.topLogprobs()[k]).isCloseTo(logits[order[k]] - logNorm, within(1e-5));
            }
        }
    }

    @Test
    void negativeTopIsRefused() {
        assertThatThrownBy(() -> TokenLogprob.of(new float[] {1f, 2f}, 0, -1)).hasMessageContaining("must not be negative");
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
