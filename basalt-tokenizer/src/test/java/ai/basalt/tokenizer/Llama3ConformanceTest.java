package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Llama 3's tokenizer, read from GGUF metadata as llama.cpp's converter writes it ({@link ConvertedVocabularies}),
 * against llama.cpp's vectors for its {@code llama-bpe} vocabulary ({@code ggml-vocab-llama-bpe.gguf.inp/.out}).
 */
class Llama3ConformanceTest {
    private static final String VECTORS = "ggml-vocab-llama-bpe.gguf";

    @Test
    void encodesEveryVectorLikeLlamaCpp() throws IOException {
        LlamaCppVectors.assertEncodesEveryCase(VECTORS, ConvertedVocabularies.llama3(), 46);
    }

    @Test
    void decodesEveryVectorBackToItsInput() throws IOException {
        LlamaCppVectors.assertDecodesEveryCase(VECTORS, ConvertedVocabularies.llama3());
    }

    @Test
    void readsLlama3sVocabularyWithLlamaCppsDefaults() {
        Tokenizer llama3 = ConvertedVocabularies.llama3();
        assertThat(llama3).isInstanceOf(ByteLevelBpeTokenizer.class);
        ByteLevelBpeTokenizer bpe = (ByteLevelBpeTokenizer) llama3;
        assertThat(bpe.preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(bpe.ignoresMerges()).isTrue();
        assertThat(llama3.vocabulary().size()).isEqualTo(128_256);
        assertThat(llama3.vocabulary().bos()).isEqualTo(128_000);
        assertThat(llama3.encode("Hello world", true, false)).containsExactly(128_000, 9906, 1917);
    }

    /** Control tokens only when parsed; no user-defined tokens in Llama 3. */
    @Test
    void parsesControlTokensOnlyWhenAsked() {
        Tokenizer llama3 = ConvertedVocabularies.llama3();
        assertThat(llama3.encode("<|begin_of_text|>Hi", false, true)).containsExactly(128_000, 13347);
        assertThat(llama3.encode("<|begin_of_text|>Hi", false, false)).doesNotContain(128_000);
        assertThat(llama3.decode(new int[] {128_000, 13347}, false, true)).isEqualTo("<|begin_of_text|>Hi");
    }

    /** {@code ignore_merges}: a word that is a token is taken whole, though merging would not reach it. */
    @Test
    void takesAWordThatIsATokenWhole() {
        ByteLevelBpeTokenizer llama3 = (ByteLevelBpeTokenizer) ConvertedVocabularies.llama3();
        ByteLevelBpeTokenizer merging = new ByteLevelBpeTokenizer(llama3.vocabulary(), llama3.merges(),
                PreTokenizer.LLAMA3, false);
        assertThat(llama3.encode(" Việt", false, false)).containsExactly(101_798);
        assertThat(merging.encode(" Việt", false, false)).containsExactly(11_655, 26_298, 83);
    }
}
