package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufValueType;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each tokenizer written as GGUF metadata ({@link Tokenizer#putGgufMetadata}), into a real GGUF file, and read back
 * by {@link GgufTokenizers#load}: the same class, vocabulary and encodings.
 */
class GgufTokenizersRoundTripTest {
    private static final List<String> TEXTS = List.of("", "Hello world", " this is 🦙.cpp\n\n  ok", "3333 ½ Ελληνικά",
            "a<|endoftext|>b", "\t\u3000x\r\n");

    @TempDir
    Path temp;

    private Tokenizer roundTrip(Tokenizer tokenizer) {
        GgufMetadata metadata = tokenizer.putGgufMetadata(GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "test")).build();
        Path file = temp.resolve("tokenizer.gguf");
        new GgufWriter(metadata).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return GgufTokenizers.load(gguf);
        }
    }

    private static void assertSameEncodings(Tokenizer expected, Tokenizer actual, List<String> texts) {
        for (String text : texts) {
            for (boolean parseSpecial : new boolean[] {false, true}) {
                assertThat(actual.encode(text, true, parseSpecial)).as(text)
                        .isEqualTo(expected.encode(text, true, parseSpecial));
            }
        }
    }

    @Test
    void roundTripsATrainedByteLevelBpe() {
        ByteLevelBpeTokenizer trained = SmallByteLevelBpe.tokenizer();
        Tokenizer loaded = roundTrip(trained);
        assertThat(loaded).isInstanceOf(ByteLevelBpeTokenizer.class);
        assertThat(loaded.vocabulary()).isEqualTo(trained.vocabulary());
        assertThat(((ByteLevelBpeTokenizer) loaded).merges()).isEqualTo(trained.merges());
        assertSameEncodings(trained, loaded, TEXTS);
    }

    @Test
    void roundTripsGpt2() throws IOException {
        ByteLevelBpeTokenizer gpt2 = TestAssets.gpt2();
        Tokenizer loaded = roundTrip(gpt2);
        assertThat(loaded.vocabulary()).isEqualTo(gpt2.vocabulary());
        assertSameEncodings(gpt2, loaded, LlamaCppVectors.read("ggml-vocab-gpt-2.gguf").stream()
                .map(LlamaCppVectors.Case::input).toList());
    }

    /** GPT-2's vocabulary under SmolLM's pre-tokenizer: written as {@code smollm}, read back the same. */
    @Test
    void roundTripsTheSmolLmPreTokenizer() {
        ByteLevelBpeTokenizer gpt2 = TestAssets.gpt2();
        ByteLevelBpeTokenizer smol = new ByteLevelBpeTokenizer(gpt2.vocabulary(), gpt2.merges(), PreTokenizer.SMOLLM);
        GgufMetadata m = smol.putGgufMetadata(GgufMetadata.builder()).build();
        assertThat(m.getString("tokenizer.ggml.pre")).isEqualTo("smollm");
        ByteLevelBpeTokenizer loaded = (ByteLevelBpeTokenizer) roundTrip(smol);
        assertThat(loaded.preTokenizer()).isEqualTo(PreTokenizer.SMOLLM);
        assertSameEncodings(smol, loaded, List.of("version 1.2.3 of 2024", "x  42 \n1b"));
        assertThat(loaded.encode("a 123")).hasSize(5);
    }

    @Test
    void writesWhatLlamaCppReadsForGpt2() {
        GgufMetadata m = SmallByteLevelBpe.tokenizer().putGgufMetadata(GgufMetadata.builder()).build();
        assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("gpt2");
        assertThat(m.getString("tokenizer.ggml.pre")).isEqualTo("gpt-2");
        assertThat(m.getStringArray("tokenizer.ggml.merges")[0]).contains(" ");
        assertThat(m.getArray("tokenizer.ggml.token_type").elementType()).isEqualTo(GgufValueType.INT32);
        assertThat(m.type("tokenizer.ggml.bos_token_id")).isEqualTo(GgufValueType.UINT32);
        assertThat(m.contains("tokenizer.ggml.unknown_token_id")).isFalse();
    }

    @Test
    void roundTripsACharTokenizer() {
        CharTokenizer chars = CharTokenizer.fromCorpus("Hello world!\n\tÄ🦙");
        Tokenizer loaded = roundTrip(chars);
        assertThat(loaded).isEqualTo(chars);
        assertThat(loaded.vocabulary()).isEqualTo(chars.vocabulary());
        assertThat(loaded.vocabulary().eos()).isEqualTo(-1);
    }

    /** Without Basalt's marker, a character vocabulary is a SentencePiece one that tokenizes character by character. */
    @Test
    void storesCharactersAsASentencePieceVocabularyLlamaCppTokenizesByCharacter() {
        CharTokenizer chars = CharTokenizer.fromCorpus("Hello world!\n\tÄ🦙 ");
        GgufMetadata m = chars.putGgufMetadata(GgufMetadata.builder()).remove("tokenizer.ggml.pre").build();
        assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("llama");
        assertThat(m.getStringArray("tokenizer.ggml.tokens")).contains("▁").doesNotContain(" ");
        Tokenizer asSentencePiece = GgufTokenizers.load(m, "test");
        assertThat(asSentencePiece).isInstanceOf(SentencePieceBpeTokenizer.class);
        for (String text : List.of("Hello world!", " 🦙\tÄ\n", "  ")) {
            assertThat(asSentencePiece.encode(text)).as(text).isEqualTo(chars.encode(text));
            assertThat(asSentencePiece.decode(chars.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void refusesToWriteTheSentencePieceSpaceItself() {
        assertThatThrownBy(() -> CharTokenizer.fromCorpus("a▁b").putGgufMetadata(GgufMetadata.builder()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("U+2581");
    }

    @Test
    void roundTripsLlama2sSentencePiece() {
        Tokenizer llama = LlamaVocabulary.tokenizer();
        Tokenizer loaded = roundTrip(llama);
        assertThat(loaded).isInstanceOf(SentencePieceBpeTokenizer.class);
        assertThat(loaded.vocabulary()).isEqualTo(llama.vocabulary());
        assertSameEncodings(llama, loaded, TEXTS);
    }

    @Test
    void reportsWhatIsMissingOrUnsupported() {
        GgufMetadata bpe = SmallByteLevelBpe.tokenizer().putGgufMetadata(GgufMetadata.builder()).build();
        assertThatThrownBy(() -> GgufTokenizers.load(bpe.toBuilder().remove("tokenizer.ggml.merges").build(), "x.gguf"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage("x.gguf: tokenizer.ggml.merges is missing, expected for tokenizer model gpt2");
        assertThatThrownBy(() -> GgufTokenizers.load(bpe.toBuilder().putString("tokenizer.ggml.pre", "deepseek-llm").build(), "x.gguf"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage("x.gguf: tokenizer.ggml.pre is 'deepseek-llm', which is not supported yet"
                        + " (supported: [gpt-2, llama-bpe, qwen2, smollm])");
        assertThatThrownBy(() -> GgufTokenizers.load(bpe.toBuilder().remove("tokenizer.ggml.pre").build(), "x.gguf"))
                .hasMessageContaining("tokenizer.ggml.pre is missing");
        assertThatThrownBy(() -> GgufTokenizers.load(bpe.toBuilder()
                .putStringArray("tokenizer.ggml.merges", "Ġ t", "nomerge").build(), "x.gguf"))
                .hasMessage("x.gguf: tokenizer.ggml.merges[1]: merge 'nomerge' has no space between its two tokens");
        assertThatThrownBy(() -> GgufTokenizers.load(bpe.toBuilder().putString("tokenizer.ggml.model", "bert").build(), "x.gguf"))
                .hasMessageContaining("tokenizer model 'bert' is not supported yet (supported: llama, gpt2)");
    }

    @Test
    void defaultsAsLlamaCppDoesForGpt2() {
        GgufMetadata bpe = SmallByteLevelBpe.tokenizer().putGgufMetadata(GgufMetadata.builder()).build();
        Tokenizer t = GgufTokenizers.load(bpe.toBuilder().remove("tokenizer.ggml.bos_token_id")
                .remove("tokenizer.ggml.eos_token_id").remove("tokenizer.ggml.add_bos_token").build(), "x.gguf");
        assertThat(t.vocabulary().bos()).isEqualTo(11);
        assertThat(t.vocabulary().eos()).isEqualTo(11);
        assertThat(t.vocabulary().addBos()).isFalse();
        assertThat(t.vocabulary().addSpacePrefix()).isFalse();
    }

    /** llama.cpp sets add_bos and ignore_merges for {@code llama-bpe} and neither for {@code qwen2}. */
    @Test
    void defaultsAsLlamaCppDoesForLlama3AndQwen2() {
        GgufMetadata bpe = SmallByteLevelBpe.tokenizer().putGgufMetadata(GgufMetadata.builder()).build()
                .toBuilder().remove("tokenizer.ggml.add_bos_token").build();
        ByteLevelBpeTokenizer llama3 = (ByteLevelBpeTokenizer) GgufTokenizers.load(
                bpe.toBuilder().putString("tokenizer.ggml.pre", "llama-bpe").build(), "x.gguf");
        assertThat(llama3.preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(llama3.vocabulary().addBos()).isTrue();
        assertThat(llama3.ignoresMerges()).isTrue();
        ByteLevelBpeTokenizer qwen2 = (ByteLevelBpeTokenizer) GgufTokenizers.load(
                bpe.toBuilder().putString("tokenizer.ggml.pre", "qwen2").build(), "x.gguf");
        assertThat(qwen2.preTokenizer()).isEqualTo(PreTokenizer.QWEN2);
        assertThat(qwen2.vocabulary().addBos()).isFalse();
        assertThat(qwen2.ignoresMerges()).isFalse();
    }

    @Test
    void roundTripsLlama3AndQwen2() throws IOException {
        for (Tokenizer tokenizer : List.of(ConvertedVocabularies.llama3(), ConvertedVocabularies.qwen2())) {
            Tokenizer loaded = roundTrip(tokenizer);
            assertThat(loaded.vocabulary()).isEqualTo(tokenizer.vocabulary());
            assertThat(((ByteLevelBpeTokenizer) loaded).ignoresMerges())
                    .isEqualTo(((ByteLevelBpeTokenizer) tokenizer).ignoresMerges());
            assertSameEncodings(tokenizer, loaded, LlamaCppVectors.read("ggml-vocab-llama-bpe.gguf").stream()
                    .map(LlamaCppVectors.Case::input).toList());
        }
    }

    /** The {@code tokenizer.json} files read directly tokenize as the GGUF vocabularies converted from them. */
    @Test
    void readsLlama3AndQwenTokenizerJsonAsTheirGgufVocabularies() throws IOException {
        List<String> texts = LlamaCppVectors.read("ggml-vocab-qwen2.gguf").stream()
                .map(LlamaCppVectors.Case::input).toList();
        ByteLevelBpeTokenizer llama3 = Tokenizers.huggingFace(TestAssets.require(ConvertedVocabularies.LLAMA3_JSON));
        assertThat(llama3.preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(llama3.ignoresMerges()).isTrue();
        ByteLevelBpeTokenizer qwen = Tokenizers.huggingFace(TestAssets.require(ConvertedVocabularies.QWEN_JSON));
        assertThat(qwen.preTokenizer()).isEqualTo(PreTokenizer.QWEN2);
        for (String text : texts) {
            for (boolean parseSpecial : new boolean[] {false, true}) {
                assertThat(llama3.encode(text, false, parseSpecial))
                        .isEqualTo(ConvertedVocabularies.llama3().encode(text, false, parseSpecial));
                assertThat(qwen.encode(text, false, parseSpecial))
                        .isEqualTo(ConvertedVocabularies.qwen2().encode(text, false, parseSpecial));
            }
        }
    }
}
