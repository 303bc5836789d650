package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/** Token-by-token decoding gives decode's text and never a piece ending inside a character. */
class StreamingDecoderTest {

    private static List<String> stream(TokenDecoder decoder, int[] tokens) {
        List<String> pieces = new ArrayList<>();
        for (int token : tokens) {
            pieces.add(decoder.append(token));
        }
        pieces.add(decoder.flush());
        return pieces;
    }

    @Test
    void holdsBackBytesUntilTheCharacterIsComplete() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        int[] tokens = t.encode("Hi 🦙!");
        // "▁Hi" "▁" <0xF0> <0x9F> <0xA6> <0x99> "!"
        assertThat(tokens).hasSize(7);
        assertThat(stream(t.newStreamingDecoder(), tokens)).containsExactly("Hi", " ", "", "", "", "🦙", "!", "");
    }

    @Test
    void matchesDecodeForZwjSequencesFlagsAndControlCharacters() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        for (String text : RoundTripTest.unicodeSet().toList()) {
            int[] tokens = t.encode(text);
            List<String> pieces = stream(t.newStreamingDecoder(), tokens);
            assertThat(String.join("", pieces)).as(text).isEqualTo(t.decode(tokens)).isEqualTo(text);
            assertThat(pieces).as(text).noneMatch(p -> p.contains("\uFFFD") && !text.contains("\uFFFD"));
        }
    }

    @Test
    void continuationKeepsTheLeadingSpace() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        int[] tokens = t.encode("Hello world");
        assertThat(String.join("", stream(t.newContinuationDecoder(), tokens))).isEqualTo(" Hello world");
        assertThat(String.join("", stream(t.newStreamingDecoder(), tokens))).isEqualTo("Hello world");
    }

    @Test
    void flushReleasesAnIncompleteCharacterAsAReplacement() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        Vocabulary v = t.vocabulary();
        TokenDecoder decoder = t.newContinuationDecoder();
        assertThat(decoder.append(v.id("<0xE2>"))).isEmpty();
        assertThat(decoder.append(v.id("<0x82>"))).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.append(v.id("<0x41>"))).isEqualTo("A");
    }

    @Test
    void releasesBytesThatCanNoLongerFormACharacter() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        Vocabulary v = t.vocabulary();
        TokenDecoder decoder = t.newContinuationDecoder();
        assertThat(decoder.append(v.id("<0xE2>"))).isEmpty();
        assertThat(decoder.append(v.id("<0x41>"))).isEqualTo("\uFFFDA");
        assertThat(decoder.append(v.id("<0x80>"))).isEqualTo("\uFFFD");
    }

    @Property(tries = 300)
    void streamingEqualsDecodeForAnyText(@ForAll("texts") String text) {
        Tokenizer t = LlamaVocabulary.tokenizer();
        int[] tokens = t.encode(text);
        List<String> pieces = stream(t.newStreamingDecoder(), tokens);
        assertThat(String.join("", pieces)).isEqualTo(t.decode(tokens));
        assertThat(String.join("", pieces)).doesNotContain("\uFFFD");
    }

    @Property(tries = 500)
    void streamingEqualsDecodeForAnyTokens(@ForAll("tokenStreams") int[] tokens) {
        Tokenizer t = LlamaVocabulary.tokenizer();
        assertThat(String.join("", stream(t.newStreamingDecoder(), tokens))).isEqualTo(t.decode(tokens));
    }

    @Provide
    Arbitrary<String> texts() {
        return RoundTripTest.texts();
    }

    /** Mostly byte tokens (3..258 in Llama's layout), so characters split across tokens are common. */
    @Provide
    Arbitrary<int[]> tokenStreams() {
        Arbitrary<Integer> token = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(3, 258)),
                Tuple.of(1, Arbitraries.of(0x80 + 3, 0xBF + 3, 0xE2 + 3, 0xF0 + 3, 0xED + 3)),
                Tuple.of(2, Arbitraries.integers().between(0, 31999)));
        return token.array(int[].class).ofMaxSize(40);
    }
}
