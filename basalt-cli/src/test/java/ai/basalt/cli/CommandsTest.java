package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"run", "chat", "models", "convert", "bench", "tokenize"})
    void everyCommandHasHelp(String command) {
        CliRunner r = CliRunner.run(command, "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: basalt " + command);
    }

    @Test
    void runWritesExactlyTheContinuation() {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        CliRunner r = CliRunner.run("run", "--model", model.toString(), "--temperature", "0", "-n", "20", "the");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String expected;
        try (LanguageModel m = Models.load(model)) {
            GenerationResult g = new Session(m, m.contextLength()).generate("the", GenerationParams.greedy(20), TokenListener.NONE);
            expected = g.text();
            assertThat(g.tokens()).hasSize(20);
        }
        assertThat(r.out()).isEqualTo(expected);
        assertThat(r.err()).contains("tokens/s");
    }

    @Test
    void withoutAModelRunUsesTheBuiltInOne() throws Exception {
        String[] args = {"--hub", dir.toString(), "run", "--temperature", "0", "-n", "24", "It is a truth universally"};
        CliRunner first = CliRunner.run(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out().strip()).as("continuation").isNotEmpty().matches("(?s).*[a-z]{3,}.*");
        try (var files = java.nio.file.Files.list(dir.resolve("cache"))) {
            assertThat(files.map(p -> p.getFileName().toString())).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("basalt-mini-").endsWith(".gguf");
        }
        CliRunner second = CliRunner.run(args);
        assertThat(second.out()).as("greedy and reproducible").isEqualTo(first.out());
    }

    @Test
    void seededSamplingIsRepeatableAndStopStringsCut() {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        String[] args = {"run", "--model", model.toString(), "--temperature", "1.5", "--seed", "3", "-n", "30", "a"};
        CliRunner first = CliRunner.run(args);
        CliRunner second = CliRunner.run(args);
        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isEqualTo(second.out()).isNotEmpty();
        String stop = first.out().substring(first.out().length() / 2, first.out().length() / 2 + 1);
        CliRunner cut = CliRunner.run("run", "--model", model.toString(), "--temperature", "1.5", "--seed", "3", "-n", "30",
                "--stop", stop, "a");
        assertThat(cut.out()).isEqualTo(first.out().substring(0, first.out().indexOf(stop)));
    }

    @Test
    void modelsListsTheHub() throws Exception {
        CliRunner empty = CliRunner.run("--hub", dir.toString(), "models");
        assertThat(empty.exitCode()).isZero();
        assertThat(empty.out()).contains("No models in").contains("Built in: basalt-mini");
        Files.createDirectories(dir.resolve("models/tiny"));
        new TinyLlama().write(dir.resolve("models/tiny/model.gguf"));
        CliRunner listed = CliRunner.run("--hub", dir.toString(), "models");
        assertThat(listed.out()).contains("tiny/model").contains("llama").contains("F32");
        CliRunner byName = CliRunner.run("--hub", dir.toString(), "run", "--model", "tiny/model", "--temperature", "0",
                "-n", "3", "a");
        assertThat(byName.exitCode()).as(byName.err()).isZero();
    }

    @Test
    void benchReportsMediansAsJson() throws Exception {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        CliRunner r = CliRunner.run("bench", "--model", model.toString(), "-p", "8", "-n", "4", "-r", "3", "-t", "1", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("threads").asInt()).isEqualTo(1);
        assertThat(doc.get("results")).hasSize(2);
        for (JsonNode result : doc.get("results")) {
            assertThat(result.get("median_tokens_per_second").asDouble()).isPositive();
            assertThat(result.get("runs_tokens_per_second")).hasSize(3);
        }
        assertThat(doc.get("results").get(0).get("test").asText()).isEqualTo("pp8");
        assertThat(doc.get("results").get(1).get("test").asText()).isEqualTo("tg4");
        // the headline fields: medians of the two tests, the stored type, the peak resident set
        assertThat(doc.get("prefill_tokens_per_second").asDouble())
                .isEqualTo(doc.get("results").get(0).get("median_tokens_per_second").asDouble());
        assertThat(doc.get("decode_tokens_per_second").asDouble())
                .isEqualTo(doc.get("results").get(1).get("median_tokens_per_second").asDouble());
        assertThat(doc.get("type").asText()).isEqualTo("F32");
        long fileBytes = java.nio.file.Files.size(model);
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status"))) {
            assertThat(doc.get("peak_rss_bytes").asLong()).isGreaterThan(fileBytes);
        }
    }

    @Test
    void compareLlamaCppIsNotPartOfTheProductJar() {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        CliRunner r = CliRunner.run("bench", "--model", model.toString(), "--compare-llamacpp");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--compare-llamacpp runs from the benchmark module").doesNotContain("Exception");
    }

    @Test
    void chatCarriesTheConversationAndQuits() {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        var in = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("the\nand\n/bye\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            CliRunner r = CliRunner.run("chat", "--model", model.toString(), "--temperature", "0", "-n", "5");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out().split("\n")).hasSize(2);
            assertThat(r.err()).contains("chatting with " + model);
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void chatWithABaseModelSaysWhichFallbackItUses() {
        Path model = new TinyLlama().write(dir.resolve("tiny.gguf"));
        CliRunner r = chat(model, "the\n/bye\n");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.errLines()[0]).contains("using the chat template built-in plain (the model has none)");
    }

    @Test
    void chatRendersTheModelsOwnTemplate() {
        Path model = new TinyLlama().chatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}").write(dir.resolve("t.gguf"));
        CliRunner r = chat(model, "the\nand\n/bye\n");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.errLines()[0]).contains("using the chat template tokenizer.chat_template of tiny-llama;");
        assertThat(r.out().split("\n")).hasSize(2);
    }

    @Test
    void aBrokenTemplateIsReportedInOneLinePerTurn() {
        Path model = new TinyLlama().chatTemplate("{% for m in messages %}{{ m.content }}").write(dir.resolve("b.gguf"));
        CliRunner r = chat(model, "the\n/bye\n");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("basalt: chat template tokenizer.chat_template of tiny-llama failed")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static CliRunner chat(Path model, String input) {
        var in = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(input.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return CliRunner.run("chat", "--model", model.toString(), "--temperature", "0", "-n", "5");
        } finally {
            System.setIn(in);
        }
    }
}
