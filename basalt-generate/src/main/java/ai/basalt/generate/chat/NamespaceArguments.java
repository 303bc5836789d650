package ai.basalt.generate.chat;

/**
 * Puts parentheses around the values of {@code namespace(...)}'s keyword arguments. jinjava binds
 * {@code name=value} tighter than arithmetic, so {@code namespace(last=messages|length - 1)} would subtract 1
 * from the keyword argument itself; jinja2 reads the whole expression as the value. The rewrite is textual,
 * so it skips string literals and keeps {@code ==}.
 */
final class NamespaceArguments {
    private static final String CALL = "namespace(";

    private NamespaceArguments() {}

    static String parenthesize(String source) {
        StringBuilder out = new StringBuilder(source.length() + 16);
        int from = 0;
        for (int at = source.indexOf(CALL); at >= 0; at = source.indexOf(CALL, from)) {
            if (at > 0 && isIdentifierPart(source.charAt(at - 1))) {
                out.append(source, from, at + CALL.length());
                from = at + CALL.length();
                continue;
            }
            int open = at + CALL.length();
            int close = closingParen(source, open);
            if (close < 0) break; // unbalanced: leave it for the parser to report
            out.append(source, from, open);
            out.append(rewriteArguments(source.substring(open, close)));
            from = close;
        }
        out.append(source, from, source.length());
        return out.toString();
    }

    /** The index of the ')' that closes the call whose arguments start at {@code start}, or -1. */
    private static int closingParen(String s, int start) {
        int depth = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = endOfString(s, i);
                if (i < 0) return -1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) return c == ')' ? i : -1;
                depth--;
            }
        }
        return -1;
    }

    private static int endOfString(String s, int open) {
        char quote = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') i++;
            else if (s.charAt(i) == quote) return i;
        }
        return -1;
    }

    private static String rewriteArguments(String args) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= args.length(); i++) {
            char c = i < args.length() ? args.charAt(i) : ',';
            if (i < args.length() && (c == '\'' || c == '"')) {
                i = endOfString(args, i);
                if (i < 0) return args;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.append(rewriteArgument(args.substring(start, Math.min(i, args.length()))));
                if (i < args.length()) out.append(',');
                start = i + 1;
            }
        }
        return out.toString();
    }

    private static String rewriteArgument(String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0 || eq + 1 >= arg.length() || arg.charAt(eq + 1) == '=') return arg;
        String name = arg.substring(0, eq).strip();
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) return arg;
        for (int i = 0; i < name.length(); i++) {
            if (!isIdentifierPart(name.charAt(i))) return arg;
        }
        return arg.substring(0, eq + 1) + "(" + arg.substring(eq + 1) + ")";
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
