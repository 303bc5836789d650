package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The character tokenizer, against nanoGPT's {@code shakespeare_char} where the corpus is present. */
class CharTokenizerTest {

    @TempDir
    Path temp;

    @Test
    void buildsNanoGptsShakespeareVocabulary() {
        Path corpus = ConformanceData.require("corpus/tinyshakespeare.txt");
        CharTokenizer t = CharTokenizer.fromCorpus(corpus);
        // prepare.py prints: vocab size: 65, and all the unique characters
        assertThat(t.vocabulary().size()).isEqualTo(65);
        assertThat(String.join("", t.vocabulary().tokens()))
                .isEqualTo("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        // as in "Let's build GPT": encode("hii there")
        assertThat(t.encode("hii there")).containsExactly(46, 47, 47, 1, 58, 46, 43, 56, 43);
    }

    @Test
    void readsAFileAsItsText() throws IOException {
        String text = "Hello, wörld 🦙\n\t\u0000\uFFFF😀";
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, text.repeat(10_000), StandardCharsets.UTF_8);
        assertThat(CharTokenizer.fromCorpus(corpus)).isEqualTo(CharTokenizer.fromCorpus(text));
    }

    @Test
    void sortsByCodePointAsPythonDoes() {
        // UTF-16 order would put U+1F600 (a surrogate pair, D83D DE00) before U+FFFF
        CharTokenizer t = CharTokenizer.fromCorpus("😀\uFFFFa");
        assertThat(t.codePoints()).containsExactly('a', 0xFFFF, 0x1F600);
        assertThat(t.encode("😀a")).containsExactly(2, 0);
    }

    @Test
    void decodesWhatItEncodes() {
        RandomInputs.forAll("CharTokenizerTest.decodesWhatItEncodes", RandomInputs.textEdgeCases(cp -> true), 500,
                RandomInputs::text, text -> {
                    if (text.isEmpty()) return;
                    CharTokenizer t = CharTokenizer.fromCorpus(text);
                    int[] tokens = t.encode(text);
                    assertThat(tokens).hasSize(text.codePointCount(0, text.length()));
                    assertThat(t.decode(tokens)).isEqualTo(text);
                    TokenDecoder streaming = t.newStreamingDecoder();
                    StringBuilder streamed = new StringBuilder();
                    for (int token : tokens) streamed.append(streaming.append(token));
                    assertThat(streamed.append(streaming.flush()).toString()).isEqualTo(text);
                });
    }

    @Test
    void rejectsACharacterOutsideTheVocabulary() {
        CharTokenizer t = CharTokenizer.fromCorpus("abc");
        assertThatThrownBy(() -> t.encode("abz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+007A at index 2").hasMessageContaining("3 characters");
        assertThatThrownBy(() -> t.decode(new int[] {3})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void savesAndLoads() throws IOException {
        CharTokenizer t = CharTokenizer.fromCorpus("Hello \"world\"\n\t\\ 😀 \u0001");
        Path file = temp.resolve("chars.json");
        t.save(file);
        assertThat(Files.readString(file)).startsWith("{\n  \"format\" : \"basalt-char-tokenizer\"");
        CharTokenizer loaded = CharTokenizer.load(file);
        assertThat(loaded).isEqualTo(t);
        assertThat(loaded.vocabulary()).isEqualTo(t.vocabulary());
    }

    @Test
    void refusesFilesOfAnotherFormatOrVersion() throws IOException {
        Path file = temp.resolve("chars.json");
        Files.writeString(file, "{\"format\": \"something\", \"version\": 1, \"chars\": [\"a\"]}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("format mismatch: actual=something vs expected=basalt-char-tokenizer");
        Files.writeString(file, "{\"format\": \"basalt-char-tokenizer\", \"version\": 2, \"chars\": [\"a\"]}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessageContaining("version mismatch: actual=2");
        Files.writeString(file, "{\"format\": \"basalt-char-tokenizer\", \"version\": 1, \"chars\": [\"a\", \"ab\"]}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessageContaining("chars[1] is \"ab\"");
        Files.writeString(file, "{\"format\": \"basalt-char-tokenizer\", \"version\": 1, \"chars\": [\"a\", \"a\"]}");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessageContaining("U+0061 appears twice");
        Files.writeString(file, "{\"format\": ");
        assertThatThrownBy(() -> CharTokenizer.load(file)).hasMessageContaining("not JSON");
    }
}
