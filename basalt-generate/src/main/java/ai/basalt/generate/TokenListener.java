package ai.basalt.generate;

/** Receives generated text as it is produced. */
@FunctionalInterface
public interface TokenListener {

    /** Text that is final: never part of a stop string, never a broken UTF-8 sequence. */
    void onText(String text);

    /** Every accepted token id, before its text is released (default: ignored). */
    default void onToken(int token) {}

    TokenListener NONE = text -> {};
}
