package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.TokenType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The byte-level BPE tokenizer over a small vocabulary trained in the test ({@link SmallByteLevelBpe}) and, where
 * its files are present, GPT-2's: exact round trips, streaming, special tokens and the fast merge against the slow
 * one.
 */
class ByteLevelBpeTokenizerTest {

    static List<ByteLevelBpeTokenizer> small() {
        return List.of(SmallByteLevelBpe.tokenizer());
    }

    @ParameterizedTest
    @MethodSource("ai.basalt.tokenizer.RoundTripTest#unicodeSet")
    void decodesWhatItEncodes(String text) {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        assertThat(t.decode(t.encode(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @MethodSource("ai.basalt.tokenizer.RoundTripTest#unicodeSet")
    void decodesWhatGpt2Encodes(String text) {
        ByteLevelBpeTokenizer t = TestAssets.gpt2();
        assertThat(t.decode(t.encode(text))).isEqualTo(text);
    }

    @Test
    void decodesWhatItEncodesForAnyCodePoints() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        RandomInputs.forAll("ByteLevelBpeTokenizerTest.decodesWhatItEncodesForAnyCodePoints",
                RandomInputs.textEdgeCases(cp -> true), 2000, RandomInputs::text,
                text -> assertThat(t.decode(t.encode(text))).isEqualTo(text));
    }

    /** Unpaired surrogates have no UTF-8 form: they are encoded as U+FFFD, everything else exactly. */
    @Test
    void decodesAnyStringWithLoneSurrogatesReplaced() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        RandomInputs.forAll("ByteLevelBpeTokenizerTest.decodesAnyStringWithLoneSurrogatesReplaced",
                RandomInputs.stringEdgeCases(), 1000, RandomInputs::anyString,
                s -> assertThat(t.decode(t.encode(s))).isEqualTo(SentencePieceBpeTokenizer.replaceLoneSurrogates(s)));
    }

    @Test
    void mergesWithTheHeapAsTheSlowAlgorithmDoes() {
        assertMergesAsTheSlowAlgorithm(SmallByteLevelBpe.tokenizer());
    }

    @Test
    void mergesGpt2WithTheHeapAsTheSlowAlgorithmDoes() {
        assertMergesAsTheSlowAlgorithm(TestAssets.gpt2());
    }

    private static void assertMergesAsTheSlowAlgorithm(ByteLevelBpeTokenizer t) {
        MergeTable table = mergeTable(t);
        Map<String, Integer> ids = ids(t.vocabulary());
        List<String> edgeCases = new java.util.ArrayList<>(RandomInputs.textEdgeCases(cp -> true));
        edgeCases.addAll(List.of("aaaaaaaaaaaaaaaaaaaaaaa", "=".repeat(1000), " " + "ab".repeat(300), "0".repeat(77)));
        RandomInputs.forAll("ByteLevelBpeTokenizerTest.mergesWithTheHeapAsTheSlowAlgorithmDoes", edgeCases, 1500,
                RandomInputs::text, text -> {
                    for (String word : t.preTokenizer().split(text)) {
                        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
                        int[] symbols = new int[bytes.length];
                        for (int i = 0; i < bytes.length; i++) symbols[i] = ids.get(String.valueOf(ByteLevel.charOf(bytes[i])));
                        assertThat(table.apply(symbols.clone())).isEqualTo(table.applySlowly(symbols));
                    }
                });
    }

    private static Map<String, Integer> ids(Vocabulary v) {
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < v.size(); id++) {
            if (v.types()[id] == TokenType.NORMAL) ids.put(v.tokens()[id], id);
        }
        return ids;
    }

    private static MergeTable mergeTable(ByteLevelBpeTokenizer t) {
        Map<String, Integer> ids = ids(t.vocabulary());
        List<BpeMerge> merges = t.merges();
        int[] left = new int[merges.size()];
        int[] right = new int[merges.size()];
        int[] merged = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            left[r] = ids.get(merges.get(r).left());
            right[r] = ids.get(merges.get(r).right());
            merged[r] = ids.get(merges.get(r).merged());
        }
        return new MergeTable(left, right, merged);
    }

