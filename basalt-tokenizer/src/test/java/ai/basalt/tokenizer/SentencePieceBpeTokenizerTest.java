package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The merge, fallback, special-token and decode rules of llama.cpp's SPM tokenizer, on hand-made vocabularies. */
class SentencePieceBpeTokenizerTest {

    private static TestVocabularies letters() {
        return TestVocabularies.llamaLayout().withByteTokens()
                .normal("▁", -100f).normal("a", -50f).normal("b", -50f).normal("c", -50f);
    }

    private static int[] ids(TestVocabularies v, String... texts) {
        int[] ids = new int[texts.length];
        for (int i = 0; i < texts.length; i++) {
            ids[i] = v.id(texts[i]);
            assertThat(ids[i]).as("token %s", texts[i]).isNotNegative();
        }
        return ids;
    }

    @Test
    void mergesTheHighestScoringPairFirst() {
        TestVocabularies v = letters().normal("ab", -2f).normal("bc", -1f).normal("abc", -3f);
        Tokenizer t = Tokenizers.sentencePiece(v.build(false));
        // "bc" outranks "ab"; then "a"+"bc" forms "abc"
        assertThat(t.encode("abc")).containsExactly(ids(v, "abc"));

        TestVocabularies w = letters().normal("ab", -1f).normal("bc", -2f);
        assertThat(Tokenizers.sentencePiece(w.build(false)).encode("abc")).containsExactly(ids(w, "ab", "c"));
    }

    @Test
    void breaksScoreTiesTowardsTheLeft() {
        TestVocabularies v = letters().normal("aa", -1f);
        Tokenizer t = Tokenizers.sentencePiece(v.build(false));
        assertThat(t.encode("aaa")).containsExactly(ids(v, "aa", "a"));
        assertThat(t.encode("aaaaa")).containsExactly(ids(v, "aa", "aa", "a"));
    }

    @Test
    void prefixesASpaceAndEscapesSpaces() {
        TestVocabularies v = letters().normal("▁a", -1f).normal("▁▁", -1f);
        Tokenizer t = Tokenizers.sentencePiece(v.build(true));
        assertThat(t.encode("a")).containsExactly(ids(v, "▁a"));
        assertThat(t.encode(" a")).containsExactly(ids(v, "▁▁", "a"));
        assertThat(t.encode("b a")).containsExactly(ids(v, "▁", "b", "▁a"));
        assertThat(Tokenizers.sentencePiece(v.build(false)).encode("a")).containsExactly(ids(v, "a"));
        assertThat(t.encode("")).isEmpty();
    }

    @Test
    void fallsBackToByteTokensForUnknownCharacters() {
        TestVocabularies v = letters();
        Tokenizer t = Tokenizers.sentencePiece(v.build(false));
        assertThat(t.encode("aé")).containsExactly(ids(v, "a", "<0xC3>", "<0xA9>"));
        assertThat(t.encode("\n")).containsExactly(ids(v, "<0x0A>"));
        assertThat(t.decode(t.encode("aé\n"))).isEqualTo("aé\n");
    }

    @Test
    void usesOneUnknownTokenPerRunOfUnencodableCharactersWithoutByteTokens() {
        TestVocabularies v = TestVocabularies.llamaLayout().normal("▁", -1f).normal("a", -1f);
        Tokenizer t = Tokenizers.sentencePiece(v.build(false));
        assertThat(t.encode("aééa")).containsExactly(ids(v, "a", "<unk>", "a"));
        assertThat(t.encode("é▁é")).containsExactly(ids(v, "<unk>", "▁", "<unk>"));
    }

    @Test
    void singleByteTextsStandInForMissingByteTokens() {
        TestVocabularies v = TestVocabularies.llamaLayout().normal("a", -1f).normal("\n", -1f);
        assertThat(Tokenizers.sentencePiece(v.build(false)).encode("a\n")).containsExactly(ids(v, "a", "\n"));
    }

