package ai.basalt.model;

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
     * The Jinja chat template the model ships (GGUF {@code tokenizer.chat_template}), or empty for a model
     * without one, such as a base model. Rendering it is the generation layer's job.
     */
    default Optional<String> chatTemplate() {
        return Optional.empty();
    }

    /** A fresh state holding up to {@code contextLength} positions (at most {@link #contextLength()}). */
    InferenceState newState(int contextLength);

    /**
     * Runs {@code token} at {@code position} and returns the logits for the next token (a buffer owned by
     * the state, overwritten by the next call), or null when {@code computeLogits} is false (prompt
     * tokens whose predictions are not needed).
     *
     * @throws IllegalArgumentException if {@code position} is beyond the state's capacity or the token is
     *     out of the vocabulary
     */
    float[] forward(InferenceState state, int token, int position, boolean computeLogits);

    @Override
    void close();
}
