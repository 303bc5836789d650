package ai.basalt.train;

/**
 * A training configuration that cannot be used: a malformed config file, an unknown or mistyped setting, a value out
 * of range or settings that contradict each other. The message is one line naming the file or flag and the problem.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
