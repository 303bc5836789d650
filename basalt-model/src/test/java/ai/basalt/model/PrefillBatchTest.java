package ai.basalt.model;

import static ai.basalt.model.ForwardBatchTest.bits;
import static ai.basalt.model.ForwardBatchTest.kvType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.model.hf.RandomCheckpoint;
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
 * Prompt pieces of several sequences at once ({@link LanguageModel#prefillBatch}) give every sequence exactly the bits
 * it gets alone. Each sequence's tokens are cut into pieces of random lengths (from one token, below the products'
 * batching threshold, to over a hundred, so that a batch's pieces overflow one prompt batch), first run alone
 * through {@link LanguageModel#prefill} (the reference logits after each piece), then in fresh states through a random
 * schedule of batches of random membership and order, some pieces without logits. Logits must match bit for bit after
 * every piece, and a last token run alone on each cache must too, so the caches the batches wrote match.
 */
class PrefillBatchTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "phi3", "gpt2"})
    void familiesMatchPrefillBitForBit(String family) {
        Path file = new RandomCheckpoint(RandomCheckpoint.of(family)).writeGguf(dir.resolve(family + ".gguf"));
        check(file, 10, 128, 100);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void storedTypesMatchPrefillBitForBit(String type) {
        Path file = RandomLlama.wide().withContext(160).withMatrixType(DType.valueOf(type)).write(dir.resolve(type + ".gguf"));
        check(file, 10, 160, 120);
    }

    /** Pieces longer than one prompt batch run alone beside the batched ones, and still match. */
    @Test
    void piecesLongerThanABatchMatch() {
        Path file = RandomLlama.narrow().withContext(700).write(dir.resolve("narrow.gguf"));
        check(file, 4, 700, 300);
    }

    @Test
    void refusesABadBatchBeforeRunningAny() {
        Path file = RandomLlama.narrow().write(dir.resolve("narrow.gguf"));
        try (LanguageModel model = Models.load(file)) {
            InferenceState a = model.newState(16, KvType.F32), b = model.newState(16, KvType.F32);
            int[] four = {1, 2, 3, 4};
            assertThatThrownBy(() -> model.prefillBatch(new InferenceState[] {a, a}, new int[][] {four, four}, new int[] {0, 0},
                    new boolean[] {true, true})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one state");
            assertThatThrownBy(() -> model.prefillBatch(new InferenceState[] {a, b}, new int[][] {four}, new int[] {0, 0},
                    new boolean[] {true, true})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 pieces");
            assertThatThrownBy(() -> model.prefillBatch(new InferenceState[] {a, b}, new int[][] {four, four}, new int[] {0, 13},
                    new boolean[] {true, true})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("piece 1").hasMessageContaining("outside the context of 16");
            assertThatThrownBy(() -> model.prefillBatch(new InferenceState[] {a, b}, new int[][] {four, {1, model.vocabularySize()}},
                    new int[] {0, 0}, new boolean[] {true, true})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside the vocabulary");
            assertThatThrownBy(() -> model.prefillBatch(new InferenceState[] {a, b}, new int[][] {four, {}}, new int[] {0, 0},
                    new boolean[] {true, true})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tokens of piece 1");
            assertThat(model.prefillBatch(new InferenceState[0], new int[0][], new int[0], new boolean[0])).isEmpty();

            // nothing ran before the refusals: a and b give after the piece what a fresh state gives
            float[] expected = model.prefill(model.newState(16, KvType.F32), four, 0, true).clone();
            float[][] logits = model.prefillBatch(new InferenceState[] {b, a}, new int[][] {four, four}, new int[] {0, 0},
                    new boolean[] {true, false});
            assertThat(logits[0]).isEqualTo(expected);
            assertThat(logits[1]).isNull();
        }
    }

    /** {@code sequences} token streams of up to {@code length} tokens, in pieces of up to {@code longest} tokens. */
    private static void check(Path file, int sequences, int length, int longest) {
        try (LanguageModel model = Models.load(file)) {
            Random rnd = new Random(file.getFileName().toString().hashCode() + length);
            int[][] streams = new int[sequences][];
            List<List<int[]>> pieces = new ArrayList<>();
            for (int i = 0; i < sequences; i++) {
                streams[i] = rnd.ints(length / 2 + rnd.nextInt(length / 2), 0, model.vocabularySize()).toArray();
                List<int[]> cut = new ArrayList<>();
                for (int at = 0; at < streams[i].length - 1; ) {
                    int n = Math.min(streams[i].length - 1 - at, rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 1 + rnd.nextInt(longest));
                    cut.add(Arrays.copyOfRange(streams[i], at, at + n));
                    at += n;
                }
                pieces.add(cut);
            }
            int[][][] reference = new int[sequences][][];
            int[][] last = new int[sequences][];
            for (int i = 0; i < sequences; i++) {
                InferenceState alone = model.newState(length, kvType(i));
                reference[i] = new int[pieces.get(i).size()][];
                int at = 0;
                for (int p = 0; p < pieces.get(i).size(); p++) {
                    int[] piece = pieces.get(i).get(p);
                    reference[i][p] = bits(model.prefill(alone, piece, at, true));
                    at += piece.length;
                }
                last[i] = bits(model.forward(alone, streams[i][at], at, true));
            }

            InferenceState[] states = new InferenceState[sequences];
            for (int i = 0; i < sequences; i++) states[i] = model.newState(length, kvType(i));
            int[] next = new int[sequences], at = new int[sequences];
            int batches = 0, longBatches = 0;
            while (true) {
                List<Integer> live = new ArrayList<>();
                for (int i = 0; i < sequences; i++) if (next[i] < pieces.get(i).size()) live.add(i);
                if (live.isEmpty()) break;
                Collections.shuffle(live, rnd);
                List<Integer> chosen = live.subList(0, Math.max(1, live.size() - rnd.nextInt(2)));
                InferenceState[] batch = new InferenceState[chosen.size()];
                int[][] tokens = new int[chosen.size()][];
                int[] starts = new int[chosen.size()];
                boolean[] logits = new boolean[chosen.size()];
                int total = 0;
                for (int j = 0; j < chosen.size(); j++) {
                    int i = chosen.get(j);
                    batch[j] = states[i];
                    tokens[j] = pieces.get(i).get(next[i]);
                    starts[j] = at[i];
                    logits[j] = rnd.nextInt(4) > 0;
                    total += tokens[j].length;
                }
                float[][] out = model.prefillBatch(batch, tokens, starts, logits);
                assertThat(out.length).isEqualTo(batch.length);
                for (int j = 0; j < chosen.size(); j++) {
                    int i = chosen.get(j);
                    if (logits[j]) {
                        assertThat(bits(out[j])).as("sequence %d piece %d (%d tokens at %d) in a batch of %d pieces, %d tokens", i,
                                next[i], tokens[j].length, starts[j], chosen.size(), total).isEqualTo(reference[i][next[i]]);
                    } else {
                        assertThat(out[j]).isNull();
                    }
                    at[i] += tokens[j].length;
                    next[i]++;
                }
                batches++;
                if (total > 256) longBatches++;
            }
            assertThat(batches).as("batches run").isPositive();
            assertThat(longBatches).as("batches over one prompt batch of tokens").isPositive();
            for (int i = 0; i < sequences; i++) {
                assertThat(bits(model.forward(states[i], streams[i][at[i]], at[i], true))).as("sequence %d's cache, a token after", i)
                        .isEqualTo(last[i]);
            }
        }
    }
}
