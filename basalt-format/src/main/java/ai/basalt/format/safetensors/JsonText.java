package ai.basalt.format.safetensors;

/** JSON string literals, escaped as serde_json and Python's {@code json} escape them. */
final class JsonText {
    private JsonText() {}

    /**
     * {@code text} as a JSON string literal: quote, backslash and control characters escaped ({@code \b \f \n \r
     * \t} short, others as {@code \}{@code u00XX}), everything else as it is, as serde_json writes safetensors
     * headers.
     */
    static String string(String text) {
        return string(text, false);
    }

    /** Like {@link #string(String)}, and with {@code asciiOnly} every character outside space to {@code ~} as
     * {@code \}{@code uXXXX}, as Python's {@code json.dumps} writes by default ({@code ensure_ascii}). */
    static String string(String text, boolean asciiOnly) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (asciiOnly && c > '~')) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
