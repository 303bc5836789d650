package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Qwen 2's tokenizer, read from GGUF metadata as llama.cpp's converter writes it ({@link ConvertedVocabularies}),
 * against llama.cpp's vectors for its {@code qwen2} vocabulary ({@code ggml-vocab-qwen2.gguf.inp/.out}).
 */
class Qwen2ConformanceTest {
    private static final String VECTORS = "ggml-vocab-qwen2.gguf";

    @Test
    void encodesEveryVectorLikeLlamaCpp() throws IOException {
        LlamaCppVectors.assertEncodesEveryCase(VECTORS, ConvertedVocabularies.qwen2(), 46);
    }

    @Test
    void decodesEveryVectorBackToItsInput() throws IOException {
        LlamaCppVectors.assertDecodesEveryCase(VECTORS, ConvertedVocabularies.qwen2());
    }

    @Test
    void readsQwen2sVocabularyWithLlamaCppsDefaults() {
        Tokenizer qwen = ConvertedVocabularies.qwen2();
        ByteLevelBpeTokenizer bpe = (ByteLevelBpeTokenizer) qwen;
        assertThat(bpe.preTokenizer()).isEqualTo(PreTokenizer.QWEN2);
        assertThat(bpe.ignoresMerges()).isFalse();
        assertThat(qwen.vocabulary().size()).isEqualTo(151_936);
        assertThat(qwen.vocabulary().addBos()).isFalse();
        assertThat(qwen.encode("3333", true, false)).containsExactly(18, 18, 18, 18);
    }

    /** Control tokens only when parsed; user-defined ones ({@code <think>}) always, as llama.cpp matches them. */
    @Test
    void matchesUserDefinedTokensEvenUnparsed() {
        Tokenizer qwen = ConvertedVocabularies.qwen2();
        assertThat(qwen.encode("<|im_start|>", false, true)).containsExactly(151_644);
        assertThat(qwen.encode("<|im_start|>", false, false)).doesNotContain(151_644);
        assertThat(qwen.encode("a<think>b", false, false)).containsExactly(64, 151_667, 65);
    }
}
