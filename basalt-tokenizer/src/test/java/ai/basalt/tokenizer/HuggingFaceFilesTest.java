package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vocab.json} + {@code merges.txt} and {@code tokenizer.json}, written and read back. */
class HuggingFaceFilesTest {
    private static final List<String> TEXTS = List.of("Hello world", " 🦙 naïve\n\n  x", "a<|endoftext|>b");

    @TempDir
    Path temp;

    private static void assertSame(ByteLevelBpeTokenizer expected, ByteLevelBpeTokenizer actual) {
        assertThat(actual.vocabulary()).isEqualTo(expected.vocabulary());
        assertThat(actual.merges()).isEqualTo(expected.merges());
        for (String text : TEXTS) {
            assertThat(actual.encode(text, false, true)).isEqualTo(expected.encode(text, false, true));
        }
    }

    @Test
    void roundTripsVocabAndMerges() {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        Path vocab = temp.resolve("vocab.json");
        for (boolean header : new boolean[] {true, false}) {
            Path merges = temp.resolve("merges-" + header + ".txt");
            ByteLevelBpeFiles.writeVocabJson(t, vocab);
            ByteLevelBpeFiles.writeMerges(t, merges, header);
            assertSame(t, ByteLevelBpeFiles.read(vocab, merges, List.of(SmallByteLevelBpe.END_OF_TEXT)));
        }
    }

    @Test
    void writesGpt2sVocabularyBackAsItWas() throws IOException {
        ByteLevelBpeTokenizer gpt2 = TestAssets.gpt2();
        Path vocab = temp.resolve("vocab.json");
        Path merges = temp.resolve("merges.txt");
        ByteLevelBpeFiles.writeVocabJson(gpt2, vocab);
        ByteLevelBpeFiles.writeMerges(gpt2, merges, true);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(vocab.toFile()))
                .isEqualTo(json.readTree(TestAssets.require(TestAssets.GPT2_DIR + "/encoder.json").toFile()));
        assertThat(Files.readString(merges)).isEqualTo(Files.readString(TestAssets.require(TestAssets.GPT2_DIR + "/vocab.bpe")));
    }

    @Test
    void roundTripsTokenizerJson() throws IOException {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        Path file = temp.resolve("tokenizer.json");
        HuggingFaceTokenizerJson.write(t, file);
        assertSame(t, HuggingFaceTokenizerJson.read(file));

        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertThat(root.path("model").path("type").asText()).isEqualTo("BPE");
        assertThat(root.path("pre_tokenizer").path("type").asText()).isEqualTo("ByteLevel");
        assertThat(root.path("pre_tokenizer").path("add_prefix_space").asBoolean(true)).isFalse();
        assertThat(root.path("decoder").path("type").asText()).isEqualTo("ByteLevel");
        assertThat(root.path("added_tokens").get(0).path("content").asText()).isEqualTo("<|endoftext|>");
        assertThat(root.path("added_tokens").get(0).path("special").asBoolean()).isTrue();
        assertThat(root.path("model").path("merges").get(0).asText()).isEqualTo(t.merges().getFirst().toString());
    }

    /** Newer {@code tokenizers} write merges as pairs and GPT-2's regex as an explicit {@code Split}. */
    @Test
    void readsTheVariantsOtherToolsWrite() throws IOException {
        ByteLevelBpeTokenizer t = SmallByteLevelBpe.tokenizer();
        Path file = temp.resolve("tokenizer.json");
        HuggingFaceTokenizerJson.write(t, file);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(file.toFile());
        ArrayNode pairs = json.createArrayNode();
        for (BpeMerge m : t.merges()) pairs.addArray().add(m.left()).add(m.right());
        ((ObjectNode) root.path("model")).set("merges", pairs);
        ObjectNode sequence = json.createObjectNode().put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .putObject("pattern").put("Regex", PreTokenizer.GPT2.regex());
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false);
        root.set("pre_tokenizer", sequence);
        Files.writeString(file, json.writeValueAsString(root), StandardCharsets.UTF_8);
        assertSame(t, HuggingFaceTokenizerJson.read(file));

        root.set("pre_tokenizer", json.createObjectNode().put("type", "Whitespace"));
        Files.writeString(file, json.writeValueAsString(root), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> HuggingFaceTokenizerJson.read(file)).isInstanceOf(TokenizerFormatException.class)
                .hasMessage(file + ": pre_tokenizer.type: 'Whitespace' is not supported (supported: ByteLevel, or a "
                        + "Sequence of Split or Digits then ByteLevel)");
    }

    @Test
    void reportsMalformedFiles() throws IOException {
        Path vocab = temp.resolve("vocab.json");
        Path merges = temp.resolve("merges.txt");
        Files.writeString(merges, "#version: 0.2\na b\n");
        Files.writeString(vocab, "{\"a\": 0, \"b\": 2}");
        assertThatThrownBy(() -> ByteLevelBpeFiles.read(vocab, merges)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("token 'b' has id 2, expected ids 0..1 for 2 tokens");
        Files.writeString(vocab, "{\"a\": 0, \"b\": 1}");
        assertThatThrownBy(() -> ByteLevelBpeFiles.read(vocab, merges)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("merges.txt: merge 0 'a b': 'ab' is not a normal token");
        Files.writeString(merges, "#version: 0.2\nab\n");
        assertThatThrownBy(() -> ByteLevelBpeFiles.read(vocab, merges)).hasMessageContaining("line 2: merge 'ab' has no space");
        assertThatThrownBy(() -> ByteLevelBpeFiles.read(vocab, merges, List.of("<s>")))
                .hasMessageContaining("special token '<s>' is not in the vocabulary");
    }
}
