package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basalt synth}: a two-layer SmolLM-shaped model that {@code basalt run} then runs, and one-line errors with
 * exit code 2 for an unknown preset or type, a non-positive --layers, and an existing OUT without --force.
 */
class SynthCommandTest {
    @TempDir
    Path dir;

    private void assertOneLineError(CliRunner r, String... fragments) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).as("stderr lines").hasSize(1);
        assertThat(r.errLines()[0]).startsWith("basalt: ").doesNotContain("Exception");
        for (String f : fragments) assertThat(r.errLines()[0]).contains(f);
    }

    @Test
    void writesAModelThatRuns() {
        Path out = dir.resolve("smol.gguf");
        CliRunner r = CliRunner.run("synth", "--preset", "smollm-135m", "--type", "q8_0", "--layers", "2", "--seed", "3",
                out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("wrote " + out).contains("smollm-135m, Q8_0, 2 layers, seed 3");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().getInt(MetadataKey.GENERAL_FILE_TYPE.key())).isEqualTo(7);
            assertThat(f.findTensor(TensorKey.ATTN_Q.weight(1)).orElseThrow().type()).isEqualTo(DType.Q8_0);
        }
        assertThat(dir.toFile().list()).containsExactly("smol.gguf");
        CliRunner run = CliRunner.run("run", "--model", out.toString(), "--temperature", "0", "-n", "5", "hello world");
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void unknownPresetListsThePresets() {
        Path out = dir.resolve("out.gguf");
        assertOneLineError(CliRunner.run("synth", "--preset", "gpt-5", "--type", "q8_0", out.toString()),
                "gpt-5", "llama-3.2-1b", "qwen2.5-0.5b", "smollm-135m");
        assertThat(out).doesNotExist();
    }

    @Test
    void unknownTypeListsTheTypes() {
        Path out = dir.resolve("out.gguf");
        assertOneLineError(CliRunner.run("synth", "--preset", "smollm-135m", "--type", "q3_k", out.toString()),
                "q3_k", "F32", "BF16", "Q4_K_M", "Q6_K");
        assertThat(out).doesNotExist();
    }

    @Test
    void badLayerCount() {
        assertOneLineError(CliRunner.run("synth", "--preset", "smollm-135m", "--type", "f32", "--layers", "0",
                dir.resolve("out.gguf").toString()), "--layers");
    }

    @Test
    void existingOutputNeedsForce() throws IOException {
        Path out = Files.writeString(dir.resolve("out.gguf"), "keep");
        assertOneLineError(CliRunner.run("synth", "--preset", "smollm-135m", "--type", "q4_0", "--layers", "1",
                out.toString()), "already exists", "--force");
        assertThat(Files.readString(out)).isEqualTo("keep");
        CliRunner r = CliRunner.run("synth", "--preset", "smollm-135m", "--type", "q4_0", "--layers", "1", "--force",
                out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.size(out)).isGreaterThan(1000);
    }
}
