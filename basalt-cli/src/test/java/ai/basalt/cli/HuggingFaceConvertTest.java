package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.safetensors.SafetensorsDType;
import ai.basalt.format.safetensors.ShardedSafetensors;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.model.training.TrainableModels;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.training.BpeTrainer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basalt convert} between a Hugging Face folder and GGUF, both ways, end to end: every form of the same
 * model generates the same greedy text, the options do what they say ({@code --type}, {@code --shard-size},
 * {@code --force}), and bad input gives one line on stderr with the usage (2) or failure (1) exit code.
 */
class HuggingFaceConvertTest {
    private static final ByteLevelBpeTokenizer TOKENIZER = new BpeTrainer(new BpeTrainer.Config(300, List.of("<|endoftext|>")))
            .train("the cat sat on the mat. the dog sat on the log. a cat and a dog. ".repeat(20));

    @TempDir
    Path dir;

    private Path folder;

    /** A random-weight Llama (GQA, untied) saved as transformers saves it, by the trainer's own exporter. */
    @BeforeEach
    void folder() {
        ModelSpec spec = new ModelSpec("llama", 2, 4, 2, 32, 64, 48, TOKENIZER.vocabulary().size(), 1e-5f, 10000f,
                false, 0f);
        TrainableModel model = TrainableModels.create(spec, new Rng(3));
        Rng rng = new Rng(4);
        for (Var p : model.parameters()) {
            float[] d = p.data();
            boolean gain = p.name().endsWith("norm.weight");
            for (int i = 0; i < p.size(); i++) d[i] = (float) ((gain ? 1 : 0) + 0.3 * rng.nextGaussian());
        }
        // The end-of-text logit is 0 (its output row is zero), below the best of the others: runs never stop early.
        Var output = model.parameters().stream().filter(p -> p.name().equals("output.weight")).findFirst().orElseThrow();
        int eos = TOKENIZER.vocabulary().eos();
        java.util.Arrays.fill(output.data(), eos * spec.dim(), (eos + 1) * spec.dim(), 0f);
        folder = dir.resolve("tiny-hf");
        model.writeHuggingFace(folder, TOKENIZER);
    }

    private static String greedy(Path model) {
        CliRunner r = CliRunner.run("run", "--model", model.toString(), "--temperature", "0", "-n", "24", "the cat");
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void folderToGgufToFolderRunsTheSameEverywhere() throws IOException {
        String expected = greedy(folder);
        assertThat(expected).isNotBlank();

        Path gguf = dir.resolve("tiny.gguf");
        CliRunner toGguf = CliRunner.run("convert", folder.toString(), gguf.toString());
        assertThat(toGguf.exitCode()).as(toGguf.err()).isZero();
        assertThat(toGguf.err()).contains("basalt: wrote " + gguf).contains("matrices f32");
        assertThat(greedy(gguf)).isEqualTo(expected);

        Path back = dir.resolve("back-hf");
        CliRunner toFolder = CliRunner.run("convert", gguf.toString(), back.toString());
        assertThat(toFolder.exitCode()).as(toFolder.err()).isZero();
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json")) {
            assertThat(back.resolve(f)).exists();
        }
        assertThat(greedy(back)).isEqualTo(expected);

        Path sharded = dir.resolve("bf16-hf");
        CliRunner bf16 = CliRunner.run("convert", gguf.toString(), sharded.toString(), "--type", "bf16", "--shard-size", "20KB");
        assertThat(bf16.exitCode()).as(bf16.err()).isZero();
        assertThat(sharded.resolve("model.safetensors.index.json")).exists();
        try (ShardedSafetensors st = ShardedSafetensors.open(sharded)) {
            assertThat(st.shards()).hasSizeGreaterThan(1);
            for (String n : st.names()) assertThat(st.info(n).dtype()).as(n).isEqualTo(SafetensorsDType.BF16);
        }
        assertThat(CliRunner.run("run", "--model", sharded.toString(), "--temperature", "0", "-n", "4", "the").exitCode())
                .isZero();

        Path f16 = dir.resolve("f16.gguf");
        assertThat(CliRunner.run("convert", folder.toString(), f16.toString(), "--type", "F16").exitCode()).isZero();
        try (GgufFile f = GgufFile.open(f16)) {
            assertThat(f.metadata().getInt("general.file_type")).isEqualTo(1);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no scratch or temporary files left")
                    .allMatch(n -> !n.startsWith("."));
        }
    }

