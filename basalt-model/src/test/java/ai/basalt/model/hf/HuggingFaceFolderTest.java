package ai.basalt.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Hugging Face folder runs as the model it is: for each family and variant ({@link RandomCheckpoint#CASES}), the
 * folder, its GGUF conversion and the GGUF the test writes itself the way llama.cpp's converter does give the same
 * logits along the same greedy path, and the conversion has the reference file's metadata and tensors.
 */
class HuggingFaceFolderTest {
    private static final String PROMPT = "the cat sat";
    private static final int STEPS = 6;

    @TempDir
    Path dir;

    static List<String> cases() {
        return RandomCheckpoint.CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theFolderItsConversionAndTheReferenceGgufGiveTheSameLogits(String name) {
        RandomCheckpoint r = new RandomCheckpoint(RandomCheckpoint.of(name));
        Path reference = r.writeGguf(dir.resolve("reference.gguf"));
        Path folder = r.writeFolder(dir.resolve(name));
        Path converted = dir.resolve("converted.gguf");
        HuggingFaceConverter.Summary summary = HuggingFaceConverter.toGguf(folder, converted, null);
        assertThat(summary.type().dtype()).as("the checkpoint's own type is kept").isEqualTo(r.c.dtype().ggml());
        if (r.c.shardBytes() > 0) {
            assertThat(folder.resolve("model.safetensors.index.json")).as("a sharded checkpoint").exists();
            try (var files = Files.list(folder)) {
                assertThat(files.filter(f -> f.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")))
                        .as("shards").hasSizeGreaterThan(2);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        try (LanguageModel ref = Models.load(reference); LanguageModel hf = Models.load(folder);
                LanguageModel conv = Models.load(converted)) {
            assertThat(hf.architecture()).isEqualTo(r.c.ggufArch());
            assertThat(hf.vocabularySize()).isEqualTo(r.vocab());
            assertThat(hf.contextLength()).isEqualTo(RandomCheckpoint.CONTEXT);
            assertThat(hf.chatTemplate()).contains(RandomCheckpoint.TEMPLATE);
            assertThat(hf.tokenizer().vocabulary()).isEqualTo(ref.tokenizer().vocabulary());
            int[] path = greedyPath(ref, ref.tokenizer().encode(PROMPT, true, false), STEPS);
            int first = path.length - STEPS;
            List<float[]> want = logits(ref, path, first);
            List<float[]> folderLogits = logits(hf, path, first);
            assertThat(maxRelativeDifference(folderLogits, logits(conv, path, first)))
                    .as("%s: the folder against its conversion", name).isZero();
            double worst = maxRelativeDifference(folderLogits, want);
            System.out.printf("%s: folder vs reference GGUF, max relative logit difference %.3g over %d steps%n", name,
                    worst, STEPS);
            // Llama 3's divisors: float32 from config.json here, double in the test's reference file
            assertThat(worst).as("%s: the folder against the reference GGUF", name)
                    .isLessThanOrEqualTo(r.c.rope().equals("llama3") ? 1e-5 : 0);
        }

        try (GgufFile ref = GgufFile.open(reference); GgufFile conv = GgufFile.open(converted)) {
            for (String key : ref.metadata().keys()) {
                if (key.equals("general.name")) continue;
                assertThat(conv.metadata().type(key)).as(key).isEqualTo(ref.metadata().type(key));
                assertThat(conv.metadata().raw(key)).as(key).isEqualTo(ref.metadata().raw(key));
            }
            int fileType = switch (r.c.dtype()) {
                case F16 -> 1;
                case BF16 -> 32;
                default -> 0;
            };
            assertThat(conv.metadata().getInt("general.file_type")).isEqualTo(fileType);
            assertSameTensors(conv, ref);
        }
    }

    /** Every tensor of {@code want} in {@code got}, with its type, dims and values; nothing more. */
    static void assertSameTensors(GgufFile got, GgufFile want) {
        assertThat(got.tensors().stream().map(GgufTensorInfo::name).sorted())
                .containsExactlyElementsOf(want.tensors().stream().map(GgufTensorInfo::name).sorted().toList());
        for (GgufTensorInfo t : want.tensors()) {
            GgufTensorInfo g = got.findTensor(t.name()).orElseThrow();
            assertThat(g.dims()).as(t.name()).containsExactly(t.dims());
            assertThat(g.type()).as(t.name()).isEqualTo(t.type());
            float[] a = got.tensor(t.name()).toFloatArray();
            float[] b = want.tensor(t.name()).toFloatArray();
            if (t.name().equals(TensorKey.ROPE_FREQS.weight())) {
                for (int i = 0; i < b.length; i++) assertThat(a[i]).as(t.name() + "[" + i + "]").isCloseTo(b[i], within(1e-6f * b[i]));
            } else {
                assertThat(a).as(t.name()).containsExactly(b);
            }
        }
    }

    static int[] greedyPath(LanguageModel model, int[] prompt, int steps) {
        InferenceState state = model.newState(prompt.length + steps);
        float[] logits = null;
        for (int i = 0; i < prompt.length; i++) logits = model.forward(state, prompt[i], i, true);
        int[] path = Arrays.copyOf(prompt, prompt.length + steps);
        for (int s = 0; s < steps; s++) {
            path[prompt.length + s] = argmax(logits);
            if (s + 1 < steps) logits = model.forward(state, path[prompt.length + s], prompt.length + s, true);
        }
        return path;
    }

    /** The logits after each prefix {@code path[0, n)}, {@code first <= n <= path.length}. */
    static List<float[]> logits(LanguageModel model, int[] path, int first) {
        InferenceState state = model.newState(path.length);
        List<float[]> out = new ArrayList<>();
        for (int pos = 0; pos < path.length; pos++) {
            float[] l = model.forward(state, path[pos], pos, pos >= first - 1);
            if (pos >= first - 1) out.add(l.clone());
        }
        return out;
    }

    /** max over steps of max |a − b| / max |b|. */
    static double maxRelativeDifference(List<float[]> a, List<float[]> b) {
        assertThat(a).hasSameSizeAs(b);
        double worst = 0;
        for (int s = 0; s < a.size(); s++) {
            double diff = 0, scale = 0;
            for (int i = 0; i < b.get(s).length; i++) {
                diff = Math.max(diff, Math.abs(a.get(s)[i] - b.get(s)[i]));
                scale = Math.max(scale, Math.abs(b.get(s)[i]));
            }
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
