package ai.basalt.tokenizer;

import static ai.basalt.tokenizer.Gpt2PreTokenizer.LETTER;
import static ai.basalt.tokenizer.Gpt2PreTokenizer.NUMBER;
import static ai.basalt.tokenizer.Gpt2PreTokenizer.OTHER;
import static ai.basalt.tokenizer.Gpt2PreTokenizer.classOf;
import static ai.basalt.tokenizer.Gpt2PreTokenizer.codePointAt;
import static ai.basalt.tokenizer.Gpt2PreTokenizer.isWhiteSpace;
import static ai.basalt.tokenizer.Gpt2PreTokenizer.runEnd;

/**
 * Llama 3's pre-tokenizer pattern
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * and Qwen 2's (the same with {@code \p{N}} for {@code \p{N}{1,3}}) as a hand-written scanner, the approach of
 * llama.cpp's {@code unicode_regex_split_custom_llama3}. At each position the branches are tried in the pattern's
 * order:
 * <ol>
 *   <li>a contraction: an apostrophe and {@code s t m d re ve ll} in either case (ASCII only, as llama.cpp);</li>
 *   <li>a letter run, taking before it one character that is neither a letter, a digit, CR nor LF;</li>
 *   <li>up to {@code maxDigits} digits;</li>
 *   <li>a run of symbols (neither letter, digit nor whitespace), taking one U+0020 before it and every CR and LF
 *       right after it;</li>
 *   <li>a whitespace run holding CR or LF: up to its last CR or LF ({@code \s*[\r\n]+});</li>
 *   <li>any other whitespace run, as in GPT-2: all but its last character when a non-whitespace character
 *       follows and the run is longer than one ({@code \s+(?!\S)}), else the whole run ({@code \s+}).</li>
 * </ol>
 * Character classes are {@link Gpt2PreTokenizer}'s.
 */
final class Llama3PreTokenizer {
    private Llama3PreTokenizer() {}

    /** Cuts {@code text[from, to)}, digit runs into groups of at most {@code maxDigits}. */
    static void split(CharSequence text, int from, int to, int maxDigits, PreTokenizer.Sink sink) {
        int pos = from;
        while (pos < to) {
            int end = matchAt(text, pos, to, maxDigits);
            sink.accept(pos, end);
            pos = end;
        }
    }

    /** The end of the pattern's match at {@code pos}; there always is one, at least one code point long. */
    private static int matchAt(CharSequence text, int pos, int to, int maxDigits) {
        int contraction = contractionEnd(text, pos, to);
        if (contraction > 0) {
            return contraction;
        }
        int cp = codePointAt(text, pos, to);
        int next = pos + Character.charCount(cp);
        int kind = classOf(cp);
        if (kind == LETTER || cp != '\r' && cp != '\n' && kind != NUMBER
                && next < to && classOf(codePointAt(text, next, to)) == LETTER) {
            return runEnd(text, next, to, LETTER, Integer.MAX_VALUE);
        }
        if (kind == NUMBER) {
            return runEnd(text, next, to, NUMBER, maxDigits - 1);
        }
        int symbols = cp == ' ' && next < to ? next : pos;
        if (classOf(codePointAt(text, symbols, to)) == OTHER) {
            int end = runEnd(text, symbols, to, OTHER, Integer.MAX_VALUE);
            while (end < to && (text.charAt(end) == '\r' || text.charAt(end) == '\n')) {
                end++;
            }
            return end;
        }
        return whitespaceEnd(text, pos, to);
    }

    /** The end of {@code 's 't 're 've 'm 'll 'd} (either case) at {@code pos}, or -1. */
    private static int contractionEnd(CharSequence text, int pos, int to) {
        if (text.charAt(pos) != '\'' || pos + 1 >= to) {
            return -1;
        }
        char a = asciiLower(text.charAt(pos + 1));
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return pos + 2;
        }
        if (pos + 2 < to) {
            char b = asciiLower(text.charAt(pos + 2));
            if ((a == 'r' || a == 'v') && b == 'e' || a == 'l' && b == 'l') {
                return pos + 3;
            }
        }
        return -1;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** The end of the whitespace match at {@code pos}, where a whitespace character is. */
    private static int whitespaceEnd(CharSequence text, int pos, int to) {
        int end = pos;
        int afterLineBreak = -1;
        while (end < to && isWhiteSpace(text.charAt(end))) {
            char c = text.charAt(end++); // every White_Space character is a single char
            if (c == '\r' || c == '\n') {
                afterLineBreak = end;
            }
        }
        if (afterLineBreak > 0) {
            return afterLineBreak;
        }
        return end < to && end - pos > 1 ? end - 1 : end;
    }
}