    @Test
    void tokenizeUsesTheTokenizerTheFolderRunsWith() throws IOException {
        // tokenizer_config.json, not tokenizer.json, asks for a BOS here: the folder's model adds it, so tokenize must.
        Path settings = folder.resolve("tokenizer_config.json");
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(settings.toFile());
        config.put("bos_token", "<|endoftext|>").put("add_bos_token", true);
        Files.writeString(settings, config.toString());
        int[] expected;
        try (LanguageModel model = Models.load(folder)) {
            expected = model.tokenizer().encode("the cat", true, true);
        }
        assertThat(expected[0]).isEqualTo(TOKENIZER.vocabulary().id("<|endoftext|>"));
        CliRunner r = CliRunner.run("tokenize", "--model", folder.toString(), "the cat");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(Arrays.stream(expected).mapToObj(Integer::toString)
                .collect(Collectors.joining(" ")));
    }

    @Test
    void existingOutputNeedsForce() throws IOException {
        Path gguf = dir.resolve("tiny.gguf");
        assertThat(CliRunner.run("convert", folder.toString(), gguf.toString()).exitCode()).isZero();
        assertOneLineError(CliRunner.run("convert", folder.toString(), gguf.toString()), 2,
                gguf + ": already exists (pass --force to overwrite)");
        assertThat(CliRunner.run("convert", folder.toString(), gguf.toString(), "--force").exitCode()).isZero();

        Path out = dir.resolve("out-hf");
        assertThat(CliRunner.run("convert", gguf.toString(), out.toString()).exitCode()).isZero();
        assertOneLineError(CliRunner.run("convert", gguf.toString(), out.toString()), 2, "already exists");
        CliRunner forced = CliRunner.run("convert", gguf.toString(), out.toString(), "--force", "--type", "f16");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"torch_dtype\" : \"float16\"");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("the replaced folder is gone")
                    .containsExactlyInAnyOrder("tiny-hf", "tiny.gguf", "out-hf");
        }
    }

    @Test
    void badInputGivesOneLine() throws IOException {
        assertOneLineError(CliRunner.run("convert", dir.resolve("missing").toString(), dir.resolve("x.gguf").toString()),
                2, "missing: no such file or folder");
        assertOneLineError(CliRunner.run("convert", folder.toString(), dir.resolve("x.gguf").toString(), "--type", "q8_0"),
                2, "--type: type 'q8_0' is not one of f32, f16, bf16");
        assertOneLineError(CliRunner.run("convert", folder.toString(), dir.toString(), "--force"), 2,
                "is a folder; a GGUF file expected");
        Path gguf = dir.resolve("tiny.gguf");
        assertThat(CliRunner.run("convert", folder.toString(), gguf.toString()).exitCode()).isZero();
        assertOneLineError(CliRunner.run("convert", gguf.toString(), dir.resolve("o").toString(), "--shard-size", "5XB"),
                2, "--shard-size: '5XB' is not a size");
        Path bin = Files.write(dir.resolve("model.bin"), new byte[16]);
        assertOneLineError(CliRunner.run("convert", bin.toString(), dir.resolve("y.gguf").toString()), 2,
                "needs its tokenizer (--tokenizer TOK.bin)");

        Path config = folder.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"num_attention_heads\" : 4", "\"num_attention_heads\" : \"four\""));
        assertOneLineError(CliRunner.run("convert", folder.toString(), dir.resolve("z.gguf").toString()), 1,
                config + ": field 'num_attention_heads' is the string \"four\", a positive integer expected");
        assertOneLineError(CliRunner.run("run", "--model", folder.toString(), "hi"), 1, "field 'num_attention_heads'");
        assertThat(dir.resolve("z.gguf")).doesNotExist();

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertOneLineError(CliRunner.run("run", "--model", empty.toString(), "hi"), 2, "a folder without config.json");
        assertOneLineError(CliRunner.run("convert", empty.toString(), dir.resolve("e.gguf").toString()), 1,
                "config.json: no such file");
    }

    private static void assertOneLineError(CliRunner r, int exitCode, String fragment) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(exitCode);
        assertThat(r.errLines()).as("stderr lines").hasSize(1);
        assertThat(r.errLines()[0]).startsWith("basalt: ").contains(fragment).doesNotContain("Exception")
                .doesNotContain("\tat ");
    }
}
