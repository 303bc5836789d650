package ai.basalt.generate;

/** A prompt that does not fit the context window. */
public class ContextOverflowException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ContextOverflowException(String message) {
        super(message);
    }
}
