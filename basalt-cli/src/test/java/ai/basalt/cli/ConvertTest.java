package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.ConformanceData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF that {@code basalt convert} makes from llama2.c files generates the same text as the reference GGUF. */
class ConvertTest {
    @TempDir
    Path dir;

    @Test
    void convertedStories260kGeneratesTheReferenceText() {
        Path bin = ConformanceData.require("models/stories260K/stories260K.bin");
        Path tok = ConformanceData.require("models/stories260K/tok512.bin");
        Path reference = ConformanceData.require("models/stories260K/stories260K.gguf");
        Path out = dir.resolve("converted.gguf");

        CliRunner convert = CliRunner.run("convert", bin.toString(), "--tokenizer", tok.toString(), out.toString());
        assertThat(convert.exitCode()).as(convert.err()).isZero();
        assertThat(out).exists();

        for (String prompt : new String[] {"", "Once upon a time", "The cat sat"}) {
            CliRunner ours = CliRunner.run("run", "--model", out.toString(), "--temperature", "0", "-n", "200", prompt);
            CliRunner ref = CliRunner.run("run", "--model", reference.toString(), "--temperature", "0", "-n", "200", prompt);
            assertThat(ours.exitCode()).as(ours.err()).isZero();
            assertThat(ours.out()).isEqualTo(ref.out()).hasSizeGreaterThan(200);
        }
        CliRunner again = CliRunner.run("convert", bin.toString(), "--tokenizer", tok.toString(), out.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("already exists");
        CliRunner greedy = CliRunner.run("run", "--model", out.toString(), "--temperature", "0", "-n", "20");
        assertThat(greedy.out()).startsWith("Once upon a time, there was a little girl named Lily.");
    }
}
