package ai.basalt.generate;

/**
 * The outcome of one generation.
 *
 * @param tokens the generated token ids (without the prompt, without an end-of-sequence token)
 * @param text the generated text, exactly as streamed
 * @param stopReason why it ended
 * @param promptTokens how many prompt tokens were evaluated
 * @param promptNanos time spent evaluating the prompt
 * @param generatedNanos time spent generating
 */
public record GenerationResult(
        int[] tokens, String text, StopReason stopReason, int promptTokens, long promptNanos, long generatedNanos) {

    /** Prompt tokens per second. */
    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    /** Generated tokens per second. */
    public double generatedTokensPerSecond() {
        return generatedNanos == 0 ? 0 : tokens.length * 1e9 / generatedNanos;
    }
}
