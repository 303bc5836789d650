package ai.basalt.generate;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;

/**
 * The two views of a logit vector the conformance tests compare against llama.cpp, probabilities and argmax, and
 * Basalt's own greedy decoding through them.
 */
final class Logits {
    private Logits() {}

    /** softmax(logits) in double, max-shifted. */
    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /** The index of the largest value, the first on ties (as a greedy sampler picks). */
    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /**
     * Basalt's greedy decoding straight through the model, one token at a time against its KV cache: the
     * {@code steps} tokens after {@code prompt} (not empty).
     */
    static int[] greedy(LanguageModel model, int[] prompt, int steps) {
        InferenceState state = model.newState(prompt.length + steps, KvType.F32);
        float[] logits = null;
        for (int pos = 0; pos < prompt.length; pos++) logits = model.forward(state, prompt[pos], pos, pos == prompt.length - 1);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = argmax(logits);
            if (i + 1 < steps) logits = model.forward(state, out[i], prompt.length + i, true);
        }
        return out;
    }
}
