package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.DType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen3, which llama.cpp b4916 lacks, against a plain PyTorch implementation ({@code tools/reference/qwen3_reference.py},
 * run with Debian's {@code /usr/bin/python3} and its {@code python3-torch}): the {@link ParityFamily#QWEN3} model
 * (per-head Q/K RMSNorm, halves RoPE, 4 query heads over 2 KV heads of width 2C/4, tied output, Qwen's real
 * tokenizer) written by Basalt in F32, F16, Q8_0, Q4_0, Q4_K and Q6_K. The script reads the GGUF files with its own reader
 * and dequantizers, decodes {@value #STEPS} greedy tokens from Basalt's prompt tokens and writes its logits;
 * Basalt, fed the script's path, must pick the script's token at every step (so its greedy run is the script's) with
 * logits within {@value #RELATIVE_TOLERANCE} of the step's largest. PyTorch keeps activations in float32 as Basalt does,
 * so every type is compared directly. (Qwen's tokenizer itself is checked against llama.cpp in the qwen2 cells of
 * {@link LlamaCppParityTest}: same vocabulary, same {@code qwen2} pre-tokenizer.)
 *
 * <p>Where {@code /usr/bin/python3} or its torch is absent the test is skipped with a {@code SKIPPED:} line on stderr,
 * even where conformance data is required: PyTorch is a tool the machine may lack, not data the project ships
 * ({@code ./test} installs it with {@code apt-get} where the run requires conformance data, as CI does, and the packages
 * are missing; by hand: {@code apt-get install python3-torch python3-numpy libopenblas0-openmp}). With
 * {@code -Dbasalt.pytorch.required=true} (or {@code BASALT_PYTORCH_REQUIRED=true}; {@code ./test} sets it whenever
 * conformance data is required) its absence fails the test.
 *
 * <p>Measured with Debian's torch 1.13 (max relative logit gap over 64 steps; all 64 argmax equal): F32 1.6e-6,
 * F16 1.5e-6, Q8_0 1.6e-6, Q4_0 6.1e-7, Q4_K 1.7e-6, Q6_K 2.4e-6.
 */
class Qwen3PyTorchParityTest {
    static final int STEPS = 64;
    static final List<DType> TYPES = List.of(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K);
    static final double RELATIVE_TOLERANCE = 1e-3;
    static final String PYTHON = "/usr/bin/python3";
    static final String SCRIPT = "tools/reference/qwen3_reference.py";

    @TempDir
    Path dir;

    @Test
    void basaltMatchesThePyTorchReferenceInEveryType() throws Exception {
        Path script = repositoryFile(SCRIPT);
        requireTorch();
        List<DType> types = TYPES;
        List<Path> files = new ArrayList<>();
        for (DType type : types) {
            Path file = dir.resolve("qwen3-" + type + ".gguf");
            ParityFamily.QWEN3.write(file, type, "qwen3", ("qwen3" + type).hashCode());
            files.add(file);
        }
        int[] prompt;
        try (LanguageModel model = Models.load(files.getFirst())) {
            prompt = model.tokenizer().encode(LlamaCppParityTest.PROMPT, true, true);
        }
        JsonNode report = runReference(script, prompt, files);
        System.out.println("PyTorch " + report.path("torch").asText() + " reference, qwen3:");
        for (int i = 0; i < types.size(); i++) {
            JsonNode run = report.path("models").get(i);
            assertThat(Path.of(run.path("file").asText())).isEqualTo(files.get(i));
            int[] tokens = ints(run.path("tokens"));
            assertThat(tokens).as("%s: tokens the reference generated", types.get(i)).hasSize(STEPS);
            List<float[]> logits = readLogits(Path.of(run.path("logits").asText()), run.path("vocab").asInt());
            compare(types.get(i), files.get(i), prompt, tokens, logits);
        }
    }

    /** Basalt along the reference's path: argmax at every step and logits within the tolerance. */
    private static void compare(DType type, Path file, int[] prompt, int[] tokens, List<float[]> theirs) {
        try (LanguageModel model = Models.load(file)) {
            int[] path = Arrays.copyOf(prompt, prompt.length + tokens.length);
            System.arraycopy(tokens, 0, path, prompt.length, tokens.length);
            InferenceState state = model.newState(path.length, KvType.F32);
            double gap = 0;
            int agree = 0;
            for (int pos = 0; pos < path.length - 1; pos++) {
                float[] ours = model.forward(state, path[pos], pos, pos >= prompt.length - 1);
                if (pos < prompt.length - 1) continue;
                int step = pos - prompt.length + 1;
                gap = Math.max(gap, LlamaCppParityTest.relativeGap(ours, theirs.get(step)));
                if (Logits.argmax(ours) == tokens[step]) agree++;
            }
            long distinct = Arrays.stream(tokens).distinct().count();
            System.out.printf("  %-5s max relative logit gap %.2e, argmax %d/%d, %d distinct%n", type, gap, agree, STEPS,
                    distinct);
            assertThat(distinct).as("%s: distinct tokens the reference generated", type).isGreaterThan(3);
            assertThat(agree).as("%s: steps where Basalt's argmax is the reference's token", type).isEqualTo(STEPS);
            assertThat(gap).as("%s: max relative logit gap", type).isLessThanOrEqualTo(RELATIVE_TOLERANCE);
        }
    }

    private JsonNode runReference(Path script, int[] prompt, List<Path> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), "--steps", String.valueOf(STEPS),
                "--out", dir.toString(), "--prompt",
                Arrays.stream(prompt).mapToObj(String::valueOf).collect(Collectors.joining(","))));
        files.forEach(f -> command.add(f.toString()));
        Path stdout = dir.resolve("reference.json"), stderr = dir.resolve("reference.err");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            Assertions.fail(SCRIPT + " did not finish in 10 minutes");
        }
        assertThat(p.exitValue()).as("%s exit status; its stderr:%n%s", SCRIPT, Files.readString(stderr)).isZero();
        return new ObjectMapper().readTree(stdout.toFile());
    }

    /** Steps × V little-endian float32, as the script writes them. */
    private static List<float[]> readLogits(Path file, int vocab) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).as("bytes of %s", file).isEqualTo(STEPS * vocab * 4);
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            float[] row = new float[vocab];
            bytes.asFloatBuffer().get(row);
            bytes.position(bytes.position() + vocab * 4);
            out.add(row);
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /** A file of this repository, found from the working directory (the module's folder under Maven) upwards. */
    static Path repositoryFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) return d.resolve(relative);
        }
        throw new UncheckedIOException(new IOException(relative + " not found above " + Path.of("").toAbsolutePath()));
    }

    /** Skips loudly (or fails, where PyTorch is required) unless Debian's Python imports torch and numpy. */
    static void requireTorch() throws InterruptedException {
        String missing = null;
        if (!Files.isExecutable(Path.of(PYTHON))) {
            missing = PYTHON + " is absent";
        } else {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).strip();
                if (p.waitFor() != 0) missing = PYTHON + " cannot import torch and numpy (" + out.lines().reduce((a, b) -> b).orElse("") + ")";
            } catch (IOException e) {
                missing = PYTHON + " does not run: " + e.getMessage();
            }
        }
        if (missing == null) return;
        String message = "PyTorch reference unavailable: " + missing + " (apt-get install python3-torch python3-numpy)";
        String required = System.getProperty("basalt.pytorch.required", System.getenv("BASALT_PYTORCH_REQUIRED"));
        if (Boolean.parseBoolean(required)) Assertions.fail(message + "; required because basalt.pytorch.required=true");
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }
}
