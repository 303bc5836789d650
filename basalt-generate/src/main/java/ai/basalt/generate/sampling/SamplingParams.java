package ai.basalt.generate.sampling;

/**
 * Sampling settings, with llama.cpp's defaults.
 *
 * @param temperature logits are divided by it; 0 means greedy decoding
 * @param topK keep the k most likely tokens (0: off)
 * @param topP nucleus threshold (1: off)
 * @param minP keep tokens at least this fraction as likely as the best (0: off)
 * @param repeatPenalty penalty for recently seen tokens (1: off)
 * @param repeatLastN how many recent tokens the penalty looks at
 * @param seed seed of the random draw
 */
public record SamplingParams(
        float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN, long seed) {

    public static final SamplingParams DEFAULTS = new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, 42L);

    public SamplingParams {
        check(Float.isFinite(temperature) && temperature >= 0, "temperature " + temperature + " must be 0 or more");
        check(topK >= 0, "top-k " + topK + " must be 0 (off) or more");
        check(topP > 0 && topP <= 1, "top-p " + topP + " must be in (0, 1]");
        check(minP >= 0 && minP <= 1, "min-p " + minP + " must be in [0, 1]");
        check(Float.isFinite(repeatPenalty) && repeatPenalty > 0, "repeat penalty " + repeatPenalty + " must be positive");
        check(repeatLastN >= 0, "repeat-last-n " + repeatLastN + " must not be negative");
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(t, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s);
    }

    /** Whether this decodes greedily (temperature 0). */
    public boolean greedy() {
        return temperature == 0f;
    }
}
