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
 * <p>Extension point: another model family's pre-tokenizer is a new constant with its own scanner, its regex (the
 * oracle its scanner is tested against), its GGUF name and its {@link #lastSafeCut} rule.
 */
public enum PreTokenizer {
    /**
     * GPT-2's pattern, from OpenAI's {@code encoder.py}, as tiktoken's {@code gpt2}, Hugging Face's
     * {@code ByteLevel(use_regex=true)} and llama.cpp's {@code gpt-2} pre-tokenizer apply it: contractions (lower
     * case only), letters, digits or other symbols each with at most one leading space (U+0020), and whitespace
     * runs, where a run followed by a non-space leaves its last character to that word.
     */
    GPT2("gpt-2", Gpt2PreTokenizer.REGEX),
    /**
     * Llama 3's pattern (tiktoken's {@code cl100k_base}), as its {@code tokenizer.json} gives it and llama.cpp's
     * {@code llama-bpe} pre-tokenizer applies it: contractions in either case, letter runs with at most one leading
     * character that is neither letter, digit nor line break, digits in groups of up to three, symbol runs with at
     * most one leading U+0020 and the line breaks after them, whitespace ending in line breaks, then whitespace as
     * GPT-2 cuts it ({@link Llama3PreTokenizer}). Also named {@code llama3} and {@code llama-v3} in GGUF.
     */
    LLAMA3("llama-bpe", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", "llama3", "llama-v3"),
    /**
     * Qwen 2's pattern (Qwen 1.5 to Qwen 3), as its {@code tokenizer.json} gives it and llama.cpp's {@code qwen2}
     * pre-tokenizer applies it: Llama 3's with every digit a word of its own. llama.cpp does not apply the NFC
     * normalizer of Qwen's {@code tokenizer.json}, and neither does a tokenizer read from GGUF; one read from
     * {@code tokenizer.json} does ({@link Normalization}). Also named {@code deepseek-r1-qwen}.
     */
    QWEN2("qwen2", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", "deepseek-r1-qwen"),
    /**
     * SmolLM's and StarCoder's two stages, as llama.cpp's {@code smollm} pre-tokenizer applies them and Hugging
     * Face's {@code Sequence[Digits(individual_digits=true), ByteLevel(use_regex=true)]} does: every digit
     * ({@code \p{N}}) is a word of its own, then GPT-2's pattern cuts the text between digits. {@link #regex()} is
     * GPT-2's, the second stage. llama.cpp gives the same two stages the names {@code starcoder}, {@code refact},
     * {@code command-r}, {@code codeshell}, {@code exaone} and {@code minerva-7b}.
     */
    SMOLLM("smollm", Gpt2PreTokenizer.REGEX, "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b");

    /** SmolLM's first stage: each digit alone. */
    private static final Pattern DIGIT = Pattern.compile("\\p{N}");

    /** Receives pre-tokens in order, as {@code [start, end)} ranges of chars. */
    @FunctionalInterface
    public interface Sink {
        void accept(int start, int end);
    }

    private final String ggufName;
    private final List<String> ggufAliases;
    private final String regex;
    private final Pattern pattern;

    PreTokenizer(String ggufName, String regex, String... ggufAliases) {
        this.ggufName = ggufName;
        this.ggufAliases = List.of(ggufAliases);
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

    /**
     * The pre-tokenizer named {@code ggufName} in GGUF, if Basalt has it: its {@link #ggufName()} or one of the
     * other names llama.cpp gives the same pattern (and the same BPE flags).
     */
    public static Optional<PreTokenizer> fromGgufName(String ggufName) {
        for (PreTokenizer p : values()) {
            if (p.ggufName.equals(ggufName) || p.ggufAliases.contains(ggufName)) {
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
            case LLAMA3 -> Llama3PreTokenizer.split(text, from, to, 3, sink);
            case QWEN2 -> Llama3PreTokenizer.split(text, from, to, 1, sink);
            case SMOLLM -> Gpt2PreTokenizer.splitDigitsApart(text, from, to, sink);
        }
    }

    /** The pre-tokens of {@code text}. */
    public List<String> split(String text) {
        List<String> words = new ArrayList<>();
        split(text, 0, text.length(), (start, end) -> words.add(text.substring(start, end)));
        return words;
    }

    /**
     * Whether llama.cpp's BPE takes a word that is a token as it is, without merging ({@code ignore_merges}, which
     * it sets for {@link #LLAMA3} as Llama 3's {@code tokenizer.json} does): the default for GGUF files.
     */
    public boolean ignoresMergesByDefault() {
        return this == LLAMA3;
    }

    /**
     * Whether llama.cpp adds BOS by default ({@code tokenizer.ggml.add_bos_token} absent) for a BPE vocabulary with
     * this pre-tokenizer.
     */
    public boolean addsBosByDefault() {
        return this == LLAMA3;
    }

    /**
     * The pre-tokens of {@code text} as {@link java.util.regex} finds them with {@link #regex()} ({@link #SMOLLM}:
     * after cutting every digit out as a word): slow, and the oracle {@link #split(String)} is tested against. Text between matches (there is none for these patterns,
     * whose last branch takes any whitespace and whose others take any other character) is kept as a word. Java's
     * case-insensitive {@code (?i:'s|...)} also takes U+017F (long s) for s, where llama.cpp's scanner folds
     * ASCII letters only; the scanners follow llama.cpp.
     */
    public List<String> splitWithRegex(String text) {
        if (this != SMOLLM) {
            return splitWithRegex(pattern, text);
        }
        List<String> words = new ArrayList<>();
        for (String piece : splitWithRegex(DIGIT, text)) {
            words.addAll(splitWithRegex(pattern, piece));
        }
        return words;
    }

    private static List<String> splitWithRegex(Pattern pattern, String text) {
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
            case GPT2 -> Gpt2PreTokenizer.lastSafeCut(text, from, to, false);
            case SMOLLM -> Gpt2PreTokenizer.lastSafeCut(text, from, to, true);
            case LLAMA3, QWEN2 -> -1;
        };
    }
}
