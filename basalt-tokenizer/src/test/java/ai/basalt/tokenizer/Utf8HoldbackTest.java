package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The UTF-8 decoder and hold-back buffer behind every decode. */
class Utf8HoldbackTest {
    /** Bytes at every boundary of the UTF-8 tables: ASCII, continuations, each lead class, invalid leads. */
    private static final int[] ALPHABET = {
        0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF
    };

    private static String decode(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Utf8Holdback.decode(b, 0, b.length);
    }

    private static String streamed(byte[] bytes) {
        Utf8Holdback holdback = new Utf8Holdback();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            holdback.append(bytes, i, 1);
            text.append(holdback.takeComplete());
        }
        return text.append(holdback.takeAll()).toString();
    }

    @Test
    void replacesEachMaximalSubpartWithOneReplacementCharacter() {
        assertThat(decode(0xE2, 0x82, 0xAC)).isEqualTo("€");
        assertThat(decode(0xE2, 0x82)).isEqualTo("\uFFFD");
        assertThat(decode(0xE2, 0x82, 0x41)).isEqualTo("\uFFFDA");
        assertThat(decode(0xF0, 0x9F, 0x98)).isEqualTo("\uFFFD");
        assertThat(decode(0xE0, 0x80)).as("overlong").isEqualTo("\uFFFD\uFFFD");
        assertThat(decode(0xED, 0xA0, 0x80)).as("surrogate").isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(decode(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isEqualTo("\uFFFD".repeat(4));
        assertThat(decode(0xC0, 0xAF)).isEqualTo("\uFFFD\uFFFD");
        assertThat(decode(0x80, 0xFF)).isEqualTo("\uFFFD\uFFFD");
    }

    /** Over {@link RandomInputs#anyString}: any UTF-16 text, lone surrogates replaced first. */
    @Test
    void decodesWellFormedTextLikeTheJdk() {
        RandomInputs.forAll("Utf8HoldbackTest.decodesWellFormedTextLikeTheJdk", RandomInputs.stringEdgeCases(), 300,
                RandomInputs::anyString, text -> {
                    String valid = SentencePieceBpeTokenizer.replaceLoneSurrogates(text);
                    byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
                    assertThat(Utf8Holdback.decode(bytes, 0, bytes.length)).isEqualTo(valid);
                });
    }

    @Test
    void streamingAgreesWithOneShotDecodingForEverySequenceUpToFourBytes() {
        int n = ALPHABET.length;
        for (int length = 1; length <= 4; length++) {
            int combinations = (int) Math.pow(n, length);
            for (int c = 0; c < combinations; c++) {
                byte[] bytes = new byte[length];
                for (int i = 0, x = c; i < length; i++, x /= n) {
                    bytes[i] = (byte) ALPHABET[x % n];
                }
                assertThat(streamed(bytes)).isEqualTo(Utf8Holdback.decode(bytes, 0, length));
            }
        }
    }

    /** Over {@link RandomInputs#bytes}: up to 255 bytes, with 00, 7F, 80 and FF frequent. */
    @Test
    void streamingAgreesWithOneShotDecodingForAnyBytes() {
        RandomInputs.forAll("Utf8HoldbackTest.streamingAgreesWithOneShotDecodingForAnyBytes",
                RandomInputs.byteEdgeCases(255), 500, r -> RandomInputs.bytes(r, 255),
                bytes -> assertThat(streamed(bytes)).isEqualTo(Utf8Holdback.decode(bytes, 0, bytes.length)));
    }

    @Test
    void holdsBackOnlyAProperPrefixOfAValidSequence() {
        Utf8Holdback holdback = new Utf8Holdback();
        holdback.append(new byte[] {0x41, (byte) 0xF0, (byte) 0x9F}, 0, 3);
        assertThat(holdback.takeComplete()).isEqualTo("A");
        holdback.append(new byte[] {(byte) 0xA6, (byte) 0x99}, 0, 2);
        assertThat(holdback.takeComplete()).isEqualTo("🦙");
        holdback.append(new byte[] {(byte) 0xE0, (byte) 0x80}, 0, 2);
        assertThat(holdback.takeComplete()).as("E0 80 can never be completed").isEqualTo("\uFFFD\uFFFD");
        assertThat(holdback.takeAll()).isEmpty();
    }
}