    @Test
    void failsWithoutAnyWayToEncodeACharacter() {
        Vocabulary v = new Vocabulary(new String[] {"a"}, new float[] {0f}, new TokenType[] {TokenType.NORMAL},
                -1, -1, -1, -1, false, false, false);
        assertThatThrownBy(() -> Tokenizers.sentencePiece(v).encode("ab"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("U+62");
    }

    @Test
    void matchesControlTokensOnlyWhenParsingSpecialTokens() {
        TestVocabularies v = letters().normal("▁a", -1f).normal("▁b", -1f).normal("<", -60f).normal(">", -60f)
                .normal("s", -60f);
        Tokenizer t = Tokenizers.sentencePiece(v.build(true));
        // after a special token the next text fragment gets the space prefix again
        assertThat(t.encode("a<s>b", false, true)).containsExactly(ids(v, "▁a", "<s>", "▁b"));
        assertThat(t.encode("<s>", false, true)).containsExactly(ids(v, "<s>"));
        assertThat(t.encode("a<s>b", false, false)).containsExactly(ids(v, "▁a", "<", "s", ">", "b"));
        assertThat(t.encode("<unk></s>", false, true)).containsExactly(ids(v, "<unk>", "</s>"));
    }

    @Test
    void alwaysMatchesUserDefinedTokensLongestFirst() {
        TestVocabularies v = letters().normal("▁a", -1f)
                .add("<x", 0f, TokenType.USER_DEFINED).add("<xy", 0f, TokenType.USER_DEFINED);
        Tokenizer t = Tokenizers.sentencePiece(v.build(true));
        assertThat(t.encode("<xya<x", false, false)).containsExactly(ids(v, "<xy", "▁a", "<x"));
    }

    @Test
    void addsBosAndEosWhereTheVocabularyAsks() {
        TestVocabularies v = letters().normal("▁a", -1f);
        assertThat(Tokenizers.sentencePiece(v.build(true, true, true)).encode("a", true, false))
                .containsExactly(1, v.id("▁a"), 2);
        assertThat(Tokenizers.sentencePiece(v.build(true, false, true)).encode("", true, false)).containsExactly(1);
        assertThat(Tokenizers.sentencePiece(v.build(false, false, true)).encode("a", true, false))
                .containsExactly(v.id("▁a"));
    }

    @Test
    void encodesUnpairedSurrogatesAsReplacementCharacters() {
        Tokenizer t = Tokenizers.sentencePiece(letters().build(true));
        assertThat(t.encode("a\uD800b\uDC00")).containsExactly(t.encode("a\uFFFDb\uFFFD"));
        assertThat(t.encode("\uD83D\uDE00")).isNotEqualTo(t.encode("\uFFFD\uFFFD"));
    }

    @Test
    void decodesLikeLlamaDetokenize() {
        TestVocabularies v = letters().normal("▁a", -1f).normal("▁b▁", -1f)
                .add("<u▁d>", 0f, TokenType.USER_DEFINED).add("<unused>", 0f, TokenType.UNUSED);
        Tokenizer t = Tokenizers.sentencePiece(v.build(true, true, true));
        int a = v.id("▁a");
        assertThat(t.decode(new int[] {a, a})).isEqualTo("a a");
        assertThat(t.decode(new int[] {v.id("▁b▁")})).isEqualTo("b ");
        assertThat(t.decode(new int[] {1, a, 2})).as("BOS renders nothing but takes the strip").isEqualTo(" a");
        assertThat(t.decode(new int[] {1, a, 2}, true, false)).as("a dropped BOS keeps the space").isEqualTo(" a");
        assertThat(t.decode(new int[] {1, a, 2}, false, true)).isEqualTo("<s> a</s>");
        assertThat(t.decode(new int[] {1, a, 2}, true, true)).isEqualTo(" a");
        assertThat(t.decode(new int[] {0, a}, false, true)).isEqualTo("<unk> a");
        assertThat(t.decode(new int[] {v.id("<u▁d>"), v.id("<unused>"), a})).isEqualTo("<u▁d> a");
        assertThat(t.decode(new int[] {v.id("<0x20>"), a})).as("a leading space byte is stripped too").isEqualTo(" a");
        assertThat(t.decode(new int[0])).isEmpty();
        assertThatThrownBy(() -> t.decode(new int[] {v.id("▁a") + 1000})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.decode(new int[] {-1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsByteTokensWithoutAByteInTheirText() {
        Vocabulary v = letters().add("<0xZZ>", 0f, TokenType.BYTE).build(true);
        assertThatThrownBy(() -> Tokenizers.sentencePiece(v))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<0xZZ>");
    }
}
