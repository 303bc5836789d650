package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.format.gguf.TokenType;
import ai.basalt.generate.oracle.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.quantize.GgufQuantizer;
import ai.basalt.model.quantize.QuantizeType;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files written by {@link GgufQuantizer} load in llama.cpp (b4916, the library in {@code de.kherud:llama}) and run
 * like they run in Basalt. The model is a random-weight llama of width 256 (so the k-quants apply), 8 layers, 4
 * heads over 2 KV heads, an untied output, written in F32 here and quantized by the library.
 *
 * <p>Both engines decode {@value #STEPS} greedy tokens after the same prompt. They do not compute the same numbers:
 * ggml's CPU {@code mul_mat} rounds the activation vector to Q8_0 blocks (Q8_0 weights) or Q8_K blocks (k-quant
 * weights) before the dot product, while Basalt keeps activations in F32 (see {@link QuantizedConformanceTest}).
 * On the F32 input the two agree to 7.7e-7 of the largest logit ({@link #theF32InputAgreesToFloatRounding}); on the
 * quantized files, measured along llama.cpp's path: Q8_0 2.8e-2, Q6_K 3.1e-2, Q4_K_M 3.2e-2 — the same for every
 * weight type, as the activation rounding predicts, and far under the order-1 gap a wrongly decoded tensor gives.
 * The bound is {@value #RELATIVE_TOLERANCE}.
 *
 * <p>Greedy tokens: Q8_0 and Q6_K give llama.cpp's 16 tokens exactly, and the test requires it. Under Q4_K_M the
 * two engines part at step 4 on a near tie (Basalt 124, llama.cpp 228) and free-running decoding diverges after it,
 * so for Q4_K_M the test requires instead that Basalt's argmax, teacher-forced along llama.cpp's path, is llama.cpp's
 * token on at least {@value #MIN_AGREE_Q4_K_M} of 16 steps (measured: 15).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizeCommandConformanceTest {
    private static final int STEPS = 16;
    private static final int DIM = 256, FFN = 512, LAYERS = 8, HEADS = 4, KV_HEADS = 2, VOCAB = 270;
    private static final int[] PROMPT = {1, 72, 101, 108, 108, 111};
    private static final double RELATIVE_TOLERANCE = 0.06;
    private static final int MIN_AGREE_Q4_K_M = 12;

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
            int[] theirTokens = oracle.greedy(PROMPT, STEPS).tokens();
            assertThat(basaltGreedy(model, PROMPT, theirTokens.length)).containsExactly(theirTokens);
            int[] path = concat(PROMPT, theirTokens);
            InferenceState state = model.newState(path.length);
            double worst = 0;
            for (int pos = 0; pos < path.length - 1; pos++) {
                float[] logits = model.forward(state, path[pos], pos, true);
                worst = Math.max(worst, relativeDifference(logits, oracle.logits(Arrays.copyOf(path, pos + 1))));
            }
            System.out.printf("F32: max relative logit difference %.3g%n", worst);
            assertThat(worst).isLessThan(1e-4);
        }
    }

    @ParameterizedTest
    @EnumSource(value = QuantizeType.class, names = {"Q8_0", "Q6_K", "Q4_K_M"})
    void llamaCppLoadsTheFileAndDecodesTheSameTokens(QuantizeType type) {
        Path file = dir.resolve("random-" + type + ".gguf");
        GgufQuantizer.quantize(f32, file, type, (e, done, total) -> {});
        Set<DType> stored = new HashSet<>();
        try (GgufFile f = GgufFile.open(file)) {
            for (GgufTensorInfo t : f.tensors()) stored.add(t.type());
        }
        assertThat(stored).as("types in the file").contains(type.baseType());

        try (LlamaCppOracle oracle = LlamaCppOracle.open(file); LanguageModel model = Models.load(file)) {
            assertThat(oracle.vocabSize()).isEqualTo(VOCAB);
            LlamaCppOracle.Result expected = oracle.greedy(PROMPT, STEPS);
            assertThat(expected.promptTokens()).as("llama.cpp's prompt").containsExactly(PROMPT);
            int[] theirTokens = expected.tokens();
            int[] path = concat(PROMPT, theirTokens);
            int[] ours = basaltGreedy(model, PROMPT, theirTokens.length);
            double worst = 0;
            int agree = 0;
            InferenceState state = model.newState(path.length);
            for (int pos = 0; pos < path.length - 1; pos++) {
                float[] logits = model.forward(state, path[pos], pos, pos >= PROMPT.length - 1);
                if (pos < PROMPT.length - 1) continue;
                float[] theirs = oracle.logits(Arrays.copyOf(path, pos + 1));
                worst = Math.max(worst, relativeDifference(logits, theirs));
                if (Logits.argmax(logits) == path[pos + 1]) agree++;
            }
            System.out.printf("%s: %d steps, llama.cpp %s, Basalt %s, teacher-forced argmax agrees %d, "
                    + "max relative logit difference %.3g%n", type, theirTokens.length, Arrays.toString(theirTokens),
                    Arrays.toString(ours), agree, worst);
            assertThat(theirTokens).as("tokens llama.cpp decoded").hasSize(STEPS);
            if (type == QuantizeType.Q4_K_M) {
                assertThat(agree).as("steps where Basalt's argmax is llama.cpp's token").isGreaterThanOrEqualTo(MIN_AGREE_Q4_K_M);
            } else {
                assertThat(ours).as("Basalt's greedy tokens against llama.cpp's").containsExactly(theirTokens);
            }
            assertThat(worst).as("max relative logit difference along llama.cpp's path").isLessThan(RELATIVE_TOLERANCE);
        }
    }

    private static int[] basaltGreedy(LanguageModel model, int[] prompt, int steps) {
        InferenceState state = model.newState(prompt.length + steps);
        float[] logits = null;
        for (int pos = 0; pos < prompt.length; pos++) logits = model.forward(state, prompt[pos], pos, pos == prompt.length - 1);
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Logits.argmax(logits);
            if (i + 1 < steps) logits = model.forward(state, out[i], prompt.length + i, true);
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double relativeDifference(float[] ours, float[] theirs) {
        double max = 0;
        double scale = 0;
        for (int i = 0; i < theirs.length; i++) {
            max = Math.max(max, Math.abs(ours[i] - theirs[i]));
            scale = Math.max(scale, Math.abs(theirs[i]));
        }
        return max / scale;
    }

    /** A llama with Gaussian weights (std 1/√fan-in) and a byte-fallback SentencePiece vocabulary. */
    private static Path writeRandomLlama(Path file) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(TokenType.UNKNOWN.id(), TokenType.CONTROL.id(), TokenType.CONTROL.id()));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(TokenType.BYTE.id());
        }
        for (String piece : List.of("▁", "e", "t", "▁t", "he", "▁the", "a", "▁a", "n", "nd", "▁and")) {
            tokens.add(piece);
            types.add(TokenType.NORMAL.id());
        }
        float[] scores = new float[VOCAB];
        for (int i = 259; i < VOCAB; i++) scores[i] = -(i - 259);
        String a = "llama";
        GgufMetadata meta = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), a)
                .putString(MetadataKey.GENERAL_NAME.key(), "random-llama")
                .putInt(MetadataKey.CONTEXT_LENGTH.of(a), 64)
                .putInt(MetadataKey.EMBEDDING_LENGTH.of(a), DIM)
                .putInt(MetadataKey.BLOCK_COUNT.of(a), LAYERS)
                .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(a), FFN)
                .putInt(MetadataKey.ROPE_DIMENSION_COUNT.of(a), DIM / HEADS)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(a), HEADS)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(a), KV_HEADS)
                .putFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(a), 1e-5f)
                .putString(MetadataKey.TOKENIZER_MODEL.key(), "llama")
                .putStringArray(MetadataKey.TOKENIZER_TOKENS.key(), tokens.toArray(String[]::new))
                .putFloatArray(MetadataKey.TOKENIZER_SCORES.key(), scores)
                .putIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key(), types.stream().mapToInt(Integer::intValue).toArray())
                .putInt(MetadataKey.TOKENIZER_BOS_ID.key(), 1)
                .putInt(MetadataKey.TOKENIZER_EOS_ID.key(), 2)
                .putInt(MetadataKey.TOKENIZER_UNKNOWN_ID.key(), 0)
                .build();
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
