package ai.basalt.format.gguf;

/**
 * A GGUF file, or a GGUF metadata access, does not match what the format or the caller expects.
 *
 * <p>The message is one line naming the file (where known), what was found and what was expected, for
 * example {@code "model.gguf: not a GGUF file (magic 0x46554747 expected, found 0x00000000)"}. Text taken from
 * the file itself (keys, tensor names) is quoted and escaped, so a hostile file cannot break the line.
 */
public class GgufFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED_CHARS = 80;

    public GgufFormatException(String message) {
        super(oneLine(message));
    }

    public GgufFormatException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * {@code text} in single quotes, with control characters escaped and cut to 80 characters, for
     * embedding file-provided strings in a message.
     */
    static String quote(String text) {
        return "'" + escape(text) + "'";
    }

    /** {@code text} with control characters and quotes escaped, cut to 80 characters. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED_CHARS) + 8);
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
        return out.toString();
    }

    private static String oneLine(String message) {
        return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
    }
}
