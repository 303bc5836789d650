package ai.basalt.generate.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.testkit.llamacpp.LlamaCppOracle.KvCache;
import ai.basalt.testkit.llamacpp.LlamaCppOracle.Options;
import ai.basalt.testkit.llamacpp.LlamaCppOracle.Result;
import ai.basalt.testkit.llamacpp.LlamaCppOracle.Step;
import ai.basalt.testkit.ConformanceData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Sanity checks of the llama.cpp reference ({@link LlamaCppOracle}) on stories260K: the native library loads,
 * greedy decoding reproduces llama.cpp's known story, the reported probabilities are a full-vocabulary softmax of
 * the raw logits, and the text agrees with the binding's own high-level API.
 */
class LlamaCppOracleTest {
    private static final String MODEL = "models/stories260K/stories260K.gguf";
    private static final List<String> PROMPTS =
            List.of("Once upon a time", "The little dog", "Lily and Tom went", "One day, a big", "The sun was");

    private static LlamaCppOracle oracle;

    /** The shared oracle; skips (fails where data is required) without the model, fails without the library. */
    private static synchronized LlamaCppOracle oracle() {
        Path model = ConformanceData.require(MODEL);
        requireNativeLibrary();
        if (oracle == null) oracle = LlamaCppOracle.open(model);
        return oracle;
    }

    private static void requireNativeLibrary() {
        try {
            LlamaCppOracle.loadNativeLibrary();
        } catch (IllegalStateException e) {
            System.err.println("FAILED: llama.cpp (de.kherud:llama) native library did not load: " + e.getMessage());
            e.printStackTrace();
            fail("llama.cpp native library did not load: " + e.getMessage(), e);
        }
    }

    @AfterAll
    static void closeOracle() {
        if (oracle != null) {
            oracle.close();
            oracle = null;
        }
    }

    @Test
    void nativeLibraryLoads() {
        requireNativeLibrary();
        String info = LlamaCppOracle.systemInfo();
        System.out.println("llama.cpp " + LlamaCppOracle.buildInfo() + " from de.kherud:llama 4.2.0: " + info.strip());
        assertThat(info).contains("CPU");
        // The documented semantics (tokenization, sampler and softmax code paths) were read for this build.
        assertThat(LlamaCppOracle.buildInfo()).isEqualTo("b4916 (c6af2161)");
    }

    @Test
    void tokenizesPromptsLikeLlamaCppServer() {
        LlamaCppOracle o = oracle();
        assertThat(o.vocabSize()).isEqualTo(512);
        assertThat(o.contextSize()).isEqualTo(512);
        assertThat(o.addsBos()).isTrue();
        // BOS first, and SentencePiece's space prefix: "Once" is "▁Once" (403); " Once" gains a lone "▁" (410).
        assertThat(o.tokenize("Once upon a time")).containsExactly(1, 403, 407, 261, 378);
        assertThat(o.tokenize("Once")).containsExactly(1, 403);
        assertThat(o.tokenize(" Once")).containsExactly(1, 410, 403);
        assertThat(o.tokenize("")).containsExactly(1);
        assertThat(o.tokenize("Once upon a time", false, true)).containsExactly(403, 407, 261, 378);
        assertThat(o.piece(403)).isEqualTo(" Once");
        assertThat(o.piece(1)).isEmpty();
        assertThat(o.pieceBytes(13)).containsExactly((byte) '\n'); // byte token <0x0A>
    }

    @Test
    void greedyFromBosTellsTheLilyStory() {
        LlamaCppOracle o = oracle();
        Result r = o.greedy("", 40);
        assertThat(r.promptTokens()).containsExactly(o.bos());
        String text = o.detokenize(r.tokens());
        System.out.println("greedy from BOS: " + text.replace("\n", "\\n"));
        System.out.println("step 0: " + r.steps().getFirst());
        assertThat(text).startsWith(" Once upon a time, there was a little girl named Lily.");
        assertThat(o.greedy(new int[] {o.bos()}, 40).tokens()).containsExactly(r.tokens());
        checkSteps(o, r);
    }

