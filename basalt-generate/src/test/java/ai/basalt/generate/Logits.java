package ai.basalt.generate;

/** The two views of a logit vector the conformance tests compare against llama.cpp: probabilities and argmax. */
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
}
