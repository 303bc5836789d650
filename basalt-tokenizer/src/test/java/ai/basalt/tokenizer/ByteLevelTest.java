package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** GPT-2's byte-to-unicode map. */
class ByteLevelTest {

    @Test
    void isABijectionOntoPrintableCharacters() {
        Set<Character> chars = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.charOf(b);
            assertThat(chars.add(c)).as("byte %d", b).isTrue();
            assertThat(ByteLevel.byteOf(c)).isEqualTo(b);
            assertThat(Character.isWhitespace(c) || Character.isISOControl(c)).as("byte %d", b).isFalse();
        }
    }

    @Test
    void mapsAsGpt2Does() {
        assertThat(ByteLevel.charOf(' ')).isEqualTo('Ġ');
        assertThat(ByteLevel.charOf('\n')).isEqualTo('Ċ');
        assertThat(ByteLevel.charOf(0)).isEqualTo('\u0100');
        assertThat(ByteLevel.charOf(0x7F)).isEqualTo('\u0121');
        assertThat(ByteLevel.charOf(0xAD)).isEqualTo('\u0143');
        assertThat(ByteLevel.charOf('A')).isEqualTo('A');
        assertThat(ByteLevel.encode("é 🦙")).isEqualTo("Ã©ĠðŁ¦Ļ");
        assertThat(ByteLevel.byteOf('€')).isEqualTo(-1);
    }

    @Test
    void decodesWhatItEncodes() {
        RandomInputs.forAll("ByteLevelTest.decodesWhatItEncodes", RandomInputs.byteEdgeCases(64), 500,
                r -> RandomInputs.bytes(r, 64), bytes -> {
                    String text = ByteLevel.encode(bytes);
                    assertThat(ByteLevel.isByteLevel(text)).isTrue();
                    assertThat(ByteLevel.decode(text)).isEqualTo(bytes);
                });
    }

    @Test
    void keepsCharactersOutsideTheMapAsUtf8() {
        assertThat(ByteLevel.decode("a€")).isEqualTo("a€".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
