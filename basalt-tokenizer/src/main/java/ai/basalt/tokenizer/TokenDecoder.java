package ai.basalt.tokenizer;

/**
 * Turns a stream of token ids into text pieces. Bytes of a character split across byte tokens are held back
 * until the character is complete, so a piece never ends inside a character and no U+FFFD appears for a
 * sequence that is completed later. Bytes that can no longer form a character come out as U+FFFD, exactly
 * as a one-shot decode would render them. Not thread-safe.
 */
public interface TokenDecoder {

    /** Feeds {@code token}; returns the text it completes, possibly empty. */
    String append(int token);

    /**
     * Ends the stream: returns the held-back bytes as text (U+FFFD for an incomplete character). The
     * decoder may be fed again afterwards; it then continues the same text.
     */
    String flush();
}
