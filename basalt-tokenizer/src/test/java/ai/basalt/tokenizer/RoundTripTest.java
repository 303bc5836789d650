package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code decode(encode(x)) == x} with the Llama 2 vocabulary, tokens encoded without BOS. The one text it
 * cannot hold for is U+2581 itself, which SentencePiece reads as a space (see
 * {@link #readsTheSpaceEscapeAsASpace}); unpaired surrogates are encoded as U+FFFD.
 */
class RoundTripTest {

    static Stream<String> unicodeSet() {
        return Stream.of(
                "", " ", "  ", "     ", "\t", "\n", "\r\n", "\r", " \t\n\r ", "Hello", " Hello", "Hello ",
                "  leading and trailing  ", "a" + " ".repeat(100) + "b", " ".repeat(257),
                "naïve café résumé Ångström", "Ελληνικά", "Привет мир", "עברית", "العربية", "हिन्दी",
                "日本語のテキスト", "中文字符", "한국어", "ก่อนหน้า", "ភាសាខ្មែរ",
                "🦙", "🦙🦙", "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵🇺🇸", "👍🏽", "❤️", "e\u0301", "\u0000", "\u0001\u001F\u007F",
                "\u0085\u00A0\u2028\u2029", "\uFEFF", "\uFFFD", "\uE000", "\uD83E\uDD99", "𝕳𝖊𝖑𝖑𝖔", "\uDBFF\uDFFF",
                "<s>", "</s>", "<unk>", "<0x0A>", "a<s>b", "[INST] hi [/INST]",
                "3.14159 1e-9 0x7F", "```java\nint x = 1;\n```", "!!!!!!", "'''\"\"\"");
    }

    @ParameterizedTest
    @MethodSource("unicodeSet")
    void decodesWhatItEncodes(String text) {
        Tokenizer t = LlamaVocabulary.tokenizer();
        assertThat(t.decode(t.encode(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @MethodSource("unicodeSet")
    void keepsThePrefixSpaceAfterADroppedBos(String text) {
        Tokenizer t = LlamaVocabulary.tokenizer();
        int[] tokens = t.encode(text, true, false);
        assertThat(tokens[0]).isEqualTo(t.vocabulary().bos());
        // llama_detokenize only strips the prefix space when no BOS was dropped
        assertThat(t.decode(tokens, true, false)).isEqualTo(text.isEmpty() ? "" : " " + text);
    }

    @Test
    void prefixesASpaceToTextAfterAParsedSpecialToken() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        int[] tokens = t.encode("a<s>b</s>", false, true);
        assertThat(tokens).containsExactly(t.encode("a")[0], 1, t.encode("b")[0], 2);
        assertThat(t.decode(tokens, false, true)).isEqualTo("a<s> b</s>");
    }

    @Test
    void decodesEveryConformanceInput() throws IOException {
        Tokenizer t = LlamaVocabulary.tokenizer();
        List<LlamaSpmConformanceTest.Case> cases = LlamaSpmConformanceTest.readCases();
        for (LlamaSpmConformanceTest.Case c : cases) {
            assertThat(t.decode(t.encode(c.input()))).as("case %d", c.index()).isEqualTo(c.input());
        }
    }

    @Test
    void readsTheSpaceEscapeAsASpace() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        assertThat(t.encode("a\u2581b")).containsExactly(t.encode("a b"));
        assertThat(t.decode(t.encode("a\u2581b"))).isEqualTo("a b");
    }

    @Test
    void roundTripsALongText() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        StringBuilder text = new StringBuilder();
        unicodeSet().forEach(s -> text.append(s).append(' '));
        String block = text.toString();
        String longText = block.repeat(2000) + "x".repeat(100_000) + " ".repeat(100_000);
        int[] tokens = t.encode(longText);
        assertThat(t.decode(tokens)).isEqualTo(longText);
    }

    /** Over {@link RandomInputs#text}: valid code points, weighted towards ASCII, spaces and a few scripts. */
    @Test
    void decodesWhatItEncodesForAnyCodePoints() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        RandomInputs.forAll("RoundTripTest.decodesWhatItEncodesForAnyCodePoints",
                RandomInputs.textEdgeCases(cp -> true), 400, RandomInputs::text, text -> assertThat(t.decode(t.encode(text))).isEqualTo(text));
    }
}
