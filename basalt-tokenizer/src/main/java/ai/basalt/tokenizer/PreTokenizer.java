package ai.basalt.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a byte-level BPE tokenizer cuts text into pre-tokens (words) before merging: each pre-token is merged on
 * its own, so no token spans two. Each kind is named as in GGUF's {@code tokenizer.ggml.pre} and carries the
 * regular expression of the tokenizer it reproduces.
 *
 * <p>Extension point: Llama 3's or Qwen 2's pre-tokenizer is a new constant with its own scanner, its regex (the
 * oracle its scanner is tested against), its GGUF name and its {@link #lastSafeCut} rule.
 */
public enum PreTokenizer {
    /**
     * GPT-2's pattern, from OpenAI's {@code encoder.py}, as tiktoken's {@code gpt2}, Hugging Face's
     * {@code ByteLevel(use_regex=true)} and llama.cpp's {@code gpt-2} pre-tokenizer apply it: contractions (lower
     * case only), letters, digits or other symbols each with at most one leading space (U+0020), and whitespace
     * runs, where a run followed by a non-space leaves its last character to that word.
     */
    GPT2("gpt-2", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    /** Receives pre-tokens in order, as {@code [start, end)} ranges of chars. */
    @FunctionalInterface
    public interface Sink {
        void accept(int start, int end);
    }

    private final String ggufName;
    private final String regex;
    private final Pattern pattern;

    PreTokenizer(String ggufName, String regex) {
        this.ggufName = ggufName;
        this.regex = regex;
        // UNICODE_CHARACTER_CLASS makes \s the Unicode White_Space property, as in Python's regex and Rust's
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The value of {@code tokenizer.ggml.pre} naming this pre-tokenizer. */
    public String ggufName() {
        return ggufName;
    }

    /** The regular expression, in the syntax of Python's {@code regex} module and Hugging Face's {@code Split}. */
    public String regex() {
        return regex;
    }

    /** The pre-tokenizer named {@code ggufName} in GGUF, if Basalt has it. */
    public static Optional<PreTokenizer> fromGgufName(String ggufName) {
        for (PreTokenizer p : values()) {
            if (p.ggufName.equals(ggufName)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Cuts {@code text[from, to)} into pre-tokens, which cover it without gaps. Text is read by code point; an
     * unpaired surrogate counts as a symbol that is neither letter, digit nor space.
     */
    public void split(CharSequence text, int from, int to, Sink sink) {
        switch (this) {
            case GPT2 -> Gpt2PreTokenizer.split(text, from, to, sink);
        }
    }

    /** The pre-tokens of {@code text}. */
    public List<String> split(String text) {
        List<String> words = new ArrayList<>();
        split(text, 0, text.length(), (start, end) -> words.add(text.substring(start, end)));
        return words;
    }

    /**
     * The pre-tokens of {@code text} as {@link java.util.regex} finds them with {@link #regex()}: slow, and the
     * oracle {@link #split(String)} is tested against. Text between matches (there is none for GPT-2's pattern,
     * whose last branch takes any whitespace and whose others take any other character) is kept as a word.
     */
    public List<String> splitWithRegex(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                words.add(text.substring(last, m.start()));
            }
            words.add(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            words.add(text.substring(last));
        }
        return words;
    }

    /**
     * The last position {@code p} in {@code (from, to)} such that pre-tokenizing {@code text[from, p)} and
     * {@code text[p, to)} apart gives the same pre-tokens as pre-tokenizing {@code text[from, to)} whole,
     * whatever follows {@code to}; -1 if this pre-tokenizer knows none. Trainers cut streamed corpora there.
     */
    public int lastSafeCut(CharSequence text, int from, int to) {
        return switch (this) {
            case GPT2 -> Gpt2PreTokenizer.lastSafeCut(text, from, to);
        };
    }
}
