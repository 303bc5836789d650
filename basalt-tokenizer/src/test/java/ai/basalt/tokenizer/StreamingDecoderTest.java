package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
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

    /** Over {@link RandomInputs#text}, less U+FFFD: the one text whose decoding rightly holds a replacement. */
    @Test
    void streamingEqualsDecodeForAnyText() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        RandomInputs.forAll("StreamingDecoderTest.streamingEqualsDecodeForAnyText",
                RandomInputs.textEdgeCases(cp -> cp != 0xFFFD), 300, r -> RandomInputs.text(r, cp -> cp != 0xFFFD),
                text -> {
                    int[] tokens = t.encode(text);
                    List<String> pieces = stream(t.newStreamingDecoder(), tokens);
                    assertThat(String.join("", pieces)).isEqualTo(t.decode(tokens));
                    assertThat(String.join("", pieces)).doesNotContain("\uFFFD");
                });
    }

    @Test
    void streamingEqualsDecodeForAnyTokens() {
        Tokenizer t = LlamaVocabulary.tokenizer();
        RandomInputs.forAll("StreamingDecoderTest.streamingEqualsDecodeForAnyTokens", tokenStreamEdgeCases(), 500,
                StreamingDecoderTest::tokenStream,
                tokens -> assertThat(String.join("", stream(t.newStreamingDecoder(), tokens)))
                        .isEqualTo(t.decode(tokens)));
    }

    /** Byte tokens are 3..258 in Llama's layout: the token of byte {@code b} is {@code b + 3}. */
    private static int byteToken(int b) {
        return b + 3;
    }

    /**
     * Up to 40 tokens, weighted 6 byte tokens : 1 continuation or lead byte token : 2 any token, so characters
     * split across tokens are common.
     */
    private static int[] tokenStream(SplittableRandom r) {
        int[] tokens = new int[RandomInputs.between(r, 0, 40)];
        int[] splitters = {byteToken(0x80), byteToken(0xBF), byteToken(0xE2), byteToken(0xF0), byteToken(0xED)};
        for (int i = 0; i < tokens.length; i++) {
            int kind = r.nextInt(9);
            tokens[i] = kind < 6 ? RandomInputs.between(r, 3, 258)
                    : kind < 7 ? splitters[r.nextInt(splitters.length)]
                    : RandomInputs.between(r, 0, 31999);
        }
        return tokens;
    }

    /**
     * Token streams checked every time: empty, the special tokens, the ends of the vocabulary, characters cut
     * short, surrogates and overlongs spelled in bytes, and the longest runs of lead and continuation bytes.
     */
    private static List<int[]> tokenStreamEdgeCases() {
        int[] leads = new int[40];
        Arrays.fill(leads, byteToken(0xF0));
        int[] continuations = new int[40];
        Arrays.fill(continuations, byteToken(0x80));
        int[] llamas = new int[40];
        for (int i = 0; i < 40; i++) llamas[i] = byteToken(new int[] {0xF0, 0x9F, 0xA6, 0x99}[i % 4]);
        return List.of(new int[0], new int[] {0}, new int[] {1}, new int[] {2}, new int[] {3}, new int[] {258},
                new int[] {31999}, new int[] {0, 1, 2, 31999}, new int[] {byteToken(0xE2), byteToken(0x82)},
                new int[] {byteToken(0xE2), byteToken(0x82), 31999},
                new int[] {byteToken(0xF0), byteToken(0x9F), byteToken(0xA6), 29871},
                new int[] {byteToken(0xED), byteToken(0xA0), byteToken(0x80)},
                new int[] {byteToken(0xC0), byteToken(0xAF)}, new int[] {byteToken(0xFF), byteToken(0xBF)},
                leads, continuations, llamas);
    }
}
