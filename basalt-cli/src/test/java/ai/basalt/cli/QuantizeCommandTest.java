package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import java.io.IOException;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basalt quantize}: success with a summary, and one-line errors that leave no output for an unknown type
 * (exit 2), a missing input or output folder (2), OUT equal to IN (2), an existing OUT without --force (2) and a damaged input (1).
 */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    private Path model() {
        return new TinyLlama().write(dir.resolve("tiny.gguf"));
    }

    private void assertOneLineError(CliRunner r, int exitCode, String... fragments) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(exitCode);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).as("stderr lines").hasSize(1);
        assertThat(r.errLines()[0]).startsWith("basalt: ").doesNotContain("Exception");
        for (String f : fragments) assertThat(r.errLines()[0]).contains(f);
    }

    @Test
    void quantizesAndTheResultRuns() {
        Path in = model();
        Path out = dir.resolve("tiny-q8.gguf");
        CliRunner r = CliRunner.run("quantize", in.toString(), out.toString(), "--type", "q8_0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("wrote " + out).contains("Q8_0, llama.cpp file type 7")
                .contains("tensors: 5 F32, 15 Q8_0").contains("MiB ->");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().getInt(MetadataKey.GENERAL_FILE_TYPE.key())).isEqualTo(7);
            assertThat(f.findTensor(TensorKey.ATTN_Q.weight(0)).orElseThrow().type()).isEqualTo(DType.Q8_0);
            assertThat(f.findTensor(TensorKey.ATTN_NORM.weight(0)).orElseThrow().type()).isEqualTo(DType.F32);
        }
        CliRunner run = CliRunner.run("run", "--model", out.toString(), "--temperature", "0", "-n", "5", "the");
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void typeNamesIgnoreCaseAndAliasesWork() {
        Path in = model();
        CliRunner r = CliRunner.run("quantize", in.toString(), dir.resolve("a.gguf").toString(), "-t", "Q4_k");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // TinyLlama's rows are 32 or 64 long: every k-quant falls back (Q4_K to Q5_0, Q6_K to Q8_0).
        assertThat(r.err()).contains("Q4_K_M, llama.cpp file type 15").contains("fallback");
    }

    @Test
    void unknownTypeListsTheValidOnes() {
        Path in = model();
        Path out = dir.resolve("out.gguf");
        CliRunner r = CliRunner.run("quantize", in.toString(), out.toString(), "--type", "q3_k_m");
        assertOneLineError(r, 2, "q3_k_m", "Q8_0", "Q4_K_M", "Q6_K");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingInput() {
        Path out = dir.resolve("out.gguf");
        CliRunner r = CliRunner.run("quantize", dir.resolve("nope.gguf").toString(), out.toString(), "--type", "q8_0");
        assertOneLineError(r, 2, "nope.gguf", "no such model file");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingOutputFolder() {
        Path in = model();
        CliRunner r = CliRunner.run("quantize", in.toString(), dir.resolve("no/such/out.gguf").toString(), "--type", "q8_0");
        assertOneLineError(r, 2, "no such folder");
    }

    @Test
    void outputEqualToInputIsRefused() throws IOException {
        Path in = model();
        byte[] before = Files.readAllBytes(in);
        CliRunner r = CliRunner.run("quantize", in.toString(), in.toString(), "--type", "q4_0", "--force");
        assertOneLineError(r, 2, "tiny.gguf", "input");
        assertThat(Files.readAllBytes(in)).isEqualTo(before);
    }

    @Test
    void existingOutputNeedsForce() throws IOException {
        Path in = model();
        Path out = Files.writeString(dir.resolve("out.gguf"), "keep me");
        assertOneLineError(CliRunner.run("quantize", in.toString(), out.toString(), "--type", "q8_0"), 2, "already exists");
        assertThat(Files.readString(out)).isEqualTo("keep me");
        assertThat(CliRunner.run("quantize", in.toString(), out.toString(), "--type", "q8_0", "--force").exitCode()).isZero();
        assertThat(Files.size(out)).isGreaterThan(1000);
    }

    @Test
    void missingTypeIsAUsageError() {
        Path in = model();
        CliRunner r = CliRunner.run("quantize", in.toString(), dir.resolve("out.gguf").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--type");
    }

    @Test
    void failureLeavesNoOutputFile() throws IOException {
        Path in = model();
        byte[] bytes = Files.readAllBytes(in);
        Path damaged = Files.write(dir.resolve("damaged.gguf"), Arrays.copyOf(bytes, bytes.length - 100));
        Path out = dir.resolve("out.gguf");
        CliRunner r = CliRunner.run("quantize", damaged.toString(), out.toString(), "--type", "q8_0");
        assertOneLineError(r, 1, "damaged.gguf");
        assertThat(out).doesNotExist();
        // A well-formed file with a tensor Basalt cannot decode: refused, still no output and no scratch file.
        Path iq4 = new TinyLlama().tensorType(TensorKey.ATTN_Q.weight(1), DType.IQ4_NL).write(dir.resolve("iq4.gguf"));
        CliRunner r2 = CliRunner.run("quantize", iq4.toString(), out.toString(), "--type", "q8_0");
        assertOneLineError(r2, 1, "IQ4_NL", "blk.1.attn_q.weight");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("tiny.gguf", "damaged.gguf", "iq4.gguf");
        }
    }
}
