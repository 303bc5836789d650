package ai.basalt.server;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.TokenLogprob;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.constrain.TokenConstraint;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One generation a model's {@link Scheduler} runs: prompt tokens in, text out through {@code listener}.
 *
 * @param prompt    the prompt's token ids (BOS included where the model wants it)
 * @param params    sampling, token budget and stops
 * @param listener  where text, the end and failures go (called on the scheduler's thread)
 * @param constraint what the output must be (structured output), or null
 * @param cancelled  set when the client has gone: the job ends at its next token
 * @param topLogprobs alternatives to report with each token's log-probability, or −1: no log-probabilities
 */
public record Job(int[] prompt, GenerationParams params, Listener listener, TokenConstraint constraint, AtomicBoolean cancelled,
        int topLogprobs) {

    /** Receives one job's output. Exactly one of {@link #onDone} and {@link #onError} ends it. */
    public interface Listener {
        /** Final text, in order. */
        void onText(String piece);

        /** A generated token's log-probabilities, before its text (only for a job that asks for them). */
        default void onLogprob(TokenLogprob logprob) {}

        /** The generation ended normally. */
        void onDone(GenerationResult result);

        /** The generation failed or was cancelled. */
        void onError(RuntimeException error);
    }

    public Job(int[] prompt, GenerationParams params, Listener listener) {
        this(prompt, params, listener, null, new AtomicBoolean(), -1);
    }
}