    @Test
    void probabilitiesAreTheSoftmaxOfTheFullVocabularyOfRawLogits() {
        LlamaCppOracle o = oracle();
        Result r = o.greedy("Lily and Tom went", 12);
        int[] context = r.promptTokens();
        for (Step step : r.steps()) {
            float[] logits = o.logits(context);
            assertThat(logits).hasSize(o.vocabSize());
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) max = Math.max(max, l);
            double sum = 0;
            for (float l : logits) sum += Math.exp(l - max);
            for (int k = 0; k < step.topIds().length; k++) {
                double expected = Math.exp(logits[step.topIds()[k]] - max) / sum;
                assertThat((double) step.topProbs()[k]).as("p(%d)", step.topIds()[k]).isCloseTo(expected,
                        org.assertj.core.data.Offset.offset(2e-6));
            }
            context = Arrays.copyOf(context, context.length + 1);
            context[context.length - 1] = step.token();
        }
    }

    @Test
    void fivePromptsAgreeWithTheBindingsOwnGreedyCompletion() {
        LlamaCppOracle o = oracle();
        for (String prompt : PROMPTS) {
            long t0 = System.nanoTime();
            Result r = o.greedy(prompt, 64);
            long t1 = System.nanoTime();
            String text = o.detokenize(r.tokens());
            System.out.printf("%-20s %s -> %d tokens in %.0f ms: %s%n", '"' + prompt + '"',
                    Arrays.toString(r.promptTokens()), r.steps().size(), (t1 - t0) / 1e6, text.replace("\n", "\\n"));
            assertThat(r.promptTokens()[0]).isEqualTo(o.bos());
            assertThat(r.steps()).isNotEmpty();
            checkSteps(o, r);
            assertThat(text).isEqualTo(o.serverGreedyText(prompt, r.steps().size()));
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrRepetition() {
        Path model = ConformanceData.require(MODEL);
        requireNativeLibrary();
        LlamaCppOracle o = oracle();
        try (LlamaCppOracle two = LlamaCppOracle.open(model, new Options(512, 2, KvCache.F32))) {
            int[] prompt = o.tokenize("The sun was");
            assertThat(two.logits(prompt)).containsExactly(o.logits(prompt));
            Result a = o.greedy(prompt, 32);
            Result b = two.greedy(prompt, 32);
            Result c = o.greedy(prompt, 32);
            assertThat(b.tokens()).containsExactly(a.tokens());
            assertThat(c.tokens()).containsExactly(a.tokens());
            for (int i = 0; i < a.steps().size(); i++) {
                assertThat(b.steps().get(i).topProbs()).containsExactly(a.steps().get(i).topProbs());
            }
        }
    }

    /** Every step: ten distinct ids, probabilities sorted, in (0,1], summing to at most 1, greedy = top-1. */
    private static void checkSteps(LlamaCppOracle o, Result r) {
        for (int i = 0; i < r.steps().size(); i++) {
            Step s = r.steps().get(i);
            String at = "step " + i + ": " + s;
            assertThat(s.topIds()).as(at).hasSize(LlamaCppOracle.TOP_K).doesNotHaveDuplicates();
            assertThat(s.topProbs()).as(at).hasSize(LlamaCppOracle.TOP_K);
            double sum = 0;
            for (int k = 0; k < s.topProbs().length; k++) {
                float p = s.topProbs()[k];
                assertThat(s.topIds()[k]).as(at).isBetween(0, o.vocabSize() - 1);
                assertThat(p).as(at).isGreaterThan(0f).isLessThanOrEqualTo(1f);
                if (k > 0) assertThat(p).as(at).isLessThanOrEqualTo(s.topProbs()[k - 1]);
                sum += p;
            }
            assertThat(sum).as(at).isLessThanOrEqualTo(1 + 1e-6);
            assertThat(s.topProbs()[0]).as(at + " (not a one-hot post-sampling distribution)")
                    .isGreaterThan(s.topProbs()[LlamaCppOracle.TOP_K - 1]).isLessThan(1f);
            assertThat(s.token()).as(at).isEqualTo(s.topIds()[0]);
            assertThat(s.piece()).as(at).isEqualTo(o.piece(s.token()));
        }
        Step last = r.steps().getLast();
        if (o.isEndOfGeneration(last.token())) assertThat(last.piece()).isEmpty();
    }
}
