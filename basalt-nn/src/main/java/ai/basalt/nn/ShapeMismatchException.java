package ai.basalt.nn;

/** An operation got tensors whose shapes do not fit together; the message names the op and both shapes. */
public final class ShapeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeMismatchException(String message) {
        super(message);
    }
}
