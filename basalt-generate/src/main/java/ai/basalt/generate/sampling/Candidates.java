package ai.basalt.generate.sampling;

import java.util.Arrays;

/**
 * The token candidates of one sampling step: ids with their logits and (once computed) probabilities.
 * Stages shrink, reorder or rescale it; the first {@link #size()} entries are live.
 */
public final class Candidates {
    private final int[] ids;
    private final float[] logits;
    private final float[] probs;
    private int size;
    private boolean sorted;
    private int selected = -1;

    public Candidates(int vocabularySize) {
        ids = new int[vocabularySize];
        logits = new float[vocabularySize];
        probs = new float[vocabularySize];
    }

    /** Resets to every token of the vocabulary with the given logits. */
    public void reset(float[] logitsOfVocabulary) {
        if (logitsOfVocabulary.length != ids.length) {
            throw new IllegalArgumentException(
                    "logits of length " + logitsOfVocabulary.length + " for a vocabulary of " + ids.length);
        }
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        System.arraycopy(logitsOfVocabulary, 0, logits, 0, ids.length);
        size = ids.length;
        sorted = false;
        selected = -1;
    }

    /** The vocabulary size these candidates were made for. */
    public int capacity() {
        return ids.length;
    }

    public int size() {
        return size;
    }

    public int id(int i) {
        return ids[i];
    }

    public float logit(int i) {
        return logits[i];
    }

    public void setLogit(int i, float value) {
        logits[i] = value;
        sorted = false;
    }

    /** Probability of candidate {@code i}, valid after {@link #softmax()}. */
    public float prob(int i) {
        return probs[i];
    }

    /** Index of the maximum logit among the live candidates. */
    public int argmax() {
        int best = 0;
        for (int i = 1; i < size; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** Sorts live candidates by logit, highest first (ties: lower id first). */
    public void sortDescending() {
        if (sorted) return;
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int byLogit = Float.compare(logits[b], logits[a]);
            return byLogit != 0 ? byLogit : Integer.compare(ids[a], ids[b]);
        });
        int[] newIds = new int[size];
        float[] newLogits = new float[size];
        for (int i = 0; i < size; i++) {
            newIds[i] = ids[order[i]];
            newLogits[i] = logits[order[i]];
        }
        System.arraycopy(newIds, 0, ids, 0, size);
        System.arraycopy(newLogits, 0, logits, 0, size);
        sorted = true;
    }

    /** Sorts, then computes probabilities of the live candidates by softmax over their logits. */
    public void softmax() {
        sortDescending();
        float max = logits[0];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            float p = (float) Math.exp(logits[i] - max);
            probs[i] = p;
            sum += p;
        }
        for (int i = 0; i < size; i++) probs[i] = (float) (probs[i] / sum);
    }

    /** Keeps the first {@code n} live candidates (at least one). */
    public void truncate(int n) {
        size = Math.max(1, Math.min(size, n));
    }

    /** The token chosen by the final stage, or -1. */
    public int selected() {
        return selected;
    }

    /** Marks candidate {@code i} as the chosen token. */
    public void select(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("candidate " + i + " of " + size);
        selected = ids[i];
    }
}
