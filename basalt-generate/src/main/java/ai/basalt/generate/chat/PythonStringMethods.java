package ai.basalt.generate.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods Hugging Face chat templates call ({@code content.strip()},
 * {@code content.startswith('<tool_response>')}, {@code content.split('</think>')}), with Python's semantics,
 * for jinjava, which otherwise sees Java's {@code String} methods. Only method calls on strings are handled;
 * everything else falls through to the next resolver.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), args);
        if (result != NOT_HANDLED) context.setPropertyResolved(true);
        return result == NOT_HANDLED ? null : result;
    }

    private static final Object NOT_HANDLED = new Object();

    static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(s, chars(args)), chars(args));
            case "lstrip" -> lstrip(s, chars(args));
            case "rstrip" -> rstrip(s, chars(args));
            case "startswith" -> s.startsWith(string(args, 0));
            case "endswith" -> s.endsWith(string(args, 0));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "split" -> split(s, args);
            case "replace" -> s.replace(string(args, 0), string(args, 1));
            case "count" -> (long) count(s, string(args, 0));
            case "find" -> (long) s.indexOf(string(args, 0));
            default -> NOT_HANDLED;
        };
    }

    /** The characters to strip, or null for whitespace (Python's {@code strip()} / {@code strip(None)}). */
    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : args[0].toString();
    }

    private static String string(Object[] args, int i) {
        if (i >= args.length || args[i] == null) {
            throw new IllegalArgumentException("string method needs argument " + (i + 1) + ", got " + args.length);
        }
        return args[i].toString();
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** Python's {@code str.isspace} for one character. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String lstrip(String s, String chars) {
        int start = 0;
        while (start < s.length() && stripped(s.charAt(start), chars)) start++;
        return s.substring(start);
    }

    private static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && stripped(s.charAt(end - 1), chars)) end--;
        return s.substring(0, end);
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    /** Python's {@code split(sep=None, maxsplit=-1)}: a literal separator, or runs of whitespace. */
    private static List<String> split(String s, Object[] args) {
        String sep = chars(args);
        long max = args.length > 1 && args[1] instanceof Number n ? n.longValue() : -1;
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) i++;
                if (i == s.length()) break;
                if (max >= 0 && parts.size() == max) {
                    parts.add(rstrip(s.substring(i), null));
                    break;
                }
                int end = i;
                while (end < s.length() && !isSpace(s.charAt(end))) end++;
                parts.add(s.substring(i, end));
                i = end;
            }
            return parts;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("split: empty separator");
        int from = 0;
        while (max < 0 || parts.size() < max) {
            int at = s.indexOf(sep, from);
            if (at < 0) break;
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
