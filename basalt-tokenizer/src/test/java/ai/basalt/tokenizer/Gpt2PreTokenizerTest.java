package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written GPT-2 pre-tokenizer against its oracle, {@link java.util.regex} running the same pattern
 * ({@link PreTokenizer#splitWithRegex}), and the cases where the lookahead {@code \s+(?!\S)} decides.
 */
class Gpt2PreTokenizerTest {
    private static final PreTokenizer GPT2 = PreTokenizer.GPT2;

    @Test
    void splitsAsTheRegexOnKnownCases() {
        assertThat(GPT2.split("Hello world")).containsExactly("Hello", " world");
        assertThat(GPT2.split("I'm   here!!  ")).containsExactly("I", "'m", "  ", " here", "!!", "  ");
        assertThat(GPT2.split("a\n\nb")).containsExactly("a", "\n", "\n", "b");
        assertThat(GPT2.split("a \n b")).containsExactly("a", " \n", " b");
        assertThat(GPT2.split("x\t\ty")).containsExactly("x", "\t", "\t", "y");
        assertThat(GPT2.split("don'T 'S 'll've")).containsExactly("don", "'", "T", " '", "S", " '", "ll", "'ve");
        assertThat(GPT2.split("3.14 ½ 4½")).containsExactly("3", ".", "14", " ½", " 4½");
        assertThat(GPT2.split(" ")).containsExactly(" ");
        assertThat(GPT2.split("")).isEmpty();
        assertThat(GPT2.split("\u00A0a")).containsExactly("\u00A0", "a"); // NBSP is \s but not the optional space
        assertThat(GPT2.split("e\u0301t\u00E9")).containsExactly("e", "\u0301", "t\u00E9"); // a combining mark is \p{M}
    }

    @Test
    void splitsAsTheRegexOnKnownTexts() {
        List<String> texts = List.of("Hello world", " Hello World!", "  leading\tand\r\ntrailing  \n\n",
                "w048 7tuijk dsdfhu", "нещо на Български", "កាន់តែពិសេសអាចខលចេញ", "🚀 (normal) 😶‍🌫️ (multiple emojis)",
                "Hello\n\n\n   \t\t  world", "'''\"\"\"!!! ???", "3333333 33333333", "\u2028x\u3000y\u0085");
        for (String text : texts) {
            assertThat(GPT2.split(text)).as(text).isEqualTo(GPT2.splitWithRegex(text));
        }
    }

    @Test
    void splitsAsTheRegexOnRandomText() {
        RandomInputs.forAll("Gpt2PreTokenizerTest.splitsAsTheRegexOnRandomText", RandomInputs.textEdgeCases(cp -> true),
                3000, RandomInputs::text, text -> assertThat(GPT2.split(text)).isEqualTo(GPT2.splitWithRegex(text)));
    }

    /** Strings with lone surrogates and any UTF-16 char: the words still cover the text without gaps. */
    @Test
    void coversAnyStringWithoutGaps() {
        RandomInputs.forAll("Gpt2PreTokenizerTest.coversAnyStringWithoutGaps", RandomInputs.stringEdgeCases(), 2000,
                RandomInputs::anyString, text -> {
                    List<String> words = GPT2.split(text);
                    assertThat(String.join("", words)).isEqualTo(text);
                    assertThat(words).allSatisfy(w -> assertThat(w).isNotEmpty());
                });
    }

    /** Cutting at {@link PreTokenizer#lastSafeCut} and splitting each side apart changes nothing. */
    @Test
    void aSafeCutChangesNoWord() {
        RandomInputs.forAll("Gpt2PreTokenizerTest.aSafeCutChangesNoWord", RandomInputs.textEdgeCases(cp -> true), 3000,
                RandomInputs::text, text -> {
                    for (int to = text.length(); to > 0; ) {
                        int cut = GPT2.lastSafeCut(text, 0, to);
                        if (cut < 0) break;
                        List<String> apart = new ArrayList<>(GPT2.split(text.substring(0, cut)));
                        apart.addAll(GPT2.split(text.substring(cut)));
                        assertThat(apart).as("cut at %d", cut).isEqualTo(GPT2.split(text));
                        to = cut;
                    }
                });
    }

    @Test
    void isNamedAsInGguf() {
        assertThat(PreTokenizer.fromGgufName("gpt-2")).contains(PreTokenizer.GPT2);
        assertThat(PreTokenizer.fromGgufName("llama-bpe")).contains(PreTokenizer.LLAMA3);
        assertThat(PreTokenizer.fromGgufName("llama3")).contains(PreTokenizer.LLAMA3);
        assertThat(PreTokenizer.fromGgufName("qwen2")).contains(PreTokenizer.QWEN2);
        assertThat(PreTokenizer.fromGgufName("deepseek-llm")).isEmpty();
    }
}
