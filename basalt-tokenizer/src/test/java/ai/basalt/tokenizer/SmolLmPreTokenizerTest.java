package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SmolLM's pre-tokenizer (llama.cpp's {@code smollm}: every digit alone, then GPT-2's pattern between digits) against
 * hand-worked cases and its two-stage regex oracle; {@link HuggingFaceParityTest#smollmPreTokenizer} checks whole
 * tokenizations against Hugging Face's {@code Digits(individual_digits=true)} + {@code ByteLevel}.
 */
class SmolLmPreTokenizerTest {
    private static final PreTokenizer SMOLLM = PreTokenizer.SMOLLM;

    /** Texts whose cuts differ from GPT-2's; {@link HuggingFaceParityTest} feeds them to Hugging Face too. */
    static final List<String> CRAFTED = List.of("a 123", "abc123def", "x  42", "version 1.2.3", "  7", "a \n1b",
            "\u0663\u0664", "\u00BDx", "I'm 3'd", "\uD835\uDFCF\uD835\uDFD0", "1\t\t2", "x 1 y", "0x1F");

    @Test
    void cutsEveryDigitApart() {
        assertThat(SMOLLM.split("a 123")).containsExactly("a", " ", "1", "2", "3");
        assertThat(SMOLLM.split("abc123def")).containsExactly("abc", "1", "2", "3", "def");
        // the text before a digit ends there, so its whitespace run is taken whole
        assertThat(SMOLLM.split("x  42")).containsExactly("x", "  ", "4", "2");
        assertThat(SMOLLM.split("version 1.2.3")).containsExactly("version", " ", "1", ".", "2", ".", "3");
        assertThat(SMOLLM.split("  7")).containsExactly("  ", "7");
        assertThat(SMOLLM.split("a \n1b")).containsExactly("a", " \n", "1", "b");
        assertThat(SMOLLM.split("\u0663\u0664")).containsExactly("\u0663", "\u0664"); // Arabic-Indic digits are \p{N}
        assertThat(SMOLLM.split("\u00BDx")).containsExactly("\u00BD", "x"); // so is ½ (No)
        assertThat(SMOLLM.split("I'm 3'd")).containsExactly("I", "'m", " ", "3", "'d");
        assertThat(SMOLLM.split("\uD835\uDFCF\uD835\uDFD0")).containsExactly("\uD835\uDFCF", "\uD835\uDFD0");
        assertThat(SMOLLM.split("x 1 y")).containsExactly("x", " ", "1", " y");
        assertThat(SMOLLM.split("")).isEmpty();
    }

    @Test
    void splitsAsTheTwoStageRegexOnCraftedAndRandomText() {
        for (String text : CRAFTED) {
            assertThat(SMOLLM.split(text)).as(text).isEqualTo(SMOLLM.splitWithRegex(text));
        }
        RandomInputs.forAll("SmolLmPreTokenizerTest.splitsAsTheRegex", RandomInputs.textEdgeCases(cp -> true), 3000,
                RandomInputs::text, text -> assertThat(SMOLLM.split(text)).isEqualTo(SMOLLM.splitWithRegex(text)));
    }

    @Test
    void coversAnyStringWithoutGaps() {
        RandomInputs.forAll("SmolLmPreTokenizerTest.coversAnyStringWithoutGaps", RandomInputs.stringEdgeCases(), 2000,
                RandomInputs::anyString, text -> {
                    List<String> words = SMOLLM.split(text);
                    assertThat(String.join("", words)).isEqualTo(text);
                    assertThat(words).allSatisfy(w -> assertThat(w).isNotEmpty());
                });
    }

    /** Cutting at {@link PreTokenizer#lastSafeCut} changes nothing, though a digit after a whitespace run would. */
    @Test
    void aSafeCutChangesNoWord() {
        assertThat(SMOLLM.lastSafeCut("a \n1", 0, 4)).isEqualTo(-1);
        assertThat(PreTokenizer.GPT2.lastSafeCut("a \n1", 0, 4)).isEqualTo(2);
        RandomInputs.forAll("SmolLmPreTokenizerTest.aSafeCutChangesNoWord", RandomInputs.textEdgeCases(cp -> true), 3000,
                RandomInputs::text, text -> {
                    for (int to = text.length(); to > 0; ) {
                        int cut = SMOLLM.lastSafeCut(text, 0, to);
                        if (cut < 0) break;
                        List<String> apart = new ArrayList<>(SMOLLM.split(text.substring(0, cut)));
                        apart.addAll(SMOLLM.split(text.substring(cut)));
                        assertThat(apart).as("cut at %d", cut).isEqualTo(SMOLLM.split(text));
                        to = cut;
                    }
                });
    }

    @Test
    void isNamedAsInGguf() {
        for (String name : List.of("smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b")) {
            assertThat(PreTokenizer.fromGgufName(name)).as(name).contains(SMOLLM);
        }
        assertThat(SMOLLM.ggufName()).isEqualTo("smollm");
        assertThat(SMOLLM.ignoresMergesByDefault()).isFalse();
        assertThat(SMOLLM.addsBosByDefault()).isFalse();
    }
}
