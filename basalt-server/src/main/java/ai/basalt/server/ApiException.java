package ai.basalt.server;

/**
 * A request the server refuses, with the HTTP status to answer and a one-line message; each API writes it in its
 * own error shape ({@link ApiDialect}).
 */
public final class ApiException extends RuntimeException {
    /** What went wrong, in the terms the APIs' error shapes distinguish. */
    public enum Kind {
        BAD_REQUEST(400), UNAUTHORIZED(401), NOT_FOUND(404), TOO_LARGE(413), TOO_MANY_REQUESTS(429),
        UNAVAILABLE(503), INTERNAL(500);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;
    /** The request field at fault, or null. */
    private final String param;
    /** A machine-readable code (OpenAI's {@code code}), or null. */
    private final String code;

    public ApiException(Kind kind, String message, String param, String code) {
        super(message);
        this.kind = kind;
        this.param = param;
        this.code = code;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Kind.BAD_REQUEST, message, null, null);
    }

    public static ApiException badField(String param, String message) {
        return new ApiException(Kind.BAD_REQUEST, message, param, null);
    }

    public static ApiException modelNotFound(String name) {
        return new ApiException(Kind.NOT_FOUND, "model '" + name + "' not found", "model", "model_not_found");
    }

    /** {@code e} as the answer to give: itself if already one, 400 for bad input, 500 for the rest. */
    public static ApiException from(RuntimeException e) {
        if (e instanceof ApiException a) return a;
        if (e instanceof ai.basalt.generate.ContextOverflowException) {
            return new ApiException(Kind.BAD_REQUEST, e.getMessage(), "messages", "context_length_exceeded");
        }
        if (e instanceof ai.basalt.generate.chat.ChatTemplateException) {
            return new ApiException(Kind.BAD_REQUEST, "the chat template refused the messages: " + e.getMessage(), "messages", null);
        }
        if (e instanceof IllegalArgumentException) return badRequest(e.getMessage());
        return new ApiException(Kind.INTERNAL, "internal error: " + e, null, null);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return kind.status();
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
