package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written Llama 3 and Qwen 2 pre-tokenizers against their oracle, {@link java.util.regex} running the
 * same patterns ({@link PreTokenizer#splitWithRegex}). U+017F (long s) is left out of random texts: Java's
 * {@code (?i)} folds it to s, llama.cpp (and so Basalt) folds ASCII letters only.
 */
class Llama3PreTokenizerTest {
    private static final List<PreTokenizer> KINDS = List.of(PreTokenizer.LLAMA3, PreTokenizer.QWEN2);

    @Test
    void splitsKnownCases() {
        PreTokenizer llama3 = PreTokenizer.LLAMA3;
        assertThat(llama3.split("Hello world")).containsExactly("Hello", " world");
        assertThat(llama3.split("I'M here, y'all!!\n\n")).containsExactly("I", "'M", " here", ",", " y", "'all",
                "!!\n\n");
        assertThat(llama3.split("1234567 x")).containsExactly("123", "456", "7", " x");
        assertThat(PreTokenizer.QWEN2.split("123 x")).containsExactly("1", "2", "3", " x");
        assertThat(llama3.split("a \n\n b")).containsExactly("a", " \n\n", " b");
        assertThat(llama3.split("\tword (x)")).containsExactly("\tword", " (", "x", ")");
        assertThat(llama3.split("x   \t y")).containsExactly("x", "   \t", " y");
        assertThat(llama3.split("trailing  ")).containsExactly("trailing", "  ");
        assertThat(llama3.split("\r\nab")).containsExactly("\r\n", "ab");
        assertThat(llama3.split("'''x")).containsExactly("'''", "x");
        assertThat(llama3.split("x'y")).containsExactly("x", "'y");
        assertThat(llama3.split("")).isEmpty();
    }

    @Test
    void splitsAsTheRegexOnKnownTexts() {
        List<String> texts = List.of("Hello world", " Hello World!", "  leading\tand\r\ntrailing  \n\n",
                "w048 7tuijk dsdfhu", "нещо на Български", "កាន់តែពិសេសអាចខលចេញ", "🚀 (normal) 😶‍🌫️ (multiple emojis)",
                "Hello\n\n\n   \t\t  world", "'''\"\"\"!!! ???", "3333333 33333333", "\u2028x\u3000y\u0085",
                "I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL",
                " \n \t\n\n\r \u00A0\u00A0x", "3.3 3..3 ½¾ e\u0301t\u00E9 .\n.\r\n");
        for (PreTokenizer kind : KINDS) {
            for (String text : texts) {
                assertThat(kind.split(text)).as("%s %s", kind, text).isEqualTo(kind.splitWithRegex(text));
            }
        }
    }

    @Test
    void splitsAsTheRegexOnRandomText() {
        for (PreTokenizer kind : KINDS) {
            RandomInputs.forAll("Llama3PreTokenizerTest.splitsAsTheRegexOnRandomText." + kind,
                    RandomInputs.textEdgeCases(cp -> cp != 0x17F), 3000, r -> RandomInputs.text(r, cp -> cp != 0x17F),
                    text -> assertThat(kind.split(text)).isEqualTo(kind.splitWithRegex(text)));
        }
    }

    /** Apostrophes, digits, line breaks and spaces packed densely, where the branches compete most. */
    @Test
    void splitsAsTheRegexOnDenseText() {
        String alphabet = "'sStTmMdDrReEvVlLx1٣ \t\r\n\u00A0.!(";
        for (PreTokenizer kind : KINDS) {
            RandomInputs.forAll("Llama3PreTokenizerTest.splitsAsTheRegexOnDenseText." + kind, List.of(), 5000, r -> {
                StringBuilder s = new StringBuilder();
                for (int n = r.nextInt(0, 24); n > 0; n--) s.append(alphabet.charAt(r.nextInt(alphabet.length())));
                return s.toString();
            }, text -> assertThat(kind.split(text)).isEqualTo(kind.splitWithRegex(text)));
        }
    }

    /** Strings with lone surrogates and any UTF-16 char: the words still cover the text without gaps. */
    @Test
    void coversAnyStringWithoutGaps() {
        for (PreTokenizer kind : KINDS) {
            RandomInputs.forAll("Llama3PreTokenizerTest.coversAnyStringWithoutGaps." + kind,
                    RandomInputs.stringEdgeCases(), 2000, RandomInputs::anyString, text -> {
                        List<String> words = kind.split(text);
                        assertThat(String.join("", words)).isEqualTo(text);
                        assertThat(words).allSatisfy(w -> assertThat(w).isNotEmpty());
                    });
        }
    }

    @Test
    void knowsNoSafeCut() {
        assertThat(PreTokenizer.LLAMA3.lastSafeCut("a\nb c", 0, 5)).isEqualTo(-1);
    }
}
