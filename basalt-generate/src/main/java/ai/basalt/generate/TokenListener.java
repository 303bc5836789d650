package ai.basalt.generate;

/** Receives generated text as it is produced. */
@FunctionalInterface
public interface TokenListener {

    /** Text that is final: never part of a stop string, never a broken UTF-8 sequence. */
    void onText(String text);

    /** Every accepted token id, before its text is released (default: ignored). */
    default void onToken(int token) {}

    /**
     * The log-probabilities of a generated token, before {@link #onToken}, when the generator was asked for them
     * ({@link SequenceGenerator#recordLogprobs}); not called for an end-of-sequence or stop token (default: ignored).
     */
    default void onLogprob(TokenLogprob logprob) {}

    TokenListener NONE = text -> {};
}
