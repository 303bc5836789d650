package ai.basalt.generate.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The global functions of the Hugging Face chat-template environment. Public only because jinjava calls them
 * reflectively; not an API.
 */
public final class TemplateFunctions {

    private TemplateFunctions() {}

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static Object raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    /** {@code strftime_now(format)}: the local time now, formatted like Python's {@code strftime}. */
    public static String strftimeNow(String format) {
        return strftime(ZonedDateTime.now(), format);
    }

    /** Python's {@code strftime} for the directives chat templates use (dates in system prompts). */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean unpadded = d == '-' && i + 1 < format.length();
            if (unpadded) d = format.charAt(++i);
            String pad2 = unpadded ? "%d" : "%02d";
            switch (d) {
                case 'Y' -> out.append(t.getYear());
                case 'y' -> out.append("%02d".formatted(t.getYear() % 100));
                case 'm' -> out.append(pad2.formatted(t.getMonthValue()));
                case 'd' -> out.append(pad2.formatted(t.getDayOfMonth()));
                case 'e' -> out.append("%2d".formatted(t.getDayOfMonth()));
                case 'H' -> out.append(pad2.formatted(t.getHour()));
                case 'I' -> out.append(pad2.formatted((t.getHour() + 11) % 12 + 1));
                case 'M' -> out.append(pad2.formatted(t.getMinute()));
                case 'S' -> out.append(pad2.formatted(t.getSecond()));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'j' -> out.append("%03d".formatted(t.getDayOfYear()));
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }

    /** What {@code raise_exception} throws; turned into a {@link ChatTemplateException} by the renderer. */
    static final class RaisedByTemplate extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RaisedByTemplate(String message) {
            super(message);
        }
    }
}