    @Test
    void streamsWhatItDecodes() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        RandomInputs.forAll("ByteLevelBpeTokenizerTest.streamsWhatItDecodes", RandomInputs.textEdgeCases(cp -> true),
                1000, RandomInputs::text, text -> {
                    int[] tokens = t.encode(text);
                    for (TokenDecoder decoder : List.of(t.newStreamingDecoder(), t.newContinuationDecoder())) {
                        StringBuilder streamed = new StringBuilder();
                        for (int token : tokens) {
                            String piece = decoder.append(token);
                            if (!text.contains("\uFFFD")) assertThat(piece).doesNotContain("\uFFFD");
                            streamed.append(piece);
                        }
                        streamed.append(decoder.flush());
                        assertThat(streamed.toString()).isEqualTo(text);
                    }
                });
    }

    @Test
    void holdsBackASplitCharacterUntilItIsComplete() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        int[] bytes = t.encode("€"); // three bytes; the small vocabulary has no token for it
        assertThat(bytes).hasSize(3);
        TokenDecoder decoder = t.newStreamingDecoder();
        assertThat(decoder.append(bytes[0])).isEmpty();
        assertThat(decoder.append(bytes[1])).isEmpty();
        assertThat(decoder.append(bytes[2])).isEqualTo("€");
        assertThat(decoder.append(bytes[0])).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
    }

    @Test
    void matchesSpecialTokensWholeOnlyWhenParsed() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        int eot = t.vocabulary().id(SmallByteLevelBpe.END_OF_TEXT);
        assertThat(t.vocabulary().type(eot)).isEqualTo(TokenType.CONTROL);
        int[] parsed = t.encode("a<|endoftext|>b", false, true);
        assertThat(parsed).containsExactly(t.encode("a")[0], eot, t.encode("b")[0]);
        int[] plain = t.encode("a<|endoftext|>b", false, false);
        assertThat(plain).doesNotContain(eot);
        assertThat(t.decode(plain)).isEqualTo("a<|endoftext|>b");
        assertThat(t.decode(parsed)).isEqualTo("ab");
        assertThat(t.decode(parsed, false, true)).isEqualTo("a<|endoftext|>b");
    }

    @Test
    void addsAndRemovesBosAndEosWhereTheVocabularyAsks() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        Vocabulary v = t.vocabulary();
        Vocabulary adding = new Vocabulary(v.tokens(), v.scores(), v.types(), v.bos(), v.eos(), -1, -1, true, true, false);
        ByteLevelBpeTokenizer withSpecials = new ByteLevelBpeTokenizer(adding, t.merges(), PreTokenizer.GPT2);
        int[] tokens = withSpecials.encode("hi", true, false);
        assertThat(tokens[0]).isEqualTo(v.bos());
        assertThat(tokens[tokens.length - 1]).isEqualTo(v.eos());
        assertThat(withSpecials.decode(tokens, true, true)).isEqualTo("hi");
        assertThat(withSpecials.decode(tokens, false, true)).isEqualTo("<|endoftext|>hi<|endoftext|>");
        assertThat(t.encode("hi", true, false)).isEqualTo(t.encode("hi"));
    }

    @Test
    void encodesALongTextQuickly() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        String text = SmallByteLevelBpe.corpus() + "x".repeat(100_000) + "-".repeat(100_000) + " ".repeat(100_000);
        assertThat(t.decode(t.encode(text))).isEqualTo(text);
    }

    @Test
    void rendersTokensAsTheirExactBytes() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        int space = t.vocabulary().id("Ġ");
        assertThat(t.tokenBytes(space)).containsExactly(' ');
        assertThat(t.tokenBytes(t.vocabulary().id("Ã"))).containsExactly(0xC3);
    }

    @Test
    void rejectsMergesOutsideTheVocabulary() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        assertThatThrownBy(() -> new ByteLevelBpeTokenizer(t.vocabulary(), List.of(new BpeMerge("€", "x")), PreTokenizer.GPT2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("merge 0 '€ x'").hasMessageContaining("'€' is not a normal token");
    }
}
