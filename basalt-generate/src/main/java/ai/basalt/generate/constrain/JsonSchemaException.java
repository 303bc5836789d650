package ai.basalt.generate.constrain;

/**
 * A JSON Schema that constrained decoding cannot enforce: a keyword outside the supported subset, or a value
 * that is malformed or can match nothing. {@link #pointer()} is the JSON Pointer (RFC 6901) of the offending
 * keyword within the schema document; a server answers 400 with the message.
 */
public final class JsonSchemaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    JsonSchemaException(String pointer, String problem) {
        super(problem + " at " + (pointer.isEmpty() ? "the schema's root" : pointer));
        this.pointer = pointer;
    }

    /** Where in the schema document the problem is, as a JSON Pointer ({@code ""} for the root). */
    public String pointer() {
        return pointer;
    }
}
