package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.fixtures.TinySentencePiece;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.model.quantize.GgufQuantizer;
import ai.basalt.model.quantize.QuantizeType;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.RopeMode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files written by {@link GgufQuantizer} (the library behind {@code basalt quantize}) load in llama.cpp (b4916, the
 * library in {@code de.kherud:llama}) and give llama.cpp's logits. The model is a random-weight llama of width 256
 * (so the k-quants apply), 8 layers, 4 heads over 2 KV heads, an untied output, written in F32 here and quantized by
 * the library as llama-quantize would (Q4_K_M, for one, mixes Q4_K, Q6_K and the fallbacks of its plan).
 *
 * <p>llama.cpp decodes {@value #STEPS} greedy tokens and keeps its logits; along its path (teacher-forced) two engines
 * are compared with it, as in {@link LlamaCppParityTest}. The rounding oracle ({@link GgmlDecoder}: Basalt's kernels
 * and scalar dequantization of every block in the file, with ggml's rounding of activations, following llama.cpp's
 * own bits at rounding boundaries) must give llama.cpp's argmax at every step and logits within
 * {@value #RELATIVE_TOLERANCE} of the largest. Basalt's engine keeps activations in F32, so its gap is that rounding's
 * (required under {@value #DIRECT_BOUND}; a wrongly decoded tensor gives order 1) and near ties may flip; both are
 * reported. On the F32 input the two engines agree to float32 rounding ({@link #theF32InputAgreesToFloatRounding}).
 *
 * <p>Measured (max relative logit gap over {@value #STEPS} steps; steps whose argmax is llama.cpp's token; the F32
 * input: 7.7e-7, all tokens equal):
 * <pre>
 *   type    tensors written                  direct gap  argmax | oracle gap  argmax  knife edges
 *   Q8_0    58 Q8_0, 17 F32                  2.8e-2      58/64  | 2.7e-7      64/64   8
 *   Q4_0    57 Q4_0, 1 Q6_K, 17 F32          2.8e-2      62/64  | 4.5e-7      64/64   20
 *   Q4_K_M  49 Q4_K, 9 Q6_K, 17 F32          3.8e-2      62/64  | 4.0e-7      64/64   4
 *   Q5_K_M  49 Q5_K, 9 Q6_K, 17 F32          4.1e-2      62/64  | 4.4e-7      64/64   8
 *   Q6_K    58 Q6_K, 17 F32                  3.7e-2      63/64  | 4.7e-7      64/64   3
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizeCommandConformanceTest {
    private static final int STEPS = 64;
    private static final int DIM = 256, FFN = 512, LAYERS = 8, HEADS = 4, KV_HEADS = 2, VOCAB = 270, CONTEXT = 128;
    private static final int[] PROMPT = {1, 72, 101, 108, 108, 111};
    private static final double RELATIVE_TOLERANCE = 1e-3;
    private static final double DIRECT_BOUND = 0.1;

    @TempDir
    static Path dir;

    private Path f32;

    @BeforeAll
    void writeModel() {
        f32 = writeRandomLlama(dir.resolve("random-f32.gguf"));
    }

    /** The F32 input itself: both engines agree to float32 rounding, so the quantized gaps are the quantization's. */
    @Test
    void theF32InputAgreesToFloatRounding() {
        try (LlamaCppOracle oracle = LlamaCppOracle.open(f32); LanguageModel model = Models.load(f32)) {
            int[] theirTokens = oracle.greedy(PROMPT, 16).tokens();
            assertThat(Logits.greedy(model, PROMPT, theirTokens.length)).containsExactly(theirTokens);
            int[] path = concat(PROMPT, theirTokens);
            InferenceState state = model.newState(path.length, KvType.F32);
            double worst = 0;
            for (int pos = 0; pos < path.length - 1; pos++) {
                float[] logits = model.forward(state, path[pos], pos, true);
                worst = Math.max(worst, LlamaCppParityTest.relativeGap(logits, oracle.logits(Arrays.copyOf(path, pos + 1))));
            }
            System.out.printf("F32: max relative logit difference %.3g%n", worst);
            assertThat(worst).isLessThan(1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuantizeType.class, names = {"Q8_0", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K"})
    void llamaCppGivesTheRoundingOraclesLogits(QuantizeType type) {
        Path file = dir.resolve("random-" + type + ".gguf");
        GgufQuantizer.quantize(f32, file, type, (e, done, total) -> {});
        Map<DType, Integer> stored = new TreeMap<>();
        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensorInfo t : f.tensors()) stored.merge(t.type(), 1, Integer::sum);
        }
        assertThat(stored).as("types in the file").containsKey(type.baseType());

        try (LlamaCppOracle oracle = LlamaCppOracle.open(file, new LlamaCppOracle.Options(0, LlamaCppParityTest.THREADS,
                LlamaCppOracle.KvCache.F32, true)); LanguageModel model = Models.load(file)) {
            assertThat(oracle.vocabSize()).isEqualTo(VOCAB);
            LlamaCppParityTest.Comparison c = LlamaCppParityTest.compare(file, model, oracle.greedyTrace(PROMPT, STEPS));
            System.out.printf("%-6s %s: direct %.2e %d/%d | oracle %.2e %d/%d, inputs %.1e, knife edges %d | margin %.1e,"
                    + " %d distinct%n", type, stored, c.directGap(), c.directAgree(), STEPS, c.oracleGap(), c.oracleAgree(),
                    STEPS, c.inputGap(), c.knifeEdges(), c.margin(), c.distinct());
            assertThat(c.distinct()).as("distinct tokens llama.cpp generated").isGreaterThan(3);
            assertThat(c.oracleAgree()).as("%s: steps where the rounding oracle's argmax is llama.cpp's token", type)
                    .isEqualTo(STEPS);
            assertThat(c.oracleGap()).as("%s: rounding oracle, max relative logit gap", type)
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE);
            assertThat(c.inputGap()).as("%s: the oracle's product inputs against llama.cpp's", type)
                    .isLessThanOrEqualTo(LlamaCppParityTest.INPUT_TOLERANCE);
            assertThat(c.directGap()).as("%s: Basalt, max relative logit gap", type).isLessThanOrEqualTo(DIRECT_BOUND);
        }
    }


    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A llama with Gaussian weights (std 1/√fan-in) and a byte-fallback SentencePiece vocabulary. */
    private static Path writeRandomLlama(Path file) {
        LlamaConfig config = new LlamaConfig(DIM, FFN, LAYERS, HEADS, KV_HEADS, DIM / HEADS, VOCAB, CONTEXT, 1e-5f,
                10000f, DIM / HEADS, RopeMode.NORMAL);
        GgufMetadata.Builder m = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "llama")
                .putString(MetadataKey.GENERAL_NAME.key(), "random-llama");
        config.putGgufMetadata(m, "llama");
        GgufMetadata meta = TinySentencePiece.tokenizer().putGgufMetadata(m).build();
        GgufWriter w = new GgufWriter(meta);
        SplittableRandom random = new SplittableRandom(5);
        int kvDim = DIM / HEADS * KV_HEADS;
        matrix(w, random, TensorKey.TOKEN_EMBD.weight(), DIM, VOCAB, 1);
        vector(w, random, TensorKey.OUTPUT_NORM.weight());
        matrix(w, random, TensorKey.OUTPUT.weight(), DIM, VOCAB, 1 / Math.sqrt(DIM));
        for (int l = 0; l < LAYERS; l++) {
            vector(w, random, TensorKey.ATTN_NORM.weight(l));
            matrix(w, random, TensorKey.ATTN_Q.weight(l), DIM, DIM, 1 / Math.sqrt(DIM));
            matrix(w, random, TensorKey.ATTN_K.weight(l), DIM, kvDim, 1 / Math.sqrt(DIM));
            matrix(w, random, TensorKey.ATTN_V.weight(l), DIM, kvDim, 1 / Math.sqrt(DIM));
            matrix(w, random, TensorKey.ATTN_OUTPUT.weight(l), DIM, DIM, 1 / Math.sqrt(DIM));
            vector(w, random, TensorKey.FFN_NORM.weight(l));
            matrix(w, random, TensorKey.FFN_GATE.weight(l), DIM, FFN, 1 / Math.sqrt(DIM));
            matrix(w, random, TensorKey.FFN_DOWN.weight(l), FFN, DIM, 1 / Math.sqrt(FFN));
            matrix(w, random, TensorKey.FFN_UP.weight(l), DIM, FFN, 1 / Math.sqrt(DIM));
        }
        w.write(file);
        return file;
    }

    private static void matrix(GgufWriter w, SplittableRandom random, String name, int cols, int rows, double std) {
        float[] values = new float[cols * rows];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * std);
        w.addTensor(name, DType.F32, new long[] {cols, rows}, Quantizer.quantize(values, DType.F32));
    }

    private static void vector(GgufWriter w, SplittableRandom random, String name) {
        float[] values = new float[DIM];
        for (int i = 0; i < DIM; i++) values[i] = (float) (1 + random.nextGaussian() * 0.1);
        w.addTensor(name, DType.F32, new long[] {DIM}, Quantizer.quantize(values, DType.F32));
    }
}
