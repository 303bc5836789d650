package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.testkit.ConformanceData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Basalt against llama.cpp itself on the same GGUF: greedy tokens identical, and the probability of each
 * of llama.cpp's top-10 tokens within 1e-4 of ours at every step with F32 KV caches on both sides, and within 3e-3
 * with F16 caches (both engines' default) on both sides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaCppConformanceTest {
    private static final int STEPS = 200;
    private static final double PROBABILITY_TOLERANCE = 1e-4;
    /**
     * With F16 caches, llama.cpp also rounds each query and each softmax weight to F16 before its products with the
     * cache (ggml's F16 dot products take both operands in F16), where Basalt keeps them in F32: over 200 steps the
     * top probabilities drift apart by up to 1.2e-3 on this model (greedy tokens stay identical).
     */
    private static final double HALF_CACHE_PROBABILITY_TOLERANCE = 3e-3;

    private LlamaCppOracle oracle;
    private LlamaCppOracle halfOracle;
    private LanguageModel model;

    @BeforeAll
    void open() {
        Path gguf = ConformanceData.require("models/stories260K/stories260K.gguf");
        oracle = LlamaCppOracle.open(gguf);
        halfOracle = LlamaCppOracle.open(gguf, new LlamaCppOracle.Options(0, 1, LlamaCppOracle.KvCache.F16));
        model = Models.load(gguf);
    }

    @AfterAll
    void close() {
        if (oracle != null) oracle.close();
        if (halfOracle != null) halfOracle.close();
        if (model != null) model.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Once upon a time", "The little dog", "Lily and Tom went", "One day, a big",
        "The sun was", "Tom had a red <s> ball"})
    void greedyTokensAndTopTenProbabilitiesMatchLlamaCpp(String prompt) {
        check(oracle, KvType.F32, prompt, PROBABILITY_TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Once upon a time", "The little dog", "Lily and Tom went", "One day, a big",
        "The sun was", "Tom had a red <s> ball"})
    void halfPrecisionCachesMatchToo(String prompt) {
        check(halfOracle, KvType.F16, prompt, HALF_CACHE_PROBABILITY_TOLERANCE);
    }

    private void check(LlamaCppOracle oracle, KvType kvType, String prompt, double tolerance) {
        Session session = new Session(model, model.contextLength(), kvType);
        int[] promptTokens = session.tokenize(prompt);
        LlamaCppOracle.Result expected = oracle.greedy(prompt, STEPS);
        assertThat(promptTokens).as("prompt tokens of '%s'", prompt).containsExactly(expected.promptTokens());

        InferenceState state = model.newState(model.contextLength(), kvType);
        float[] logits = null;
        for (int i = 0; i < promptTokens.length; i++) logits = model.forward(state, promptTokens[i], i, true);
        int position = promptTokens.length;
        List<Integer> ours = new ArrayList<>();
        for (int step = 0; step < expected.steps().size(); step++) {
            LlamaCppOracle.Step want = expected.steps().get(step);
            double[] probs = Logits.softmax(logits);
            int token = Logits.argmax(logits);
            assertThat(token).as("'%s' step %d: greedy token", prompt, step).isEqualTo(want.token());
            for (int k = 0; k < want.topIds().length; k++) {
                assertThat(probs[want.topIds()[k]])
                        .as("'%s' step %d: probability of top-%d token %d", prompt, step, k + 1, want.topIds()[k])
                        .isCloseTo(want.topProbs()[k], offset(tolerance));
            }
            if (token == model.tokenizer().vocabulary().eos()) break;
            ours.add(token);
            logits = model.forward(state, token, position++, true);
        }
        assertThat(ours.size()).as("steps compared").isGreaterThanOrEqualTo(Math.min(STEPS, 1));

        // The production path (Session with a temperature-0 sampler chain) gives the same tokens.
        GenerationResult result = session.generate(promptTokens, GenerationParams.greedy(STEPS), TokenListener.NONE);
        assertThat(result.tokens()).as("Session tokens for '%s'", prompt)
                .containsExactly(ours.stream().mapToInt(Integer::intValue).toArray());
    }
}
