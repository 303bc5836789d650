package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.testkit.ConformanceData;
import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LanguageModel#embed} against llama.cpp's mean pooling on the same GGUF and the same token ids
 * ({@link LlamaCppOracle#meanPooledEmbedding}): llama.cpp b4916 runs the tokens as one batch with
 * {@code embeddings = true} and every token an output, and its per-token final hidden states after the output norm
 * ({@code llama_get_embeddings_ith}, what its MEAN pooling averages) are averaged, BOS included; both sides use F32
 * KV caches. (b4916's own {@code LLAMA_POOLING_TYPE_MEAN} context aborts the process in
 * {@code llama_init_from_model}, llama.cpp issue #12517; see the oracle.) llama.cpp does not normalize its pooled
 * vector, so it is scaled to unit length here before comparing (Basalt's already is, which is checked).
 *
 * <p>Two llama-family models: the built-in basalt-mini (byte-level BPE, width 192, context 256) and stories260K from
 * the shared data folder (SentencePiece, width 64, context 512; skipped when the folder is absent). stories260K's
 * context is longer than Basalt's prefill batch (256 tokens), so a text of more than 256 tokens is pooled over two
 * of Basalt's batches while llama.cpp takes it as one.
 *
 * <p>Tolerance: the two engines compute the same F32 graph with different summation orders (SIMD lane sums in the
 * matrix products and norms), which leaves float rounding of order 1e-7 relative per operation; through 5-6
 * layers and the average this measured at most 2.4e-7 per component of the unit vectors (printed by each check),
 * whose components are of order 1/sqrt(width) (0.07-0.13). {@value #COMPONENT_TOLERANCE} per component leaves a
 * 40x margin for other CPUs' vector widths, yet any real difference in what is pooled moves components by far more:
 * {@link #theToleranceSeparatesPoolingChoices} shows that leaving out BOS, or taking the last token only, misses by
 * more than 100x the tolerance. The cosine must exceed {@value #MIN_COSINE} (measured: 1 - cosine below 1e-12).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingOracleTest {
    private static final double COMPONENT_TOLERANCE = 1e-5;
    private static final double MIN_COSINE = 0.9999;

    private static final String LONG_PARAGRAPH = "Once upon a time, there was a little girl named Lily. She loved to"
            + " play outside in the park with her friends. One day, she saw a big red ball under a tree. She ran to the"
            + " ball and picked it up. Then a small dog came and barked at her. Lily was scared at first, but the dog"
            + " wagged its tail and wanted to play. They played with the ball all day long, and when the sun went down"
            + " Lily said goodbye to the dog and went home to her mom, who made her a warm bowl of soup.";

    private static final String[] TEXTS = {"Hi", "The little dog ran to the park.", LONG_PARAGRAPH,
        LONG_PARAGRAPH + " " + LONG_PARAGRAPH};

    private LanguageModel mini;
    private LlamaCppOracle miniOracle;
    private LanguageModel stories;
    private LlamaCppOracle storiesOracle;

    private LanguageModel mini() {
        if (mini == null) {
            Path file = Path.of("..", "models", "basalt-mini", "basalt-mini.gguf");
            assertThat(file).as("the built-in model in the source tree").isRegularFile();
            mini = Models.load(file);
            miniOracle = LlamaCppOracle.open(file);
        }
        return mini;
    }

    private LanguageModel stories() {
        if (stories == null) {
            Path file = ConformanceData.require("models/stories260K/stories260K.gguf");
            stories = Models.load(file);
            storiesOracle = LlamaCppOracle.open(file);
        }
        return stories;
    }

    @AfterAll
    void close() {
        if (miniOracle != null) miniOracle.close();
        if (mini != null) mini.close();
        if (storiesOracle != null) storiesOracle.close();
        if (stories != null) stories.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void basaltMiniMatchesLlamaCpp(int text) {
        LanguageModel model = mini();
        check("basalt-mini", model, miniOracle, model.tokenizer().encode(TEXTS[text], true, true));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void stories260KMatchesLlamaCpp(int text) {
        LanguageModel model = stories();
        int[] tokens = model.tokenizer().encode(TEXTS[text], true, true);
        if (text == 3) {
            assertThat(tokens.length).as("the long text spans two of Basalt's 256-token prefill batches")
                    .isGreaterThan(256).isLessThanOrEqualTo(model.contextLength());
        }
        check("stories260K", model, storiesOracle, tokens);
    }

    /** The whole context at once: the longest input either side accepts. */
    @Test
    void aFullContextMatchesLlamaCpp() {
        LanguageModel model = mini();
        int[] tokens = repeatedTo(model, model.contextLength());
        assertThat(miniOracle.contextSize()).isEqualTo(model.contextLength());
        check("basalt-mini", model, miniOracle, tokens);
    }

    @Test
    void theSameTokensAsLlamaCppTokenizes() {
        LanguageModel model = mini();
        for (String text : Arrays.copyOf(TEXTS, 3)) {
            assertThat(model.tokenizer().encode(text, true, true)).as(text)
                    .containsExactly(miniOracle.tokenize(text));
        }
    }

    @Test
    void differentTextsGiveDifferentVectors() {
        LanguageModel model = mini();
        List<float[]> vectors = new ArrayList<>();
        for (String text : TEXTS) {
            int[] tokens = model.tokenizer().encode(text, true, true);
            if (tokens.length > model.contextLength()) continue;
            vectors.add(model.embed(tokens));
        }
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(3);
        for (int i = 0; i < vectors.size(); i++) {
            for (int j = i + 1; j < vectors.size(); j++) {
                double cos = cosine(vectors.get(i), vectors.get(j));
                double diff = maxAbsDiff(vectors.get(i), vectors.get(j));
                System.out.printf("basalt-mini texts %d vs %d: cosine %.6f, max |diff| %.3e%n", i, j, cos, diff);
                assertThat(cos).as("cosine of texts %d and %d", i, j).isLessThan(MIN_COSINE);
                assertThat(diff).as("max |diff| of texts %d and %d", i, j).isGreaterThan(100 * COMPONENT_TOLERANCE);
            }
        }
    }

    /**
     * The comparison can tell the pooling choices apart: averaging llama.cpp's states without BOS, or taking the
     * last token's state alone, lands more than 100x {@value #COMPONENT_TOLERANCE} away from Basalt's embedding.
     */
    @Test
    void theToleranceSeparatesPoolingChoices() {
        LanguageModel model = mini();
        int[] tokens = model.tokenizer().encode(TEXTS[1], true, true);
        float[] ours = model.embed(tokens);
        float[][] states = miniOracle.tokenEmbeddings(tokens);
        assertThat(states).hasNumberOfRows(tokens.length);
        float[] withoutBos = new float[ours.length];
        for (int i = 1; i < states.length; i++) {
            for (int d = 0; d < ours.length; d++) withoutBos[d] += states[i][d];
        }
        double noBos = maxAbsDiff(ours, unit(withoutBos));
        double last = maxAbsDiff(ours, unit(states[states.length - 1]));
        System.out.printf("basalt-mini, %d tokens: max |diff| to llama.cpp's mean without BOS %.3e, to the last token %.3e%n",
                tokens.length, noBos, last);
        assertThat(noBos).isGreaterThan(100 * COMPONENT_TOLERANCE);
        assertThat(last).isGreaterThan(100 * COMPONENT_TOLERANCE);
    }

    @Test
    void noTokensOrMoreThanTheContextAreRejected() {
        LanguageModel model = mini();
        int[] over = repeatedTo(model, model.contextLength() + 1);
        assertThatThrownBy(() -> model.embed(new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.embed(over)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(model.contextLength()));
        assertThatThrownBy(() -> miniOracle.meanPooledEmbedding(new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> miniOracle.meanPooledEmbedding(over)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void check(String name, LanguageModel model, LlamaCppOracle oracle, int[] tokens) {
        float[] ours = model.embed(tokens);
        float[] raw = oracle.meanPooledEmbedding(tokens);
        float[] theirs = unit(raw);
        double cos = cosine(ours, theirs);
        double diff = maxAbsDiff(ours, theirs);
        System.out.printf("%s, %d tokens: llama.cpp raw norm %.6f, 1 - cosine %.3e, max |diff| %.3e%n",
                name, tokens.length, norm(raw), 1 - cos, diff);
        assertThat(ours).hasSize(raw.length);
        assertThat(norm(ours)).as("Basalt's embedding has unit length").isCloseTo(1.0, offset(1e-5));
        assertThat(cos).as("cosine with llama.cpp").isGreaterThan(MIN_COSINE);
        for (int d = 0; d < ours.length; d++) {
            assertThat((double) ours[d]).as("%s component %d of %d tokens", name, d, tokens.length)
                    .isCloseTo(theirs[d], offset(COMPONENT_TOLERANCE));
        }
    }

    /** BOS and then the long paragraph's tokens, repeated, to exactly {@code length} tokens. */
    private static int[] repeatedTo(LanguageModel model, int length) {
        int[] paragraph = model.tokenizer().encode(LONG_PARAGRAPH, false, true);
        int[] first = model.tokenizer().encode(LONG_PARAGRAPH, true, true);
        int[] tokens = new int[length];
        int n = Math.min(first.length, length);
        System.arraycopy(first, 0, tokens, 0, n);
        for (int i = n; i < length; i++) tokens[i] = paragraph[(i - n) % paragraph.length];
        return tokens;
    }

    private static float[] unit(float[] v) {
        double n = norm(v);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / n);
        return out;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += (double) a[i] * b[i];
        return dot / (norm(a) * norm(b));
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
