package ai.basalt.model.layers;

import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import java.util.IdentityHashMap;
import java.util.function.Function;

/** The checks and bookkeeping shared by the models' {@link LanguageModel#forwardBatch}. */
public final class SequenceBatch {
    private SequenceBatch() {}

    /**
     * Checks that the arrays describe one batch: a token and a position per state, and no state twice (two steps of one
     * sequence are two calls, in order).
     */
    public static void check(InferenceState[] states, int[] tokens, int[] positions) {
        if (tokens.length != states.length || positions.length != states.length) {
            throw new IllegalArgumentException("a batch of " + states.length + " states with " + tokens.length + " tokens and "
                    + positions.length + " positions");
        }
        distinct(states);
    }

    /**
     * Checks that the arrays describe one batch of prompt pieces ({@link LanguageModel#prefillBatch}): a piece, a start
     * and a logits flag per state (the arrays' lengths), and no state twice.
     */
    public static void check(InferenceState[] states, int pieces, int starts, int flags) {
        if (pieces != states.length || starts != states.length || flags != states.length) {
            throw new IllegalArgumentException("a batch of " + states.length + " states with " + pieces + " pieces, " + starts
                    + " starts and " + flags + " logits flags");
        }
        distinct(states);
    }

    private static void distinct(InferenceState[] states) {
        IdentityHashMap<InferenceState, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < states.length; i++) {
            Integer first = seen.putIfAbsent(states[i], i);
            if (first != null) throw new IllegalArgumentException("states " + first + " and " + i + " of the batch are one state");
        }
    }

    /** One buffer of each state, in batch order: the inputs or outputs of a multi-input product. */
    public static <S> float[][] rows(S[] states, Function<S, float[]> buffer) {
        float[][] rows = new float[states.length][];
        for (int i = 0; i < states.length; i++) rows[i] = buffer.apply(states[i]);
        return rows;
    }
}
