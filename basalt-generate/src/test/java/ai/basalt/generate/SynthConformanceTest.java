package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.synth.SynthPreset;
import ai.basalt.model.synth.SynthType;
import ai.basalt.model.synth.SyntheticModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Models written by {@link SyntheticModel} (the library behind {@code basalt synth}), cut to one or two layers, load
 * in llama.cpp and in Basalt: both tokenize a prompt alike through the synthetic vocabulary, give finite logits, and
 * in F32 pick the same greedy tokens.
 */
class SynthConformanceTest {
    private static final String PROMPT = "hello world, the quick brown fox";
    private static final int STEPS = 8;

    @TempDir
    static Path dir;

    @Test
    void f32GreedyTokensAreLlamaCpps() {
        Path file = dir.resolve("smollm-f32.gguf");
        SyntheticModel.plan(SynthPreset.SMOLLM_135M, SynthType.F32, 2).write(file, 1, (e, done, total) -> {});
        try (LlamaCppOracle oracle = open(file); LanguageModel model = Models.load(file)) {
            int[] prompt = model.tokenizer().encode(PROMPT, true, false);
            assertThat(prompt).containsExactly(oracle.tokenize(PROMPT, true, false));
            int[] theirs = oracle.greedy(prompt, STEPS).tokens();
            assertThat(theirs).hasSize(STEPS);
            assertThat(Logits.greedy(model, prompt, STEPS)).containsExactly(theirs);
            float[] logits = forwardAll(model, prompt);
            assertThat(LlamaCppParityTest.relativeGap(logits, oracle.logits(prompt))).isLessThan(1e-4);
        }
    }

    @ParameterizedTest
    @CsvSource({"SMOLLM_135M, Q8_0, 2", "SMOLLM_135M, Q4_K_M, 2", "QWEN2_5_0_5B, Q8_0, 1", "LLAMA_3_2_1B, Q4_0, 1"})
    void quantizedModelsLoadInBoth(SynthPreset preset, SynthType type, int layers) {
        Path file = dir.resolve(preset.presetName() + "-" + type + ".gguf");
        SyntheticModel.plan(preset, type, layers).write(file, 2, (e, done, total) -> {});
        try (LlamaCppOracle oracle = open(file); LanguageModel model = Models.load(file)) {
            assertThat(oracle.vocabSize()).isEqualTo(preset.config().vocabularySize());
            int[] prompt = model.tokenizer().encode(PROMPT, true, false);
            assertThat(prompt).containsExactly(oracle.tokenize(PROMPT, true, false));
            assertThat(prompt.length).isLessThan(PROMPT.length() * 2 / 3); // multi-letter tokens, not bytes
            float[] theirs = oracle.logits(prompt);
            float[] ours = forwardAll(model, prompt);
            for (float[] l : new float[][] {theirs, ours}) {
                assertThat(l).hasSize(preset.config().vocabularySize());
                for (float v : l) assertThat(Float.isFinite(v)).isTrue();
            }
            double gap = LlamaCppParityTest.relativeGap(ours, theirs);
            System.out.printf("%s %s: relative logit gap %.2e%n", preset.presetName(), type, gap);
            assertThat(gap).isLessThan(0.1);
        }
    }

    private static LlamaCppOracle open(Path file) {
        return LlamaCppOracle.open(file, new LlamaCppOracle.Options(256, LlamaCppParityTest.THREADS,
                LlamaCppOracle.KvCache.F32));
    }

    private static float[] forwardAll(LanguageModel model, int[] prompt) {
        InferenceState state = model.newState(prompt.length, KvType.F32);
        float[] logits = null;
        for (int pos = 0; pos < prompt.length; pos++) logits = model.forward(state, prompt[pos], pos, pos == prompt.length - 1);
        return logits;
    }

}
