package ai.basalt.format.safetensors;

/**
 * A safetensors file, a sharded checkpoint's index, or a request made of them, does not match what the format
 * or the caller expects.
 *
 * <p>The message is one line naming the file, what was found and what was expected, for example
 * {@code "model.safetensors: header length 4294967296 is larger than the file's remaining 1024 bytes"}. Text
 * taken from the file (tensor names, dtype names) is quoted and escaped, so a hostile file cannot break the line.
 */
public class SafetensorsFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED_CHARS = 80;

    public SafetensorsFormatException(String message) {
        super(oneLine(message));
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code text} in single quotes, control characters escaped, cut to 80 characters. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED_CHARS) + 8).append('\'');
        int limit = Math.min(text.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\'' -> out.append("\\'");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                            || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (text.length() > limit) out.append("...");
        return out.append('\'').toString();
    }

    private static String oneLine(String message) {
        return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
    }
}
