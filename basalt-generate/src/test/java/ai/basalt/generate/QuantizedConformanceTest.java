package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufValueType;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.generate.oracle.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.testkit.ConformanceData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Basalt against llama.cpp on quantized copies of stories260K: MEASURE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedConformanceTest {
    private static final int STEPS = 100;
    private static final List<String> PROMPTS = List.of("", "Once upon a time", "The little dog");

    @TempDir
    Path dir;

    private Path reference;
    /** Basalt's top-10 probabilities on the F32 reference along each prompt's path, per type, for the check. */
    private LanguageModel f32;

    @BeforeAll
    void open() {
        reference = ConformanceData.require("models/stories260K/stories260K.gguf");
        f32 = Models.load(reference);
    }

    @AfterAll
    void close() {
        if (f32 != null) f32.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "Q8_0", "Q4_0"})
    void teacherForcedProbabilitiesMatchLlamaCpp(DType type) {
        Path file = dir.resolve("stories260K-" + type + ".gguf");
        Map<String, DType> written = writeCopy(reference, type, file);
        try (GgufFile readBack = GgufFile.open(file)) {
            for (GgufTensorInfo t : readBack.tensors()) {
                assertThat(t.type()).as("type of %s read back", t.name()).isEqualTo(written.get(t.name()));
            }
        }
        System.out.println(type + " tensor types: " + written);

        double maxDiff = 0;
        double maxDiffF32 = 0;
        int agree = 0;
        int steps = 0;
        try (LlamaCppOracle oracle = LlamaCppOracle.open(file)) {
            LanguageModel model = Models.load(file);
            try {
                for (String prompt : PROMPTS) {
                    LlamaCppOracle.Result expected = oracle.greedy(prompt, STEPS);
                    int[] path = path(expected);
                    InferenceState state = model.newState(model.contextLength());
                    InferenceState refState = f32.newState(f32.contextLength());
                    int n = expected.promptTokens().length;
                    double promptMax = 0;
                    int promptAgree = 0;
                    for (int pos = 0; pos < n + expected.steps().size() - 1; pos++) {
                        boolean need = pos >= n - 1;
                        float[] logits = model.forward(state, path[pos], pos, need);
                        float[] refLogits = f32.forward(refState, path[pos], pos, need);
                        if (!need) continue;
                        LlamaCppOracle.Step want = expected.steps().get(pos - (n - 1));
                        double[] p = softmax(logits);
                        double[] q = softmax(refLogits);
                        for (int k = 0; k < want.topIds().length; k++) {
                            int id = want.topIds()[k];
                            promptMax = Math.max(promptMax, Math.abs(p[id] - want.topProbs()[k]));
                            maxDiffF32 = Math.max(maxDiffF32, Math.abs(p[id] - q[id]));
                        }
                        if (argmax(logits) == want.token()) promptAgree++;
                        steps++;
                    }
                    System.out.printf("%s '%s': steps %d, max |dp| %.3g, argmax agree %d%n", type, prompt,
                            expected.steps().size(), promptMax, promptAgree);
                    maxDiff = Math.max(maxDiff, promptMax);
                    agree += promptAgree;
                }
            } finally {
                model.close();
            }
        }
        System.out.printf("%s: max |dp| %.3g, agree %d/%d, vs own F32 %.3g%n", type, maxDiff, agree, steps, maxDiffF32);
    }

    /** llama.cpp's prompt tokens followed by its greedy tokens: the path both engines are fed. */
    private static int[] path(LlamaCppOracle.Result r) {
        int[] prompt = r.promptTokens();
        int[] out = Arrays.copyOf(prompt, prompt.length + r.steps().size());
        for (int i = 0; i < r.steps().size(); i++) out[prompt.length + i] = r.steps().get(i).token();
        return out;
    }

    /**
     * Writes {@code source} to {@code out} with its 2-D weights stored as {@code type}; returns each tensor's
     * stored type. Vectors stay F32, and so does a matrix whose rows are not whole blocks of {@code type}.
     */
    private static Map<String, DType> writeCopy(Path source, DType type, Path out) {
        Map<String, DType> types = new LinkedHashMap<>();
        try (GgufFile in = GgufFile.open(source)) {
            GgufMetadata metadata = in.metadata();
            GgufWriter writer = new GgufWriter(metadata);
            for (GgufTensorInfo t : in.tensors()) {
                long[] dims = t.dims();
                DType stored = dims.length == 2 && dims[0] % type.blockSize() == 0 ? type : DType.F32;
                float[] values = in.tensor(t).toFloatArray();
                writer.addTensor(t.name(), stored, dims, Quantizer.quantize(values, stored));
                types.put(t.name(), stored);
            }
            writer.write(out);
        }
        return types;
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
