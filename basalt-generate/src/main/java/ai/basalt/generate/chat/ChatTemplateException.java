package ai.basalt.generate.chat;

/**
 * A chat template that could not be parsed or rendered, or that refused the conversation through
 * {@code raise_exception}. The message is one line naming the template and the problem.
 */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }
}
