package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input gives exactly one line on stderr that names the file and the problem, a non-zero exit
 * code, and no stack trace.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(CliRunner r, int exitCode, String... fragments) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(exitCode);
        assertThat(r.out()).as("stdout").isEmpty();
        assertThat(r.errLines()).as("stderr lines").hasSize(1);
        String line = r.errLines()[0];
        assertThat(line).startsWith("basalt: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(line).contains(f);
    }

    private Path valid() {
        return new TinyLlama().write(dir.resolve("tiny.gguf"));
    }

    private Path withBytes(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void missingModelFile() {
        assertOneLineError(CliRunner.run("run", "--model", dir.resolve("nope.gguf").toString(), "hi"), 2,
                "nope.gguf", "no such model file");
    }

    @Test
    void aDamagedCopyOfTheBuiltInModelIsReplaced() throws IOException {
        assertThat(CliRunner.run("--hub", dir.toString(), "run", "--max-tokens", "1", "hi").exitCode()).isZero();
        Path copy;
        try (var files = Files.list(dir.resolve("cache"))) {
            copy = files.filter(p -> p.toString().endsWith(".gguf")).findFirst().orElseThrow();
        }
        long size = Files.size(copy);
        Files.write(copy, new byte[] {1, 2, 3});
        CliRunner again = CliRunner.run("--hub", dir.toString(), "run", "--temperature", "0", "--max-tokens", "5", "hi");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(Files.size(copy)).isEqualTo(size);
        try (var files = Files.list(dir.resolve("cache"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary files left")
                    .allMatch(n -> n.endsWith(".gguf"));
        }
    }

    @Test
    void zeroLengthFile() throws IOException {
        Path f = withBytes("empty.gguf", new byte[0]);
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "empty.gguf");
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] all = Files.readAllBytes(valid());
        Path f = withBytes("truncated.gguf", Arrays.copyOf(all, 100));
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "truncated.gguf");
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] all = Files.readAllBytes(valid());
        all[0] = 'X';
        Path f = withBytes("magic.gguf", all);
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "magic.gguf", "magic");
    }

    @Test
    void wrongVersion() throws IOException {
        byte[] all = Files.readAllBytes(valid());
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 99);
        Path f = withBytes("version.gguf", all);
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "version.gguf", "version");
    }

    @Test
    void tensorDataOutOfBounds() throws IOException {
        byte[] all = Files.readAllBytes(valid());
        Path f = withBytes("short.gguf", Arrays.copyOf(all, all.length - 64));
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "short.gguf");
    }

    @Test
    void unknownArchitecture() {
        Path f = new TinyLlama().architecture("mamba9").write(dir.resolve("mamba.gguf"));
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "mamba.gguf",
                "unknown architecture 'mamba9'", "llama");
    }

    @Test
    void unsupportedTensorType() {
        Path f = new TinyLlama().tensorType(TensorKey.ATTN_Q.weight(0), DType.IQ4_NL).write(dir.resolve("iq4.gguf"));
        assertOneLineError(CliRunner.run("run", "--model", f.toString(), "hi"), 1, "iq4.gguf", "blk.0.attn_q.weight",
                "IQ4_NL");
    }

    @Test
    void promptLongerThanTheContext() {
        Path f = new TinyLlama().contextLength(16).write(dir.resolve("short-context.gguf"));
        CliRunner r = CliRunner.run("run", "--model", f.toString(), "the and ".repeat(20));
        assertOneLineError(r, 1, "does not fit the context of 16 tokens");
    }

    @Test
    void badOptionValueIsAUsageError() {
        CliRunner r = CliRunner.run("run", "--model", valid().toString(), "--temperature", "warm", "hi");
        assertOneLineError(r, 2, "--temperature");
        CliRunner r2 = CliRunner.run("run", "--model", valid().toString(), "--top-p", "0", "hi");
        assertOneLineError(r2, 2, "top-p");
        assertOneLineError(CliRunner.run("run", "--model", valid().toString(), "--kv-type", "q4", "hi"), 2, "--kv-type",
                "'q4'", "f32, f16");
    }

    /** Both KV cache types run, and greedy decoding of a few tokens gives the same text from either. */
    @Test
    void eitherKvCacheTypeRuns() {
        CliRunner half = CliRunner.run("run", "--model", valid().toString(), "--temperature", "0", "--max-tokens", "8",
                "--quiet", "--kv-type", "f16", "hi");
        CliRunner full = CliRunner.run("run", "--model", valid().toString(), "--temperature", "0", "--max-tokens", "8",
                "--quiet", "--kv-type", "F32", "hi");
        assertThat(half.exitCode()).as(half.err()).isZero();
        assertThat(full.exitCode()).as(full.err()).isZero();
        assertThat(half.out()).isNotBlank().isEqualTo(full.out());
    }

    @Test
    void convertWithMissingInputs() {
        CliRunner r = CliRunner.run("convert", dir.resolve("in.bin").toString(), "--tokenizer",
                dir.resolve("tok.bin").toString(), dir.resolve("out.gguf").toString());
        assertOneLineError(r, 2, "in.bin", "no such checkpoint file");
        assertThat(dir.resolve("out.gguf")).doesNotExist();
    }

    @Test
    void convertOfGarbageInputsLeavesNoOutput() throws IOException {
        Path in = withBytes("garbage.bin", new byte[] {1, 2, 3});
        Path tok = withBytes("tok.bin", new byte[] {4, 5, 6});
        Path out = dir.resolve("out.gguf");
        CliRunner r = CliRunner.run("convert", in.toString(), "--tokenizer", tok.toString(), out.toString());
        assertOneLineError(r, 1, "tok.bin", "truncated");
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("garbage.bin", "tok.bin");
        }
    }
}
