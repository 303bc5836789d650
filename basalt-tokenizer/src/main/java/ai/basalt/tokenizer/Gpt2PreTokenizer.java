package ai.basalt.tokenizer;

/**
 * GPT-2's pre-tokenizer pattern {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * as a hand-written scanner (the approach of llama.cpp's {@code unicode_regex_split_custom_gpt2}), which is several
 * times faster than {@link java.util.regex}. At each position the branches are tried in the pattern's order:
 * <ol>
 *   <li>a contraction: an apostrophe and {@code s t m d re ve ll}, lower case only;</li>
 *   <li>a run of letters, of digits or of other symbols, taking one U+0020 before it if there is one;</li>
 *   <li>a whitespace run: the whole run when it ends the text or is one character long ({@code \s+}), else all
 *       but its last character, which the lookahead {@code (?!\S)} leaves to the word after it.</li>
 * </ol>
 * Classes: {@code \p{L}} is {@link Character#isLetter}, {@code \p{N}} the three number categories and {@code \s}
 * the Unicode White_Space property (as in Python's {@code regex}, Rust's {@code regex} and llama.cpp).
 */
final class Gpt2PreTokenizer {
    /** The pattern, in the syntax of Python's {@code regex} module and Hugging Face's {@code Split}. */
    static final String REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final int LETTER = 0;
    static final int NUMBER = 1;
    static final int SPACE = 2;
    static final int OTHER = 3;

    private Gpt2PreTokenizer() {}

    static void split(CharSequence text, int from, int to, PreTokenizer.Sink sink) {
        int pos = from;
        while (pos < to) {
            int end = matchAt(text, pos, to);
            sink.accept(pos, end);
            pos = end;
        }
    }

    /**
     * SmolLM's two stages: each digit ({@link #NUMBER}) a word of its own, then the pattern on the text between
     * digits. llama.cpp's second stage lacks the final {@code |\\s+}, but text no branch matches stays a word of its
     * own there, and that text is exactly what {@code \\s+} would take: one whitespace character before a
     * non-whitespace one.
     */
    static void splitDigitsApart(CharSequence text, int from, int to, PreTokenizer.Sink sink) {
        int runStart = from;
        int pos = from;
        while (pos < to) {
            int cp = codePointAt(text, pos, to);
            int next = pos + Character.charCount(cp);
            if (classOf(cp) == NUMBER) {
                split(text, runStart, pos, sink);
                sink.accept(pos, next);
                runStart = next;
            }
            pos = next;
        }
        split(text, runStart, to, sink);
    }

    /** The end of the pattern's match at {@code pos}; there always is one, at least one code point long. */
    private static int matchAt(CharSequence text, int pos, int to) {
        char c = text.charAt(pos);
        if (c == '\'' && pos + 1 < to) {
            char next = text.charAt(pos + 1);
            if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                return pos + 2;
            }
            if (pos + 2 < to) {
                char third = text.charAt(pos + 2);
                if ((next == 'r' || next == 'v') && third == 'e' || next == 'l' && third == 'l') {
                    return pos + 3;
                }
            }
        }
        boolean spaceFirst = c == ' ' && pos + 1 < to;
        int runStart = spaceFirst ? pos + 1 : pos;
        int kind = classOf(codePointAt(text, runStart, to));
        if (kind == SPACE) {
            return whitespaceEnd(text, pos, to);
        }
        return runEnd(text, runStart, to, kind, Integer.MAX_VALUE);
    }

    /** The end of the run of {@code kind} from {@code p}, taking at most {@code limit} code points. */
    static int runEnd(CharSequence text, int p, int to, int kind, int limit) {
        for (int taken = 0; p < to && taken < limit; taken++) {
            int cp = codePointAt(text, p, to);
            if (classOf(cp) != kind) {
                break;
            }
            p += Character.charCount(cp);
        }
        return p;
    }

    private static int whitespaceEnd(CharSequence text, int pos, int to) {
        int end = pos;
        while (end < to && isWhiteSpace(text.charAt(end))) {
            end++; // every White_Space character is a single char
        }
        return end < to && end - pos > 1 ? end - 1 : end;
    }

    /** The code point at {@code i}; an unpaired surrogate is returned as itself. */
    static int codePointAt(CharSequence text, int i, int to) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
            return Character.toCodePoint(c, text.charAt(i + 1));
        }
        return c;
    }

    /** {@link #LETTER}, {@link #NUMBER}, {@link #SPACE} or {@link #OTHER}. */
    static int classOf(int cp) {
        if (cp < 0x80) {
            if (cp >= 'a' && cp <= 'z' || cp >= 'A' && cp <= 'Z') return LETTER;
            if (cp >= '0' && cp <= '9') return NUMBER;
            return isWhiteSpace(cp) ? SPACE : OTHER;
        }
        if (isWhiteSpace(cp)) return SPACE;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** The Unicode White_Space property (PropList.txt), which {@code \s} means in Unicode-aware regex engines. */
    static boolean isWhiteSpace(int cp) {
        return cp >= 0x09 && cp <= 0x0D || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /**
     * The last {@code p} in {@code (from, to)} right before a whitespace character other than U+0020 that ends a
     * whitespace run followed by a non-whitespace character. Every match ends there, and the character is always
     * a word of its own: the run before it is taken by {@code \s+(?!\S)} (whole, when cut off at {@code p}), and
     * it is taken alone by {@code \s+}, as only U+0020 may lead a word. No other match contains whitespace. With
     * {@code digitsApart} (SmolLM) the character after the run must not be a digit either: a digit ends the text the
     * pattern sees, and a whitespace run at the end is taken whole.
     */
    static int lastSafeCut(CharSequence text, int from, int to, boolean digitsApart) {
        for (int p = to - 1; p - 1 > from; p--) {
            char last = text.charAt(p - 1);
            if (last != ' ' && isWhiteSpace(last) && !isWhiteSpace(text.charAt(p))
                    && !(digitsApart && classOf(codePointAt(text, p, to)) == NUMBER)) {
                return p - 1;
            }
        }
        return -1;
    }
}
