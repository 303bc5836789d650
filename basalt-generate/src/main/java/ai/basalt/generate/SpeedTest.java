package ai.basalt.generate;

import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;

/**
 * The two runs a speed benchmark times, as {@code llama-bench} defines them: prompt processing (a prompt through
 * {@link LanguageModel#prefill} from an empty cache) and generation (tokens one {@link LanguageModel#forward} at
 * a time from an empty cache, starting from BOS, each next token the greedy one). States are reused: each run
 * writes its cache from position 0.
 */
public final class SpeedTest {
    private SpeedTest() {}

    /** Wall nanoseconds of one prompt-processing run of {@code prompt} in {@code state}. */
    public static long prompt(LanguageModel model, InferenceState state, int[] prompt) {
        long t0 = System.nanoTime();
        model.prefill(state, prompt, 0, true);
        return System.nanoTime() - t0;
    }

    /** Wall nanoseconds of one generation run of {@code tokens} tokens in {@code state}. */
    public static long generation(LanguageModel model, InferenceState state, int tokens) {
        return generation(model, state, tokens, null);
    }

    /**
     * Wall nanoseconds of one generation run of {@code tokens} tokens after the context {@code depth} (prefilled
     * first, untimed; null or empty for none), as {@code llama-bench -d}: how decoding slows as the cache fills.
     */
    public static long generation(LanguageModel model, InferenceState state, int tokens, int[] depth) {
        int start = depth == null ? 0 : depth.length;
        float[] logits = start > 0 ? model.prefill(state, depth, 0, true) : null;
        long t0 = System.nanoTime();
        int token = logits != null ? argmax(logits) : Math.max(0, model.tokenizer().vocabulary().bos());
        for (int i = 0; i < tokens; i++) token = argmax(model.forward(state, token, start + i, true));
        return System.nanoTime() - t0;
    }

    /** The median of the runs' figures (the mean of the middle two for an even count), as benchmarks report them. */
    public static double median(double[] runs) {
        double[] s = runs.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
