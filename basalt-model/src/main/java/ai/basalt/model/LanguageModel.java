package ai.basalt.model;

import ai.basalt.model.layers.SequenceBatch;
import ai.basalt.tokenizer.Tokenizer;
import java.util.Optional;

/**
 * A causal language model loaded for inference.
 *
 * <p>Token ids go in one position at a time; {@link #forward} appends the token's keys and values to the
 * state's KV cache and returns the logits of the next token. Implementations are safe to share across
 * threads as long as each thread uses its own {@link InferenceState}.
 */
public interface LanguageModel extends AutoCloseable {

    /** The architecture name, as in {@code general.architecture}. */
    String architecture();

    /** The model's name from its metadata, or the file name. */
    String name();

    Tokenizer tokenizer();

    /** Size of the output distribution (the logits' length). */
    int vocabularySize();

    /** The context length the model was trained with. */
    int contextLength();

    /** Total number of weight elements. */
    long parameterCount();

    /**
     * The stored type of the model's matrices, as a file is named by it: that of the first layer's query
     * projection (Q4_K in a Q4_K_M file, whose rules store some other matrices in Q6_K), or "unknown".
     */
    default String weightType() {
        return "unknown";
    }

    /**
     * The Jinja chat template the model ships (GGUF {@code tokenizer.chat_template}), or empty for a model
     * without one, such as a base model. Rendering it is the generation layer's job.
     */
    default Optional<String> chatTemplate() {
        return Optional.empty();
    }

    /**
     * A fresh state holding up to {@code contextLength} positions (at most {@link #contextLength()}), its KV cache in
     * {@link KvType#DEFAULT}.
     */
    default InferenceState newState(int contextLength) {
        return newState(contextLength, KvType.DEFAULT);
    }

    /** A fresh state holding up to {@code contextLength} positions, its KV cache in {@code kvType}. */
    InferenceState newState(int contextLength, KvType kvType);

    /**
     * Runs {@code token} at {@code position} and returns the logits for the next token (a buffer owned by
     * the state, overwritten by the next call), or null when {@code computeLogits} is false (prompt
     * tokens whose predictions are not needed).
     *
     * @throws IllegalArgumentException if {@code position} is beyond the state's capacity or the token is
     *     out of the vocabulary
     */
    float[] forward(InferenceState state, int token, int position, boolean computeLogits);

    /**
     * One decode step of several sequences (a server's continuous batch): {@code tokens[i]} at {@code positions[i]}
     * through {@code states[i]} for every i, returning each sequence's logits (its state's buffer, as {@link #forward}
     * returns them) or, when {@code computeLogits} is false, nulls. Each sequence's logits and what it writes to its
     * cache are exactly, bit for bit, those of {@code forward(states[i], tokens[i], positions[i], computeLogits)} alone,
     * whatever the batch's size, order, positions and cache types: a request served in a batch gives what it gives
     * served alone. This default runs {@link #forward} for each in turn; models that read each weight once for the
     * whole batch override it (decode is bound by reading the weights).
     *
     * @throws IllegalArgumentException if the arrays differ in length, a state appears twice, or {@link #forward} would
     *     refuse one of the sequences; the default may have run the sequences before a refused one, an override
     *     checks them all first
     */
    default float[][] forwardBatch(InferenceState[] states, int[] tokens, int[] positions, boolean computeLogits) {
        SequenceBatch.check(states, tokens, positions);
        float[][] logits = new float[states.length][];
        for (int i = 0; i < states.length; i++) logits[i] = forward(states[i], tokens[i], positions[i], computeLogits);
        return logits;
    }

    /**
     * A sentence embedding of {@code tokens}: the final hidden states (after the output norm) averaged over the tokens
     * and scaled to unit length, as llama.cpp's mean pooling gives for a generative model. Runs on a fresh cache of
     * its own; the model's other states are untouched.
     *
     * @throws UnsupportedOperationException if this model does not give embeddings
     * @throws IllegalArgumentException if {@code tokens} is empty or longer than the context
     */
    default float[] embed(int[] tokens) {
        throw new UnsupportedOperationException(architecture() + " models do not give embeddings here");
    }

    /**
     * Runs {@code tokens} at positions {@code start}, {@code start + 1}, … (a prompt) and returns the logits after
     * the last one (the state's buffer, as {@link #forward}), or null when {@code computeLogits} is false. The
     * same as calling {@link #forward} for each token in turn, which this default does; models that can
     * instead push the whole batch through each layer at once (every weight read once for all tokens)
     * override it. Their logits then differ from the one-at-a-time ones in the order of additions only.
     *
     * @throws IllegalArgumentException if a position is beyond the state's capacity or a token is out of the
     *     vocabulary; tokens before the bad one may have been run
     */
    default float[] prefill(InferenceState state, int[] tokens, int start, boolean computeLogits) {
        if (tokens.length == 0) throw new IllegalArgumentException("prefill of no tokens");
        float[] logits = null;
        for (int i = 0; i < tokens.length; i++) {
            logits = forward(state, tokens[i], start + i, computeLogits && i == tokens.length - 1);
        }
        return logits;
    }

    /**
     * Prompt pieces of several sequences at once (a server's prefill of the prompts that arrived together):
     * {@code tokens[i]} at positions {@code starts[i]} onward through {@code states[i]} for every i, returning each
     * sequence's logits after its piece (its state's buffer) where {@code computeLogits[i]}, else null. Each sequence's
     * logits and cache are exactly, bit for bit, those of {@code prefill(states[i], tokens[i], starts[i],
     * computeLogits[i])} alone, whatever else is in the batch. This default runs {@link #prefill} for each in turn;
     * models that read each weight once for all the pieces override it.
     *
     * @throws IllegalArgumentException if the arrays differ in length, a state appears twice, or {@link #prefill}
     *     would refuse one of the pieces; the default may have run the pieces before a refused one, an override checks
     *     them all first
     */
    default float[][] prefillBatch(InferenceState[] states, int[][] tokens, int[] starts, boolean[] computeLogits) {
        SequenceBatch.check(states, tokens.length, starts.length, computeLogits.length);
        float[][] logits = new float[states.length][];
        for (int i = 0; i < states.length; i++) logits[i] = prefill(states[i], tokens[i], starts[i], computeLogits[i]);
        return logits;
    }

    @Override
    void close();
}
