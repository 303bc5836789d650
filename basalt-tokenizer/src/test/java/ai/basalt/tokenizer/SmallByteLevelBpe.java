package ai.basalt.tokenizer;

import ai.basalt.tokenizer.training.BpeTrainer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small byte-level BPE tokenizer trained in the test itself, so that tests need no external files: 600 tokens
 * learned from a seeded mix of English-like words, digits, punctuation, whitespace runs and a few scripts, with
 * {@code <|endoftext|>} as its special token.
 */
final class SmallByteLevelBpe {
    static final String END_OF_TEXT = "<|endoftext|>";
    private static ByteLevelBpeTokenizer tokenizer;

    private SmallByteLevelBpe() {}

    static synchronized ByteLevelBpeTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = new BpeTrainer(new BpeTrainer.Config(600, List.of(END_OF_TEXT))).train(corpus());
        }
        return tokenizer;
    }

    /** About 200 kB of text. */
    static String corpus() {
        String[] words = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "I'm", "you're", "it's",
            "naïve", "café", "日本語", "テキスト", "Привет", "мир", "🦙", "llama", "token", "tokens", "1234", "3.14",
            "!!", "...", "(", ")", "\"quoted\"", "e\u0301"};
        String[] gaps = {" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", " \n", ", ", ". "};
        SplittableRandom r = new SplittableRandom(RandomInputs.DEFAULT_SEED);
        StringBuilder text = new StringBuilder();
        while (text.length() < 200_000) {
            text.append(words[r.nextInt(words.length)]).append(gaps[r.nextInt(gaps.length)]);
            if (r.nextInt(400) == 0) text.append(END_OF_TEXT);
        }
        return text.toString();
    }
}
