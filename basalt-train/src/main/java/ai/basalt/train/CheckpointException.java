package ai.basalt.train;

/**
 * A checkpoint that cannot be used: missing, truncated, corrupt (checksum mismatch), of another format version, or
 * made by a run this one cannot continue (another model, tokenizer or data). The message is one line that starts
 * with the file and says what differs.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
