package ai.basalt.generate.sampling;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/** The standard sampler stages, with llama.cpp's semantics ({@code llama-sampling.cpp}). */
public final class Samplers {
    private Samplers() {}

    /** Chooses the highest logit. */
    public static Sampler greedy() {
        return c -> c.select(c.argmax());
    }

    /** Divides logits by {@code t}; {@code t <= 0} keeps only the maximum (greedy). */
    public static Sampler temperature(float t) {
        return c -> {
            if (t <= 0) {
                int best = c.argmax();
                for (int i = 0; i < c.size(); i++) if (i != best) c.setLogit(i, Float.NEGATIVE_INFINITY);
                return;
            }
            for (int i = 0; i < c.size(); i++) c.setLogit(i, c.logit(i) / t);
        };
    }

    /** Keeps the {@code k} most likely tokens; {@code k <= 0} keeps all. */
    public static Sampler topK(int k) {
        return c -> {
            if (k <= 0 || k >= c.size()) return;
            c.sortDescending();
            c.truncate(k);
        };
    }

    /**
     * Nucleus sampling (Holtzman et al. 2019): keeps the smallest prefix of tokens, most likely first, whose
     * probabilities add up to at least {@code p}; {@code p >= 1} keeps all.
     */
    public static Sampler topP(float p) {
        return c -> {
            if (p >= 1f) return;
            c.softmax();
            double cumulative = 0;
            for (int i = 0; i < c.size(); i++) {
                cumulative += c.prob(i);
                if (cumulative >= p) {
                    c.truncate(i + 1);
                    return;
                }
            }
        };
    }

    /** Keeps tokens whose probability is at least {@code minP} times the most likely one's. */
    public static Sampler minP(float minP) {
        return c -> {
            if (minP <= 0f || c.size() <= 1) return;
            c.sortDescending();
            float threshold = c.logit(0) + (float) Math.log(minP);
            int keep = 1;
            while (keep < c.size() && c.logit(keep) >= threshold) keep++;
            c.truncate(keep);
        };
    }

    /**
     * Repetition penalty (Keskar et al. 2019, CTRL) over the last {@code lastN} accepted tokens: positive
     * logits are divided by {@code penalty}, negative ones multiplied. {@code penalty == 1} is off.
     */
    public static Sampler repetitionPenalty(float penalty, int lastN) {
        if (lastN < 0) throw new IllegalArgumentException("repeat-last-n " + lastN + " must not be negative");
        return new Sampler() {
            private final Deque<Integer> history = new ArrayDeque<>();

            @Override
            public void apply(Candidates c) {
                if (penalty == 1f || history.isEmpty()) return;
                Set<Integer> seen = new HashSet<>(history);
                for (int i = 0; i < c.size(); i++) {
                    if (!seen.contains(c.id(i))) continue;
                    float logit = c.logit(i);
                    c.setLogit(i, logit <= 0 ? logit * penalty : logit / penalty);
                }
            }

            @Override
            public void accept(int token) {
                if (lastN == 0) return;
                history.addLast(token);
                while (history.size() > lastN) history.removeFirst();
            }

            @Override
            public void reset() {
                history.clear();
            }
        };
    }

    /** Draws a token from the softmax of the live candidates with a generator seeded by {@code seed}. */
    public static Sampler draw(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return c -> {
            c.softmax();
            double r = random.nextDouble();
            double cumulative = 0;
            for (int i = 0; i < c.size(); i++) {
                cumulative += c.prob(i);
                if (r < cumulative) {
                    c.select(i);
                    return;
                }
            }
            c.select(c.size() - 1);
        };
    }
}
