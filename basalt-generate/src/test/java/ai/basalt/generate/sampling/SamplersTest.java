package ai.basalt.generate.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplersTest {
    private static final float[] LOGITS = {1f, 3f, 2f, 0.5f, 2.9f, -1f};

    private static Candidates candidates(float[] logits) {
        Candidates c = new Candidates(logits.length);
        c.reset(logits);
        return c;
    }

    private static Set<Integer> live(Candidates c) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < c.size(); i++) ids.add(c.id(i));
        return ids;
    }

    @Test
    void greedyPicksTheLargestLogit() {
        assertThat(SamplerChain.of(SamplingParams.DEFAULTS.withTemperature(0)).sample(LOGITS)).isEqualTo(1);
    }

    @Test
    void topKKeepsTheKLargest() {
        Candidates c = candidates(LOGITS);
        Samplers.topK(2).apply(c);
        assertThat(live(c)).containsExactlyInAnyOrder(1, 4);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        Candidates c = candidates(new float[] {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)});
        Samplers.topP(0.75f).apply(c);
        assertThat(live(c)).containsExactlyInAnyOrder(0, 1);
        Candidates all = candidates(new float[] {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)});
        Samplers.topP(0.5f).apply(all);
        assertThat(live(all)).containsExactly(0);
    }

    @Test
    void minPKeepsTokensAtLeastAFractionOfTheBest() {
        Candidates c = candidates(new float[] {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.04)});
        Samplers.minP(0.1f).apply(c);
        assertThat(live(c)).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void repetitionPenaltyLowersSeenTokensBothSigns() {
        Sampler p = Samplers.repetitionPenalty(2f, 4);
        p.accept(1);
        p.accept(5);
        Candidates c = candidates(LOGITS);
        p.apply(c);
        assertThat(c.logit(1)).isEqualTo(1.5f);
        assertThat(c.logit(5)).isEqualTo(-2f);
        assertThat(c.logit(2)).isEqualTo(2f);
    }

    @Test
    void repetitionPenaltyForgetsTokensOutsideTheWindow() {
        Sampler p = Samplers.repetitionPenalty(2f, 1);
        p.accept(1);
        p.accept(2);
        Candidates c = candidates(LOGITS);
        p.apply(c);
        assertThat(c.logit(1)).isEqualTo(3f);
        assertThat(c.logit(2)).isEqualTo(1f);
    }

    @Test
    void sameSeedSameDrawsAndDrawsFollowTheDistribution() {
        SamplingParams params = new SamplingParams(1f, 0, 1f, 0f, 1f, 64, 7);
        float[] logits = {0f, (float) Math.log(3)};
        SamplerChain a = SamplerChain.of(params);
        SamplerChain b = SamplerChain.of(params);
        int ones = 0;
        for (int i = 0; i < 4000; i++) {
            int ta = a.sample(logits);
            assertThat(b.sample(logits)).isEqualTo(ta);
            ones += ta;
        }
        assertThat(ones / 4000.0).isBetween(0.72, 0.78);
    }

    @Test
    void lowTemperatureSharpensHighFlattens() {
        Candidates cold = candidates(new float[] {1f, 2f});
        Samplers.temperature(0.5f).apply(cold);
        cold.softmax();
        Candidates hot = candidates(new float[] {1f, 2f});
        Samplers.temperature(2f).apply(hot);
        hot.softmax();
        assertThat(cold.prob(0)).isGreaterThan(hot.prob(0));
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new SamplingParams(-1f, 40, 0.9f, 0.05f, 1f, 64, 1)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1f, 40, 0f, 0.05f, 1f, 64, 1)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> new SamplingParams(1f, 40, 0.9f, 2f, 1f, 64, 1)).hasMessageContaining("min-p");
        assertThatThrownBy(() -> new SamplerChain(List.of())).hasMessageContaining("at least one");
    }
}
