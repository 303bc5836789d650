package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.DType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The llama.cpp parity matrix: the architectures Basalt runs that llama.cpp b4916 (the library in
 * {@code de.kherud:llama}) runs too, each as a small random-weight model with the family's real conventions and real
 * tokenizer ({@link ParityFamily}), written by Basalt with its matrices in F32, F16, Q8_0, Q4_0, Q4_K and Q6_K (mistral
 * runs in llama.cpp under the name {@code llama}, b4916 having no {@code mistral}); and a variant of the llama
 * architecture (Llama 3's tokenizer, {@code rope_freqs} and tied output) in F32 and one quantized type, its
 * differences being independent of the stored type. llama.cpp decodes
 * {@value #STEPS} greedy tokens after the same prompt (tokenized alike by both engines, which the test checks) and
 * keeps its raw logits at every step; Basalt is fed llama.cpp's path (teacher-forced) and compared step by step, so
 * "argmax equal at every step" is "the same greedy tokens". The relative gap of a step is max |Δlogit| over the
 * vocabulary divided by the step's largest |logit| (llama.cpp's). Qwen3, which b4916 lacks, is compared with PyTorch
 * instead ({@link Qwen3PyTorchParityTest}).
 *
 * <h2>Two comparisons per cell</h2>
 * <ul>
 *   <li><b>Direct</b>: Basalt's engine ({@link Models#load}), activations in F32. In F32 llama.cpp rounds nothing but
 *       GPT-2's GELU (an F16 table), and the requirements are those of the issue: logits within
 *       {@value #RELATIVE_TOLERANCE} of the largest, and (GPT-2 aside) llama.cpp's token at every step. In the other
 *       types ggml's CPU backend rounds every activation vector before a product with a stored matrix (to F16 for F16
 *       weights, to Q8_0 blocks for Q8_0/Q4_0, to Q8_K blocks for the k-quants), which moves llama.cpp's logits by
 *       up to a few hundredths of the largest and flips near ties; a Basalt that keeps F32 activations cannot give
 *       llama.cpp's logits there, so its gap is only bounded by {@value #DIRECT_BOUND} (a wrongly decoded block gives
 *       order 1) and its agreement reported.</li>
 *   <li><b>Oracle</b>, required in every cell: {@link GgmlDecoder}, Basalt's kernels over its own dequantization of
 *       every block with ggml's roundings ({@link GgmlRoundingOps}), must give llama.cpp's token at every step and
 *       logits within {@value #RELATIVE_TOLERANCE}; so the direct gap is the activation rounding and nothing else.
 *       llama.cpp records the F32 input of every product it computes ({@link LlamaCppOracle.Options#recordProducts});
 *       the oracle's own inputs must stay within {@value #INPUT_TOLERANCE} of them, and where the two round apart
 *       (a value at a rounding boundary whose last bits differ between the engines: the "knife edges" below) the
 *       oracle takes llama.cpp's rounding. Without that, one such coin toss in a run moves later logits by up to
 *       3·10⁻² through the KV cache.</li>
 * </ul>
 *
 * <p>Measured on the 2-core development VM (x86-64 with AVX-512; max relative logit gap over 64 steps, steps whose
 * argmax is llama.cpp's token, and the smallest top-1/top-2 margin of llama.cpp's logits, relative to the largest):
 * <pre>
 *   family  type  direct gap  argmax | oracle gap  argmax  knife edges | margin
 *   llama   F32   3.4e-6      64/64  | 3.4e-6      64/64   0           | 2.3e-3
 *   llama   F16   4.1e-3      64/64  | 3.1e-7      64/64   59          | 2.6e-3
 *   llama   Q8_0  9.5e-2      63/64  | 2.2e-7      64/64   1           | 6.4e-4
 *   llama   Q4_0  7.1e-2      63/64  | 2.3e-7      64/64   2           | 4.5e-3
 *   llama   Q4_K  1.1e-1      58/64  | 6.0e-7      64/64   1           | 5.1e-3
 *   llama   Q6_K  1.4e-1      62/64  | 4.2e-7      64/64   2           | 2.9e-3
 *   qwen2   F32   3.4e-6      64/64  | 3.4e-6      64/64   0           | 6.6e-3
 *   qwen2   F16   2.5e-3      64/64  | 2.2e-7      64/64   64          | 1.3e-2
 *   qwen2   Q8_0  7.3e-2      62/64  | 3.4e-7      64/64   1           | 4.6e-3
 *   qwen2   Q4_0  4.6e-2      61/64  | 2.0e-7      64/64   1           | 4.5e-3
 *   qwen2   Q4_K  6.1e-2      64/64  | 4.8e-7      64/64   2           | 7.2e-3
 *   qwen2   Q6_K  1.1e-1      62/64  | 3.9e-7      64/64   1           | 9.8e-4
 *   phi3    F32   2.6e-6      64/64  | 2.6e-6      64/64   0           | 1.6e-3
 *   phi3    F16   6.3e-3      64/64  | 3.2e-7      64/64   58          | 2.3e-3
 *   phi3    Q8_0  6.0e-2      63/64  | 3.0e-7      64/64   1           | 3.6e-3
 *   phi3    Q4_0  5.5e-2      64/64  | 2.1e-7      64/64   0           | 3.8e-3
 *   phi3    Q4_K  1.1e-1      58/64  | 5.5e-7      64/64   1           | 1.9e-3
 *   phi3    Q6_K  1.8e-1      61/64  | 4.3e-7      64/64   0           | 9.4e-4
 *   gpt2    F32   5.5e-4      64/64  | 1.8e-6      64/64   54 (GELU)   | 4.4e-3
 *   gpt2    F16   3.2e-3      64/64  | 2.1e-7      64/64   48          | 1.7e-3
 *   gpt2    Q8_0  3.0e-2      62/64  | 2.1e-7      64/64   15          | 4.5e-3
 *   gpt2    Q4_0  5.9e-2      63/64  | 2.8e-7      64/64   17          | 2.8e-4
 *   gpt2    Q4_K  6.4e-2      63/64  | 6.5e-7      64/64   76          | 6.9e-3
 *   gpt2    Q6_K  5.8e-2      62/64  | 5.7e-7      64/64   76          | 3.0e-4
 *   mistral F32   2.9e-6      64/64  | 2.9e-6      64/64   0           | 2.0e-3
 *   mistral F16   4.6e-3      64/64  | 2.7e-7      64/64   66          | 1.2e-3
 *   mistral Q8_0  1.4e-1      61/64  | 2.3e-7      64/64   0           | 6.0e-4
 *   mistral Q4_0  1.2e-1      62/64  | 2.0e-7      64/64   1           | 2.0e-3
 *   mistral Q4_K  1.1e-1      61/64  | 5.6e-7      64/64   0           | 1.3e-3
 *   mistral Q6_K  8.8e-2      60/64  | 4.4e-7      64/64   0           | 3.9e-3
 *   llama3  F32   2.3e-6      64/64  | 2.3e-6      64/64   0           | 1.4e-4
 *   llama3  Q8_0  6.0e-2      59/64  | 2.6e-7      64/64   1           | 2.3e-3
 * </pre>
 * The oracle's inputs stayed within 6.7e-6 of llama.cpp's (1.2e-5 for GPT-2, whose GELU knife edges the oracle also
 * resolves from the recorded input of {@code ffn_down}). The smallest margin, 1.4e-4, is 40 times the largest gap that
 * must keep the argmax (3.4e-6), which is what {@link ParityFamily}'s favoured output rows are for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaCppParityTest {
    static final int STEPS = 64;
    static final double RELATIVE_TOLERANCE = 1e-3;
    static final double DIRECT_BOUND = 0.3;
    static final double INPUT_TOLERANCE = 1e-4;
    static final String PROMPT = "The quick brown fox jumps over the lazy dog";
    static final List<DType> TYPES = List.of(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K);
    /** The architectures llama.cpp b4916 runs, in every type. */
    static final List<ParityFamily> ARCHITECTURES = List.of(ParityFamily.LLAMA, ParityFamily.MISTRAL, ParityFamily.QWEN2,
            ParityFamily.PHI3, ParityFamily.GPT2);
    /**
     * A variant of the llama architecture whose conventions (Llama 3's tokenizer, {@code rope_freqs} and tied output)
     * do not depend on the stored type: in F32 and one quantized type.
     */
    static final List<Object[]> VARIANTS = List.of(new Object[] {ParityFamily.LLAMA3, DType.F32},
            new Object[] {ParityFamily.LLAMA3, DType.Q8_0});

    @TempDir
    Path dir;

    Stream<Arguments> cells() {
        return Stream.concat(ParityFamily.cells(ARCHITECTURES, TYPES).stream(), VARIANTS.stream()).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void basaltMatchesLlamaCpp(ParityFamily family, DType type) {
        long started = System.nanoTime();
        Path file = dir.resolve(family.label() + "-" + type + ".gguf");
        long seed = (family.label() + type).hashCode();
        family.write(file, type, family.arch, seed);
        Path oracleFile = file;
        if (!family.oracleArch.equals(family.arch)) {
            oracleFile = dir.resolve(family.label() + "-" + type + "-as-" + family.oracleArch + ".gguf");
            family.write(oracleFile, type, family.oracleArch, seed);
        }
        Comparison c;
        try (LlamaCppOracle llamaCpp = LlamaCppOracle.open(oracleFile, new LlamaCppOracle.Options(0, THREADS,
                LlamaCppOracle.KvCache.F32, true)); LanguageModel model = Models.load(file)) {
            assertThat(model.architecture()).isEqualTo(family.arch);
            int[] prompt = model.tokenizer().encode(PROMPT, true, true);
            assertThat(llamaCpp.tokenize(PROMPT)).as("llama.cpp's tokens of the prompt").containsExactly(prompt);
            c = compare(file, model, llamaCpp.greedyTrace(prompt, STEPS));
        }
        String label = family.label() + " " + type;
        System.out.printf("%-12s %-5s direct %.2e %2d/%d | oracle %.2e %2d/%d, inputs %.1e, knife edges %d | margin %.1e,"
                + " %d distinct | %.1f s%n", family.label(), type, c.directGap(), c.directAgree(), STEPS, c.oracleGap(),
                c.oracleAgree(), STEPS, c.inputGap(), c.knifeEdges(), c.margin(), c.distinct(),
                (System.nanoTime() - started) / 1e9);
        assertThat(c.distinct()).as("%s: distinct tokens llama.cpp generated", label).isGreaterThan(3);
        assertThat(c.oracleAgree()).as("%s: steps where the rounding oracle's argmax is llama.cpp's token", label)
                .isEqualTo(STEPS);
        assertThat(c.oracleGap()).as("%s: rounding oracle, max relative logit gap", label)
                .isLessThanOrEqualTo(RELATIVE_TOLERANCE);
        assertThat(c.inputGap()).as("%s: the oracle's product inputs against llama.cpp's", label).isLessThanOrEqualTo(INPUT_TOLERANCE);
        if (type == DType.F32) {
            assertThat(c.directGap()).as("%s: Basalt, max relative logit gap", label).isLessThanOrEqualTo(RELATIVE_TOLERANCE);
        }
        if (type == DType.F32 && !family.gpt2()) {
            assertThat(c.directAgree()).as("%s: steps where Basalt's argmax is llama.cpp's token", label).isEqualTo(STEPS);
        } else {
            assertThat(c.directGap()).as("%s: Basalt, max relative logit gap", label).isLessThanOrEqualTo(DIRECT_BOUND);
        }
    }

    static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /**
     * One cell's figures.
     *
     * @param directGap Basalt against llama.cpp, max relative logit gap
     * @param directAgree steps where Basalt's argmax is llama.cpp's token
     * @param oracleGap the rounding oracle against llama.cpp
     * @param oracleAgree steps where the oracle's argmax is llama.cpp's token
     * @param distinct distinct tokens in llama.cpp's run
     */
    record Comparison(double directGap, int directAgree, double oracleGap, int oracleAgree, double inputGap,
            int knifeEdges, double margin, long distinct) {}

    /** Basalt and the rounding oracle along llama.cpp's greedy path, step by step against its logits. */
    static Comparison compare(Path file, LanguageModel model, LlamaCppOracle.Trace trace) {
        int[] path = trace.path();
        int first = trace.promptTokens().length - 1;
        InferenceState state = model.newState(path.length, KvType.F32);
        double directGap = 0, oracleGap = 0, margin = Double.POSITIVE_INFINITY;
        int directAgree = 0, oracleAgree = 0;
        try (GgmlDecoder oracle = new GgmlDecoder(file, path.length)) {
            GgmlRoundingOps ops = oracle.ops();
            for (int pos = 0; pos < path.length - 1; pos++) {
                float[] ours = model.forward(state, path[pos], pos, pos >= first);
                ops.follow(trace.productInputs().get(pos));
                float[] rounded = oracle.forward(path[pos], pos, pos >= first);
                if (pos < first) continue;
                float[] theirs = trace.logits().get(pos - first);
                int token = trace.tokens()[pos - first];
                directGap = Math.max(directGap, relativeGap(ours, theirs));
                oracleGap = Math.max(oracleGap, relativeGap(rounded, theirs));
                if (Logits.argmax(ours) == token) directAgree++;
                if (Logits.argmax(rounded) == token) oracleAgree++;
                margin = Math.min(margin, margin(theirs));
            }
            return new Comparison(directGap, directAgree, oracleGap, oracleAgree, ops.worstInputGap(), ops.knifeEdges(),
                    margin, Arrays.stream(trace.tokens()).distinct().count());
        }
    }

    /** (largest − second largest logit) / max |logit|: how far the step's argmax is from a tie. */
    static double margin(float[] logits) {
        float first = Float.NEGATIVE_INFINITY, second = Float.NEGATIVE_INFINITY, scale = 0;
        for (float l : logits) {
            if (l > first) {
                second = first;
                first = l;
            } else if (l > second) {
                second = l;
            }
            scale = Math.max(scale, Math.abs(l));
        }
        return (first - second) / scale;
    }

    /** max |ours − theirs| / max |theirs|. */
    static double relativeGap(float[] ours, float[] theirs) {
        assertThat(ours).as("logits").hasSameSizeAs(theirs);
        double diff = 0, scale = 0;
        for (int i = 0; i < theirs.length; i++) {
            diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));
            scale = Math.max(scale, Math.abs(theirs[i]));
        }
        return diff / scale;
    }
}
