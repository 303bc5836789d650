package ai.basalt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.model.hf.RandomCheckpoint;
import ai.basalt.model.quantize.GgufQuantizer;
import ai.basalt.model.quantize.QuantizeType;
import ai.basalt.model.quantize.RandomLlama;
import ai.basalt.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decode step of several sequences at once ({@link LanguageModel#forwardBatch}) gives every sequence exactly the
 * bits it gets alone: each sequence runs a fixed token stream, first alone (the reference logits at every position),
 * then again in fresh states through a random schedule of batch steps of random size (1 to all), order and membership,
 * some without logits, interleaved with single {@link LanguageModel#forward} steps, and finally alone to its end. F16
 * and F32 caches alternate across the sequences. The logits must match bit for bit at every position, so the caches
 * written by batch steps match too.
 */
class ForwardBatchTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "phi3", "gpt2"})
    void familiesMatchForwardBitForBit(String family) {
        Path file = new RandomCheckpoint(RandomCheckpoint.of(family)).writeGguf(dir.resolve(family + ".gguf"));
        check(file, 12, 40);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void storedTypesMatchForwardBitForBit(String type) {
        Path file = RandomLlama.wide().withMatrixType(DType.valueOf(type)).write(dir.resolve(type + ".gguf"));
        check(file, 16, 40);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void quantizedGpt2MatchesForwardBitForBit(String type) {
        Path f32 = new RandomCheckpoint(RandomCheckpoint.of("gpt2")).writeGguf(dir.resolve("gpt2.gguf"));
        Path file = dir.resolve("gpt2-" + type + ".gguf");
        GgufQuantizer.quantize(f32, file, QuantizeType.valueOf(type), (e, done, total) -> {});
        check(file, 9, 40);
    }

    @Test
    void refusesABadBatchBeforeRunningAny() {
        Path file = RandomLlama.narrow().write(dir.resolve("narrow.gguf"));
        try (LanguageModel model = Models.load(file)) {
            InferenceState a = model.newState(16, KvType.F32), b = model.newState(16, KvType.F32);
            assertThatThrownBy(() -> model.forwardBatch(new InferenceState[] {a, a}, new int[] {1, 2}, new int[] {0, 0}, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one state");
            assertThatThrownBy(() -> model.forwardBatch(new InferenceState[] {a, b}, new int[] {1}, new int[] {0, 0}, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 tokens");
            assertThatThrownBy(() -> model.forwardBatch(new InferenceState[] {a, b}, new int[] {1, 2}, new int[] {0, 16}, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the context of 16");
            assertThatThrownBy(() -> model.forwardBatch(new InferenceState[] {a, b}, new int[] {1, model.vocabularySize()},
                    new int[] {0, 0}, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
            assertThat(model.forwardBatch(new InferenceState[0], new int[0], new int[0], true)).isEmpty();

            // nothing ran before the refusals: a and b give at position 0 what a fresh state gives
            InferenceState fresh = model.newState(16, KvType.F32);
            float[] expected = model.forward(fresh, 5, 0, true).clone();
            float[][] logits = model.forwardBatch(new InferenceState[] {b, a}, new int[] {5, 5}, new int[] {0, 0}, true);
            assertThat(logits[0]).isEqualTo(expected);
            assertThat(logits[1]).isEqualTo(expected);
            assertThat(Arrays.asList(model.forwardBatch(new InferenceState[] {a, b}, new int[] {1, 2}, new int[] {1, 1}, false)))
                    .containsExactly(null, null);
        }
    }

    /** {@code sequences} token streams of up to {@code length} tokens, alone and then through random batches. */
    private static void check(Path file, int sequences, int length) {
        try (LanguageModel model = Models.load(file)) {
            Random rnd = new Random(file.getFileName().toString().hashCode());
            int[][] streams = new int[sequences][];
            for (int i = 0; i < sequences; i++) {
                streams[i] = rnd.ints(length / 2 + rnd.nextInt(length / 2 + 1), 0, model.vocabularySize()).toArray();
            }
            int[][][] reference = new int[sequences][][];
            for (int i = 0; i < sequences; i++) {
                InferenceState alone = model.newState(length, kvType(i));
                reference[i] = new int[streams[i].length][];
                for (int p = 0; p < streams[i].length; p++) reference[i][p] = bits(model.forward(alone, streams[i][p], p, true));
            }

            InferenceState[] states = new InferenceState[sequences];
            for (int i = 0; i < sequences; i++) states[i] = model.newState(length, kvType(i));
            int[] next = new int[sequences];
            int batchSteps = 0;
            for (int step = 0; step < 3 * length; step++) {
                List<Integer> live = new ArrayList<>();
                for (int i = 0; i < sequences; i++) if (next[i] < streams[i].length - 2) live.add(i);
                if (live.isEmpty()) break;
                Collections.shuffle(live, rnd);
                List<Integer> chosen = live.subList(0, 1 + rnd.nextInt(live.size()));
                boolean logits = rnd.nextInt(4) > 0;
                if (chosen.size() == 1 && rnd.nextBoolean()) {
                    int i = chosen.get(0);
                    float[] out = model.forward(states[i], streams[i][next[i]], next[i], logits);
                    if (logits) assertThat(bits(out)).as("sequence %d position %d alone", i, next[i]).isEqualTo(reference[i][next[i]]);
                    next[i]++;
                    continue;
                }
                InferenceState[] batch = new InferenceState[chosen.size()];
                int[] tokens = new int[chosen.size()], positions = new int[chosen.size()];
                for (int j = 0; j < chosen.size(); j++) {
                    int i = chosen.get(j);
                    batch[j] = states[i];
                    tokens[j] = streams[i][next[i]];
                    positions[j] = next[i];
                }
                float[][] out = model.forwardBatch(batch, tokens, positions, logits);
                assertThat(out.length).isEqualTo(chosen.size());
                for (int j = 0; j < chosen.size(); j++) {
                    int i = chosen.get(j);
                    if (logits) {
                        assertThat(bits(out[j])).as("sequence %d position %d in a batch of %d", i, next[i], chosen.size())
                                .isEqualTo(reference[i][next[i]]);
                    } else {
                        assertThat(out[j]).isNull();
                    }
                    next[i]++;
                }
                batchSteps++;
            }
            assertThat(batchSteps).as("batch steps run").isGreaterThan(length / 2);
            // each sequence on alone to its end: its cache holds what the batch steps wrote
            for (int i = 0; i < sequences; i++) {
                for (int p = next[i]; p < streams[i].length; p++) {
                    assertThat(bits(model.forward(states[i], streams[i][p], p, true))).as("sequence %d position %d after", i, p)
                            .isEqualTo(reference[i][p]);
                }
            }
        }
    }

    /** Caches alternate between F16 and F32 across the sequences. */
    static KvType kvType(int sequence) {
        return sequence % 2 == 0 ? KvType.F16 : KvType.F32;
    }

    /** The raw bits of each value: equal arrays mean bit-identical logits (NaNs and signed zeros included). */
    static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Float.floatToRawIntBits(values[i]);
        return bits;
    }
}
