package ai.basalt.generate;

/** Why generation ended. */
public enum StopReason {
    /** The model produced its end-of-sequence token. */
    END_OF_SEQUENCE,
    /** The text reached one of the stop strings. */
    STOP_STRING,
    /** The token budget was spent. */
    MAX_TOKENS,
    /** The context window is full. */
    CONTEXT_FULL
}
