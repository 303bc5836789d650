package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Phi-3's tokenizer, a SentencePiece vocabulary read from GGUF metadata as llama.cpp's converter writes it
 * ({@link ConvertedVocabularies}), against llama.cpp's vectors for its {@code phi-3} vocabulary
 * ({@code ggml-vocab-phi-3.gguf.inp/.out}).
 */
class Phi3ConformanceTest {
    private static final String VECTORS = "ggml-vocab-phi-3.gguf";

    @Test
    void encodesEveryVectorLikeLlamaCpp() throws IOException {
        LlamaCppVectors.assertEncodesEveryCase(VECTORS, ConvertedVocabularies.phi3(), 46);
    }

    @Test
    void decodesEveryVectorBackToItsInput() throws IOException {
        LlamaCppVectors.assertDecodesEveryCase(VECTORS, ConvertedVocabularies.phi3());
    }

    @Test
    void readsPhi3sVocabularyWithLlamaCppsDefaults() {
        Tokenizer phi3 = ConvertedVocabularies.phi3();
        assertThat(phi3).isInstanceOf(SentencePieceBpeTokenizer.class);
        Vocabulary v = phi3.vocabulary();
        assertThat(v.size()).isEqualTo(32_064);
        assertThat(v.bos()).isEqualTo(1);
        assertThat(v.eos()).isEqualTo(32_000);
        assertThat(v.addBos()).isTrue();
        assertThat(v.addSpacePrefix()).isTrue();
        assertThat(phi3.encode("Hello world", true, false)).containsExactly(1, 15043, 3186);
    }

    /**
     * Phi-3's chat tokens are control tokens: taken only when parsed, rendered only when unparsed. As in llama.cpp's
     * {@code detokenize}, only the first token loses its leading space, even when it renders as nothing.
     */
    @Test
    void parsesChatTokensOnlyWhenAsked() {
        Tokenizer phi3 = ConvertedVocabularies.phi3();
        assertThat(phi3.encode("<|user|>\nHi<|end|>", false, true)).startsWith(32_010).endsWith(32_007)
                .doesNotContain(32_000);
        assertThat(phi3.encode("<|user|>", false, false)).doesNotContain(32_010);
        assertThat(phi3.decode(new int[] {32_010, 29871, 13}, false, true)).isEqualTo("<|user|> \n");
        assertThat(phi3.decode(new int[] {32_010, 6324}, false, false)).isEqualTo(" Hi");
    }
}
