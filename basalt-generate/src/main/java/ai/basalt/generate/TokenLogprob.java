package ai.basalt.generate;

import java.util.Arrays;

/**
 * The model's log-probability of one generated token and of the most likely alternatives at that step, from the raw
 * logits (a softmax at temperature 1, before any sampler filter or constraint), as vLLM and OpenAI's API report them.
 *
 * @param token         the token chosen
 * @param logprob       its log-probability
 * @param topTokens     the {@code k} most likely tokens, most likely first (ties: lower id first)
 * @param topLogprobs   their log-probabilities
 */
public record TokenLogprob(int token, float logprob, int[] topTokens, float[] topLogprobs) {

    /** The log-probabilities of {@code token} and of the {@code top} most likely tokens under softmax(logits). */
    public static TokenLogprob of(float[] logits, int token, int top) {
        if (top < 0) throw new IllegalArgumentException("top " + top + " must not be negative");
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) if (l > max) max = l;
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double logNorm = max + Math.log(sum);
        int k = Math.min(top, n);
        int[] ids = new int[k];
        float[] values = new float[k];
        int filled = 0;
        for (int t = 0; t < n; t++) { // insertion into a k-long list, most likely first: k is small (at most 20)
            float v = logits[t];
            if (filled == k && (k == 0 || !(v > logits[ids[k - 1]]))) continue;
            int at = filled < k ? filled++ : k - 1;
            while (at > 0 && v > logits[ids[at - 1]]) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = t;
        }
        for (int i = 0; i < k; i++) values[i] = (float) (logits[ids[i]] - logNorm);
        return new TokenLogprob(token, (float) (logits[token] - logNorm), ids, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenLogprob t && t.token == token && Float.compare(t.logprob, logprob) == 0
                && Arrays.equals(t.topTokens, topTokens) && Arrays.equals(t.topLogprobs, topLogprobs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * token + Float.hashCode(logprob)) + Arrays.hashCode(topTokens);
    }

    @Override
    public String toString() {
        return "TokenLogprob[" + token + " " + logprob + " top " + Arrays.toString(topTokens) + " "
                + Arrays.toString(topLogprobs) + "]";
    }
}
