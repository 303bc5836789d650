package ai.basalt.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.hf.RandomCheckpoint;
import ai.basalt.model.quantize.RandomLlama;
import ai.basalt.tensor.DType;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A prompt pushed through the layers as one batch ({@link LlamaModel#prefill}, matrix-matrix products) leaves the
 * model where running its tokens one at a time does: the same KV cache, so the same greedy continuation, and the
 * same logits up to the order of additions.
 */
class PrefillTest {
    private static final int PROMPT = 37;
    private static final int GENERATED = 12;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "mistral", "qwen2", "qwen3", "phi3", "llama-tied", "llama3-rope", "llama-linear-rope"})
    void familiesMatchTokenByToken(String family) {
        Path file = new RandomCheckpoint(RandomCheckpoint.of(family)).writeGguf(dir.resolve(family + ".gguf"));
        checkPrefill(file);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void storedTypesMatchTokenByToken(String type) {
        Path file = RandomLlama.wide().withMatrixType(DType.valueOf(type)).write(dir.resolve(type + ".gguf"));
        checkPrefill(file);
    }

    /**
     * The KV cache grows a page at a time as positions are written: a state that grew page by page gives what a
     * state filled in one prefill gives, across the page boundaries.
     */
    @Test
    void growingCacheKeepsWhatItHeld() {
        Path file = RandomLlama.wide().withContext(4 * ai.basalt.model.layers.KvCache.PAGE).write(dir.resolve("grow.gguf"));
        try (LanguageModel model = Models.load(file)) {
            int n = 2 * ai.basalt.model.layers.KvCache.PAGE + 37; // three pages
            int[] tokens = new SplittableRandom(3).ints(n, 0, model.vocabularySize()).toArray();
            InferenceState grown = model.newState(model.contextLength(), KvType.F32);
            float[] stepwise = null;
            for (int i = 0; i < n; i++) stepwise = model.forward(grown, tokens[i], i, i == n - 1);
            stepwise = stepwise.clone();
            InferenceState atOnce = model.newState(model.contextLength(), KvType.F32);
            float[] batched = model.prefill(atOnce, tokens, 0, true).clone();
            assertThat(gap(stepwise, batched)).isLessThan(1e-5);
            int a = argmax(stepwise);
            float[] next1 = model.forward(grown, a, n, true).clone();
            float[] next2 = model.forward(atOnce, a, n, true);
            assertThat(gap(next1, next2)).isLessThan(1e-5);
        }
    }

    @Test
    void rejectsWhatForwardRejects() {
        Path file = RandomLlama.narrow().write(dir.resolve("narrow.gguf"));
        try (LanguageModel model = Models.load(file)) {
            InferenceState s = model.newState(16, KvType.F32);
            assertThatThrownBy(() -> model.prefill(s, new int[20], 0, true)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside the context of 16");
            assertThatThrownBy(() -> model.prefill(s, new int[] {1, model.vocabularySize()}, 0, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> model.prefill(s, new int[0], 0, true)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void checkPrefill(Path file) {
        try (LanguageModel model = Models.load(file)) {
            int[] prompt = new SplittableRandom(7).ints(PROMPT, 0, model.vocabularySize()).toArray();
            int capacity = PROMPT + GENERATED + 1;

            InferenceState one = model.newState(capacity, KvType.F32);
            float[] expected = null;
            for (int i = 0; i < PROMPT; i++) expected = model.forward(one, prompt[i], i, i == PROMPT - 1);
            expected = expected.clone();
            int[] reference = continueGreedily(model, one, expected);

            InferenceState batched = model.newState(capacity, KvType.F32);
            float[] actual = model.prefill(batched, prompt, 0, true).clone();
            assertThat(gap(actual, expected)).as("logits after the prompt, relative to their largest").isLessThan(1e-5);
            assertThat(continueGreedily(model, batched, actual)).as("greedy continuation").containsExactly(reference);

            // in two calls, the second starting where the first stopped, as a chat's next turn does
            InferenceState split = model.newState(capacity, KvType.F32);
            assertThat(model.prefill(split, java.util.Arrays.copyOf(prompt, 9), 0, false)).isNull();
            float[] resumed = model.prefill(split, java.util.Arrays.copyOfRange(prompt, 9, PROMPT), 9, true).clone();
            assertThat(gap(resumed, expected)).isLessThan(1e-5);
            assertThat(continueGreedily(model, split, resumed)).containsExactly(reference);
        }
    }

    private static int[] continueGreedily(LanguageModel model, InferenceState s, float[] logits) {
        int[] out = new int[GENERATED];
        for (int i = 0; i < GENERATED; i++) {
            out[i] = argmax(logits);
            logits = model.forward(s, out[i], PROMPT + i, true);
        }
        return out;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private static double gap(float[] a, float[] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}
