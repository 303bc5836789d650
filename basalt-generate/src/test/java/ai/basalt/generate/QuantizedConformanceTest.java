package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
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
 * Basalt against llama.cpp (b4916, CPU) on copies of stories260K whose matrices are stored in F16, BF16, Q8_0
 * and Q4_0, token embedding (which is also the tied output projection) included; norm vectors stay F32, and so
 * does ffn_down under Q8_0/Q4_0 (rows of 172 are not whole 32-blocks, the fallback llama-quantize makes too).
 * llama.cpp loads and runs all four files, its {@code get_rows} dequantizing the quantized embedding.
 *
 * <p>Basalt is teacher-forced along llama.cpp's greedy path (its prompt tokens, then its generated tokens), so a
 * flipped argmax never derails the comparison. Measured over the 7 prompts × 100 steps below (top-10 = llama.cpp's
 * ten most probable tokens at each step):
 * <pre>
 *   type  max |Δp| top-10  argmax agrees  | Basalt on this file vs Basalt on F32
 *   F16   1.0e-3           700/700        | 1.2e-3
 *   BF16  1.4e-2           700/700        | 9.8e-3
 *   Q8_0  3.3e-2           698/700        | 3.7e-2
 *   Q4_0  3.7e-2           691/700        | 0.82
 * </pre>
 *
 * <h2>Where the gap comes from</h2>
 * ggml's CPU {@code mul_mat} first converts the activation vector to the weight type's {@code vec_dot_type}: F16
 * for F16 weights, BF16 for BF16, Q8_0 blocks (scale amax/127 per 32 values) for Q8_0 and Q4_0; Basalt keeps
 * activations in F32. {@link #llamaCppIsDequantizedWeightsTimesRoundedActivations} checks that this rounding is
 * the whole story: {@link GgmlDecoder}, Basalt's kernels over its dequantized weights plus that rounding
 * ({@link GgmlRoundingOps}), reproduces the logits of most one-token contexts to about 5e-6, where Basalt comes within 1e-4 for none (its closest: 1.5e-3
 * F16, 1.5e-2 BF16, 7e-2 Q8_0 and Q4_0). So the gap scales with the activation rounding unit, not the weight's:
 * BF16's unit is 8× F16's (2^-8 vs 2^-11 relative) and its median gap 7× (8.9e-4 vs 1.2e-4); Q8_0 activations
 * (≈ amax/254 per value, a few times BF16's unit) give the same median gap, 4e-3, under Q8_0 weights and under
 * 16× coarser Q4_0 ones. The bounds below are 2.1 to 2.4× the measured maxima.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedConformanceTest {
    private static final int STEPS = 100;
    private static final List<String> PROMPTS = List.of("", "Once upon a time", "The little dog", "Lily and Tom went",
            "One day, a big", "The sun was", "Tom had a red <s> ball");

    /** Teacher-forced bounds per weight type: max |Δp| over llama.cpp's top-10, least argmax agreement. */
    private record Bound(double probability, double argmaxAgreement) {}

    private static final Map<DType, Bound> BOUNDS = Map.of(
            DType.F16, new Bound(2.5e-3, 0.995),
            DType.BF16, new Bound(3e-2, 0.99),
            DType.Q8_0, new Bound(8e-2, 0.99),
            DType.Q4_0, new Bound(8e-2, 0.98));

    /**
     * Least share of the 512 one-token contexts on which {@link GgmlDecoder} reproduces llama.cpp's logits
     * within {@link #EXACT}. It is not 1 because the rounding is discontinuous: where two F32 engines differ in
     * the last bit (summation order) a value next to a rounding boundary rounds to a neighbour, and that happens
     * more often the finer the unit. Measured: F16 345/512, BF16 494, Q8_0 510, Q4_0 508; Basalt: 0 for all.
     * Nudging the emulator's activations by ±1 F32 ulp before rounding moves its own teacher-forced probabilities
     * (3 prompts × 100 steps) by up to 1.4e-3 F16, 5.5e-3 BF16, 6.5e-3 Q8_0, 2.3e-2 Q4_0, against 0.9e-3, 5.9e-3,
     * 3.1e-2, 2.2e-2 between it and llama.cpp: a floor of that order holds for any engine that is not
     * bit-identical to ggml in F32, whether it emulates the rounding or not. ({@link LlamaCppParityTest} removes
     * the floor by rounding llama.cpp's own bits where the two engines fall on either side of a boundary.)
     */
    private static final Map<DType, Double> MIN_EXACT_SHARE = Map.of(
            DType.F16, 0.45, DType.BF16, 0.9, DType.Q8_0, 0.95, DType.Q4_0, 0.95);
    private static final double EXACT = 1e-4;

    /** llama.cpp's {@code llama_ftype} for a file whose matrices are mostly of one type (llama.h). */
    private static final Map<DType, Integer> FILE_TYPE = Map.of(DType.F16, 1, DType.Q4_0, 2, DType.Q8_0, 7, DType.BF16, 32);

    @TempDir
    Path dir;

    private Path reference;
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
        Path file = quantizedCopy(type);
        Bound bound = BOUNDS.get(type);
        double maxDiff = 0;
        double maxDiffFromF32 = 0;
        int agree = 0;
        int steps = 0;
        try (LlamaCppOracle oracle = LlamaCppOracle.open(file)) {
            LanguageModel model = Models.load(file);
            try {
                for (String prompt : PROMPTS) {
                    LlamaCppOracle.Result expected = oracle.greedy(prompt, STEPS);
                    int[] path = path(expected);
                    int first = expected.promptTokens().length - 1;
                    InferenceState state = model.newState(path.length, KvType.F32);
                    InferenceState f32State = f32.newState(path.length, KvType.F32);
                    for (int pos = 0; pos < path.length - 1; pos++) {
                        boolean scored = pos >= first;
                        float[] logits = model.forward(state, path[pos], pos, scored);
                        float[] f32Logits = f32.forward(f32State, path[pos], pos, scored);
                        if (!scored) continue;
                        LlamaCppOracle.Step want = expected.steps().get(pos - first);
                        double[] p = Logits.softmax(logits);
                        double[] pF32 = Logits.softmax(f32Logits);
                        for (int k = 0; k < want.topIds().length; k++) {
                            int id = want.topIds()[k];
                            maxDiff = Math.max(maxDiff, Math.abs(p[id] - want.topProbs()[k]));
                            maxDiffFromF32 = Math.max(maxDiffFromF32, Math.abs(p[id] - pF32[id]));
                        }
                        if (Logits.argmax(logits) == want.token()) agree++;
                        steps++;
                    }
                }
            } finally {
                model.close();
            }
        }
        System.out.printf("%s: max |dp| top-10 %.3g, argmax agrees %d/%d, vs Basalt on F32 %.3g%n",
                type, maxDiff, agree, steps, maxDiffFromF32);
        assertThat(steps).as("steps compared").isGreaterThan(PROMPTS.size() * STEPS / 2);
        assertThat(maxDiff).as("%s: max |Δp| over llama.cpp's top-10", type).isLessThanOrEqualTo(bound.probability());
        assertThat((double) agree / steps).as("%s: argmax agreement", type)
                .isGreaterThanOrEqualTo(bound.argmaxAgreement());
        // The F32 engine on the F32 file gives the same numbers every time, so any difference is the stored type.
        assertThat(maxDiffFromF32).as("%s: Basalt's probabilities move off its own F32 ones", type).isGreaterThan(1e-4);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "Q8_0", "Q4_0"})
    void llamaCppIsDequantizedWeightsTimesRoundedActivations(DType type) {
        Path file = quantizedCopy(type);
        int exact = 0;
        int basaltExact = 0;
        int vocabulary;
        try (LlamaCppOracle oracle = LlamaCppOracle.open(file); GgmlDecoder emulator = new GgmlDecoder(file, 1)) {
            LanguageModel model = Models.load(file);
            try {
                vocabulary = oracle.vocabSize();
                for (int token = 0; token < vocabulary; token++) {
                    float[] want = oracle.logits(new int[] {token});
                    if (maxAbsDiff(emulator.forward(token, 0, true), want) <= EXACT) exact++;
                    if (maxAbsDiff(model.forward(model.newState(1, KvType.F32), token, 0, true), want) <= EXACT) basaltExact++;
                }
            } finally {
                model.close();
            }
        }
        System.out.printf("%s: one-token logits within %.0e of llama.cpp: rounding emulator %d/%d, Basalt %d%n",
                type, EXACT, exact, vocabulary, basaltExact);
        assertThat((double) exact / vocabulary).as("%s: share reproduced by dequantized weights · rounded activations", type)
                .isGreaterThanOrEqualTo(MIN_EXACT_SHARE.get(type));
        assertThat(basaltExact).as("%s: contexts Basalt (F32 activations) reproduces as closely", type).isZero();
    }

    /** The reference written with its matrices in {@code type}, the stored types checked by reading it back. */
    private Path quantizedCopy(DType type) {
        Path file = dir.resolve("stories260K-" + type + ".gguf");
        Map<String, DType> written = writeCopy(reference, type, file);
        try (GgufFile readBack = GgufFile.open(file)) {
            for (GgufTensorInfo t : readBack.tensors()) {
                assertThat(t.type()).as("type of %s read back", t.name()).isEqualTo(written.get(t.name()));
            }
        }
        assertThat(written).as("matrices stored as %s", type).containsValue(type);
        return file;
    }

    /**
     * Writes {@code source} to {@code out} with its 2-D weights stored as {@code type}; returns each tensor's
     * stored type. Vectors stay F32, and so does a matrix whose rows are not whole blocks of {@code type}.
     */
    private static Map<String, DType> writeCopy(Path source, DType type, Path out) {
        Map<String, DType> types = new LinkedHashMap<>();
        try (GgufFile in = GgufFile.open(source)) {
            GgufMetadata metadata = in.metadata();
            String fileType = MetadataKey.GENERAL_FILE_TYPE.key();
            if (metadata.contains(fileType)) {
                metadata = metadata.toBuilder().put(fileType, metadata.type(fileType), FILE_TYPE.get(type)).build();
            }
            GgufWriter writer = new GgufWriter(metadata);
            for (GgufTensorInfo t : in.tensors()) {
                long[] dims = t.dims();
                DType stored = dims.length == 2 && dims[0] % type.blockSize() == 0 ? type : DType.F32;
                writer.addTensor(t.name(), stored, dims, Quantizer.quantize(in.tensor(t).toFloatArray(), stored));
                types.put(t.name(), stored);
            }
            writer.write(out);
        }
        return types;
    }

    /** llama.cpp's prompt tokens followed by its greedy tokens: the path both engines are fed. */
    private static int[] path(LlamaCppOracle.Result r) {
        int[] prompt = r.promptTokens();
        int[] out = Arrays.copyOf(prompt, prompt.length + r.steps().size());
        for (int i = 0; i < r.steps().size(); i++) out[prompt.length + i] = r.steps().get(i).token();
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < b.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
