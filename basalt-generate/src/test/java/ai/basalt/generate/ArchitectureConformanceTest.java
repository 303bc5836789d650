package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.llama.Llama3RopeScaling;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.training.BpeTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each member of the Llama family Basalt runs with one decoder, against llama.cpp (b4916, the library in
 * {@code de.kherud:llama}) on the same small random-weight F32 GGUF, written here with the family's own conventions
 * as llama.cpp's converter writes them: tensor names, biases, norms, stacked projections, tied or separate output,
 * grouped-query attention (4 query heads over 2 KV heads), RoPE variant (llama.cpp's {@code llama_model_rope_type}:
 * adjacent pairs for llama/mistral, halves for qwen2/qwen3/phi3) and RoPE scaling. Both engines decode 64 greedy
 * tokens after the same prompt; the tokens must be equal, and along llama.cpp's path Basalt's logits at every step
 * must be within {@value #RELATIVE_TOLERANCE} of llama.cpp's, relative to the largest logit magnitude of the step.
 *
 * <p>The bundled llama.cpp has no {@code mistral} architecture (Mistral's converter writes {@code llama}; the name is
 * Basalt's alias for the same layout), so llama.cpp runs a copy of the file labelled {@code llama}. It has no
 * {@code qwen3} either (added to llama.cpp after b4916): qwen3 is compared with {@link ReferenceDecoder}, a plain
 * double-precision transcription of llama.cpp's graphs that shares no code with the engine and that the first test
 * checks against llama.cpp on every other family; the qwen3 test requires llama.cpp to refuse the file with "unknown
 * model architecture", so that a binding that runs qwen3 turns the direct comparison on. Checked once by hand
 * against a recent llama.cpp that runs qwen3 (the prebuilt library of the npm package node-llama-cpp 3.21.1, llama.cpp
 * of 2026-09-12, driven by a small C program over these files): 64 of 64 greedy tokens equal for every family here,
 * qwen3 included, max relative logit difference 6.6e-7 for qwen3 and at most 2.9e-6 for the others.
 *
 * <p>Measured (max relative logit difference over 64 steps; tokens equal in all): llama 1.8e-6, mistral 4.7e-6,
 * qwen2 1.3e-6, phi3 2.4e-6, linear RoPE scaling 2.4e-6, Llama 3 {@code rope_freqs} 2.2e-6, qwen3 against the
 * reference decoder 5.7e-7; the reference decoder against llama.cpp 1.1e-6 to 4.9e-6. Float32 summation order is
 * all that separates the engines; the bound leaves room for it on other CPUs.
 *
 * <p>This test covers RoPE scaling and the tokenizer-independent wiring with a small trained vocabulary, in F32. The
 * families with their real tokenizers in every stored type are {@link LlamaCppParityTest}'s matrix, and qwen3 is
 * also compared with PyTorch ({@link Qwen3PyTorchParityTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchitectureConformanceTest {
    private static final int STEPS = 64;
    private static final double RELATIVE_TOLERANCE = 1e-3;
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final String TEXT = "the cat sat on the mat. the dog sat on the log. a bird sang in the tree. ";
    private static final String PROMPT = "the cat sat";
    private static final float LINEAR_FACTOR = 4f;
    private static final int DIM = 64, FFN = 96, LAYERS = 2, HEADS = 4, KV_HEADS = 2, CONTEXT = 128;

    /**
     * One family's file conventions.
     *
     * @param arch {@code general.architecture} Basalt loads
     * @param oracleArch the name llama.cpp runs the same tensors under
     * @param headDim head width; {@code attention.key_length} is written where it is not DIM / HEADS (qwen3)
     * @param bias Q/K/V biases (qwen2)
     * @param qkNorm per-head Q/K RMSNorm weights {@code attn_q_norm}/{@code attn_k_norm} (qwen3)
     * @param fused stacked {@code attn_qkv} and gate-then-up {@code ffn_up} (phi3)
     * @param tied no {@code output.weight}: the output projection is the token embedding
     * @param ropeScaling {@code none}, {@code linear} (factor 4, {@code rope.scaling.*} keys) or {@code llama3}
     *     (Llama 3.1's per-frequency divisors as the {@code rope_freqs.weight} tensor, as the converter writes them)
     */
    private record Family(String arch, String oracleArch, int headDim, float ropeBase, float epsilon, boolean bias,
            boolean qkNorm, boolean fused, boolean tied, String ropeScaling) {
        /** llama.cpp's {@code llama_model_rope_type}: NEOX (rotate halves) for qwen2, qwen3, phi3; NORM for llama. */
        boolean neox() {
            return !oracleArch.equals("llama");
        }

        ReferenceDecoder reference(List<Tensor> tensors, int vocab, int capacity) {
            return new ReferenceDecoder(new ReferenceDecoder.Config(DIM, FFN, LAYERS, HEADS, KV_HEADS, headDim, vocab,
                    epsilon, ropeBase, neox(), ropeScaling.equals("linear") ? 1 / LINEAR_FACTOR : 1, bias, qkNorm, fused),
                    tensors, capacity);
        }
    }

    private static Family family(String name) {
        return switch (name) {
            case "llama" -> new Family("llama", "llama", 16, 10000f, 1e-5f, false, false, false, false, "none");
            case "mistral" -> new Family("mistral", "llama", 16, 1e6f, 1e-5f, false, false, false, false, "none");
            case "qwen2" -> new Family("qwen2", "qwen2", 16, 1e6f, 1e-6f, true, false, false, true, "none");
            case "qwen3" -> new Family("qwen3", "qwen3", 32, 1e6f, 1e-6f, false, true, false, true, "none");
            case "phi3" -> new Family("phi3", "phi3", 16, 10000f, 1e-5f, false, false, true, false, "none");
            case "llama-linear-rope" -> new Family("llama", "llama", 16, 10000f, 1e-5f, false, false, false, false, "linear");
            case "llama3-rope-freqs" -> new Family("llama", "llama", 16, 10000f, 1e-5f, false, false, false, true, "llama3");
            default -> throw new IllegalArgumentException(name);
        };
    }

    private ByteLevelBpeTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    void tokenizer() {
        tokenizer = smallTokenizer();
    }

    /** A 300-token byte-level BPE trained on a short repeated text, with {@code <|endoftext|>}: small random models. */
    static ByteLevelBpeTokenizer smallTokenizer() {
        return new BpeTrainer(new BpeTrainer.Config(300, List.of(END_OF_TEXT))).train(TEXT.repeat(20));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral", "qwen2", "phi3", "llama-linear-rope", "llama3-rope-freqs"})
    void greedyTokensAndLogitsMatchLlamaCpp(String name) {
        Family f = family(name);
        Path file = dir.resolve(name + ".gguf");
        Path oracleFile = dir.resolve(name + "-llamacpp.gguf");
        List<Tensor> tensors = randomWeights(f, new SplittableRandom(name.hashCode()));
        write(file, f, f.arch(), tensors);
        write(oracleFile, f, f.oracleArch(), tensors);

        try (LlamaCppOracle oracle = LlamaCppOracle.open(oracleFile); LanguageModel model = Models.load(file)) {
            assertThat(model.architecture()).isEqualTo(f.arch());
            int[] prompt = tokenizer.encode(PROMPT);
            assertThat(oracle.tokenize(PROMPT)).as("llama.cpp's tokens of the prompt").containsExactly(prompt);
            LlamaCppOracle.Result expected = oracle.greedy(prompt, STEPS);
            assertThat(expected.steps()).as("llama.cpp's greedy steps").hasSize(STEPS);

            int[] ours = Logits.greedy(model, prompt, STEPS);
            assertThat(ours).as("%s: Basalt's greedy tokens", name).containsExactly(expected.tokens());
            assertThat(Arrays.stream(ours).distinct().count()).as("distinct tokens generated").isGreaterThan(3);

            int[] path = concat(prompt, expected.tokens());
            List<float[]> theirs = new ArrayList<>();
            for (int n = prompt.length; n < path.length; n++) theirs.add(oracle.logits(Arrays.copyOf(path, n)));
            double worst = maxRelativeDifference(basaltLogits(model, path, prompt.length), theirs);
            double referenceWorst = maxRelativeDifference(referenceLogits(f.reference(tensors, oracle.vocabSize(),
                    path.length), path, prompt.length), theirs);
            System.out.printf("%s: %d greedy tokens equal (%d distinct), max relative logit difference %.3g"
                    + " (test's reference decoder: %.3g)%n", name, STEPS, Arrays.stream(ours).distinct().count(), worst,
                    referenceWorst);
            assertThat(worst).as("%s: max |Δlogit| / max |logit| over %d steps", name, STEPS)
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE);
            assertThat(referenceWorst).as("%s: the test's reference decoder against llama.cpp", name)
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE);
        }
    }

    /**
     * Qwen3 (per-head Q/K RMSNorm before RoPE, head width from {@code attention.key_length}, here 32 with C = 64)
     * against the test's {@link ReferenceDecoder}, which the test above checks against llama.cpp on every family
     * llama.cpp runs; and against llama.cpp itself as soon as the bundled build runs qwen3 (b4916 does not: it is
     * then required to say so, so that an upgrade of the binding turns the full comparison on).
     */
    @Test
    void qwen3MatchesTheReferenceDecoderAndLlamaCppWhereItRunsQwen3() {
        Family f = family("qwen3");
        Path file = dir.resolve("qwen3.gguf");
        List<Tensor> tensors = randomWeights(f, new SplittableRandom("qwen3".hashCode()));
        write(file, f, f.arch(), tensors);
        int[] prompt = tokenizer.encode(PROMPT);
        try (LanguageModel model = Models.load(file)) {
            int[] ours = Logits.greedy(model, prompt, STEPS);
            ReferenceDecoder reference = f.reference(tensors, tokenizer.vocabulary().size(), prompt.length + STEPS);
            List<double[]> want = referenceLogits(reference, concat(prompt, ours), prompt.length);
            int[] referenceTokens = want.stream().mapToInt(ArchitectureConformanceTest::argmax).toArray();
            assertThat(ours).as("qwen3: Basalt's greedy tokens against the reference decoder's")
                    .containsExactly(referenceTokens);
            assertThat(Arrays.stream(ours).distinct().count()).as("distinct tokens generated").isGreaterThan(3);
            List<float[]> theirs = want.stream().map(ArchitectureConformanceTest::toFloats).toList();
            double worst = maxRelativeDifference(basaltLogits(model, concat(prompt, ours), prompt.length), theirs);
            System.out.printf("qwen3: %d greedy tokens equal to the reference decoder's (%d distinct), max relative"
                    + " logit difference %.3g%n", STEPS, Arrays.stream(ours).distinct().count(), worst);
            assertThat(worst).as("qwen3: max |Δlogit| / max |logit| against the reference decoder")
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE);

            LlamaCppOracle oracle;
            try {
                oracle = LlamaCppOracle.open(file);
            } catch (IllegalStateException e) {
                assertThat(e.getMessage()).as("why llama.cpp %s refuses qwen3", LlamaCppOracle.buildInfo())
                        .contains("unknown model architecture: 'qwen3'");
                System.out.printf("qwen3: NOT compared with llama.cpp: the bundled build %s has no qwen3 architecture%n",
                        LlamaCppOracle.buildInfo());
                return;
            }
            try (oracle) {
                LlamaCppOracle.Result expected = oracle.greedy(prompt, STEPS);
                assertThat(ours).as("qwen3: Basalt's greedy tokens against llama.cpp's").containsExactly(expected.tokens());
                List<float[]> cpp = new ArrayList<>();
                for (int n = prompt.length; n < prompt.length + STEPS; n++) {
                    cpp.add(oracle.logits(Arrays.copyOf(concat(prompt, ours), n)));
                }
                assertThat(maxRelativeDifference(basaltLogits(model, concat(prompt, ours), prompt.length), cpp))
                        .as("qwen3: max relative logit difference against llama.cpp").isLessThanOrEqualTo(RELATIVE_TOLERANCE);
            }
        }
    }

    /** Basalt's logits after each prefix {@code path[0, n)} with {@code first <= n < path.length}, in one pass. */
    private static List<float[]> basaltLogits(LanguageModel model, int[] path, int first) {
        InferenceState state = model.newState(path.length, KvType.F32);
        List<float[]> out = new ArrayList<>();
        for (int pos = 0; pos < path.length - 1; pos++) {
            float[] logits = model.forward(state, path[pos], pos, pos >= first - 1);
            if (pos >= first - 1) out.add(logits.clone());
        }
        return out;
    }

    /** The reference decoder's logits after the same prefixes as {@link #basaltLogits}. */
    private static List<double[]> referenceLogits(ReferenceDecoder reference, int[] path, int first) {
        List<double[]> out = new ArrayList<>();
        for (int pos = 0; pos < path.length - 1; pos++) {
            double[] logits = reference.forward(path[pos], pos);
            if (pos >= first - 1) out.add(logits);
        }
        return out;
    }

    /**
     * The largest |ours − theirs| over the vocabulary at each step divided by the largest |theirs| of that step,
     * maximised over the steps; the argmax must agree at every step. llama.cpp's logits of a step are those of the
     * whole prefix evaluated from an empty cache.
     */
    private static double maxRelativeDifference(List<?> ours, List<float[]> theirs) {
        assertThat(ours).as("steps compared").hasSameSizeAs(theirs);
        double worst = 0;
        for (int step = 0; step < theirs.size(); step++) {
            float[] want = theirs.get(step);
            double[] got = ours.get(step) instanceof float[] fl ? toDoubles(fl) : (double[]) ours.get(step);
            double diff = 0, scale = 0;
            for (int i = 0; i < want.length; i++) {
                diff = Math.max(diff, Math.abs(got[i] - want[i]));
                scale = Math.max(scale, Math.abs(want[i]));
            }
            assertThat(argmax(got)).as("step %d: argmax", step).isEqualTo(Logits.argmax(want));
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private static double[] toDoubles(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i];
        return out;
    }

    private static float[] toFloats(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) x[i];
        return out;
    }

    /** Hyper-parameters under {@code arch}'s keys, as llama.cpp's converter writes them, then the tokenizer and tensors. */
    private void write(Path file, Family f, String arch, List<Tensor> tensors) {
        int vocab = tokenizer.vocabulary().size();
        GgufMetadata.Builder m = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), arch)
                .putString(MetadataKey.GENERAL_NAME.key(), "random weights") // llama.cpp special-cases names with "phi3"
                .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), 0) // LLAMA_FTYPE_ALL_F32
                .putInt(MetadataKey.CONTEXT_LENGTH.of(arch), CONTEXT)
                .putInt(MetadataKey.EMBEDDING_LENGTH.of(arch), DIM)
                .putInt(MetadataKey.BLOCK_COUNT.of(arch), LAYERS)
                .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch), FFN)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch), HEADS)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch), KV_HEADS)
                .putFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(arch), f.epsilon())
                .putFloat(MetadataKey.ROPE_FREQ_BASE.of(arch), f.ropeBase())
                .putInt(MetadataKey.ROPE_DIMENSION_COUNT.of(arch), f.headDim())
                .putInt(MetadataKey.VOCAB_SIZE.of(arch), vocab);
        if (f.headDim() * HEADS != DIM) {
            m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch), f.headDim())
                    .putInt(MetadataKey.ATTENTION_VALUE_LENGTH.of(arch), f.headDim());
        }
        if (f.fused()) m.putInt(arch + ".attention.sliding_window", CONTEXT); // phi3: b4916 requires it; covers all
        if (f.ropeScaling().equals("linear")) {
            m.putString(arch + ".rope.scaling.type", "linear").putFloat(arch + ".rope.scaling.factor", LINEAR_FACTOR);
        }
        GgufWriter writer = new GgufWriter(tokenizer.putGgufMetadata(m).build());
        tensors.forEach(writer::addTensor);
        writer.write(file);
    }

    /**
     * Random weights with the family's names and GGML shapes ({@code {cols, rows}}): matrices N(0, 1/C) scaled so
     * logits spread over several units (no near-ties for argmax), norm weights near 1, biases of order 0.5.
     */
    private List<Tensor> randomWeights(Family f, SplittableRandom r) {
        int vocab = tokenizer.vocabulary().size();
        int qDim = HEADS * f.headDim(), kvDim = KV_HEADS * f.headDim();
        List<Tensor> t = new ArrayList<>();
        int eos = tokenizer.vocabulary().eos();
        // Small embeddings, so that the blocks (which see them RMS-normed) steer the residual stream, not the input
        // token: a tied random model would otherwise repeat its input. The end-of-text row is zero, and so is its
        // output row, so its logit (0) never wins and both engines decode all 64 steps.
        t.add(zeroRow(matrix(TensorKey.TOKEN_EMBD.weight(), DIM, vocab, 0.2, r), eos, DIM));
        for (int l = 0; l < LAYERS; l++) {
            t.add(norm(TensorKey.ATTN_NORM.weight(l), DIM, r));
            if (f.fused()) {
                t.add(matrix(TensorKey.ATTN_QKV.weight(l), DIM, qDim + 2 * kvDim, 2 / Math.sqrt(DIM), r));
            } else {
                t.add(matrix(TensorKey.ATTN_Q.weight(l), DIM, qDim, 2 / Math.sqrt(DIM), r));
                t.add(matrix(TensorKey.ATTN_K.weight(l), DIM, kvDim, 2 / Math.sqrt(DIM), r));
                t.add(matrix(TensorKey.ATTN_V.weight(l), DIM, kvDim, 1 / Math.sqrt(DIM), r));
            }
            if (f.bias()) {
                t.add(vector(TensorKey.ATTN_Q.bias(l), qDim, 0, 0.5, r));
                t.add(vector(TensorKey.ATTN_K.bias(l), kvDim, 0, 0.5, r));
                t.add(vector(TensorKey.ATTN_V.bias(l), kvDim, 0, 0.5, r));
            }
            if (f.qkNorm()) {
                t.add(norm(TensorKey.ATTN_Q_NORM.weight(l), f.headDim(), r));
                t.add(norm(TensorKey.ATTN_K_NORM.weight(l), f.headDim(), r));
            }
            t.add(matrix(TensorKey.ATTN_OUTPUT.weight(l), qDim, DIM, 1 / Math.sqrt(qDim), r));
            t.add(norm(TensorKey.FFN_NORM.weight(l), DIM, r));
            if (f.fused()) {
                t.add(matrix(TensorKey.FFN_UP.weight(l), DIM, 2 * FFN, 1 / Math.sqrt(DIM), r));
            } else {
                t.add(matrix(TensorKey.FFN_GATE.weight(l), DIM, FFN, 1 / Math.sqrt(DIM), r));
                t.add(matrix(TensorKey.FFN_UP.weight(l), DIM, FFN, 1 / Math.sqrt(DIM), r));
            }
            t.add(matrix(TensorKey.FFN_DOWN.weight(l), FFN, DIM, 1 / Math.sqrt(FFN), r));
        }
        t.add(vector(TensorKey.OUTPUT_NORM.weight(), DIM, f.tied() ? 8 : 1, 0.2, r));
        if (!f.tied()) t.add(zeroRow(matrix(TensorKey.OUTPUT.weight(), DIM, vocab, 0.5, r), eos, DIM));
        if (f.ropeScaling().equals("llama3")) {
            t.add(Tensor.ofFloats(TensorKey.ROPE_FREQS.weight(), llama3RopeFactors(f.headDim(), f.ropeBase()), f.headDim() / 2));
        }
        return t;
    }

    /**
     * Llama 3.1's RoPE frequency divisors as llama.cpp's {@code convert_hf_to_gguf.py} computes them
     * ({@link Llama3RopeScaling}) for {@code rope_type: llama3} (factor 8, low/high frequency factors 1 and 4), with an
     * original context of 32 tokens so that this small head has unscaled, smoothly scaled and fully scaled frequencies.
     * llama.cpp reads the divisors from the file: it checks how they are used, not how they are computed.
     */
    static float[] llama3RopeFactors(int headDim, float base) {
        return new Llama3RopeScaling(8f, 1f, 4f, 32).divisors(base, headDim);
    }

    private static Tensor matrix(String name, int cols, int rows, double std, SplittableRandom r) {
        float[] v = new float[cols * rows];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
        return Tensor.ofFloats(name, v, cols, rows);
    }

    private static Tensor zeroRow(Tensor matrix, int row, int cols) {
        float[] v = matrix.toFloatArray();
        Arrays.fill(v, row * cols, (row + 1) * cols, 0f);
        return Tensor.ofFloats(matrix.name(), v, matrix.dims());
    }

    private static Tensor norm(String name, int n, SplittableRandom r) {
        return vector(name, n, 1, 0.2, r);
    }

    private static Tensor vector(String name, int n, double mean, double std, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (mean + r.nextGaussian() * std);
        return Tensor.ofFloats(name, v, n);
    }
}
