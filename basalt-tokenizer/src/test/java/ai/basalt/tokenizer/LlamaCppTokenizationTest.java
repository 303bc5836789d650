package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.tensor.DType;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Basalt writes as GGUF tokenizer metadata, read by llama.cpp itself (the library bundled in
 * {@code de.kherud:llama}, test scope): each tokenizer is put into a tiny GPT-2 model of zero weights, llama.cpp
 * loads it and tokenizes ({@code LlamaModel.encode}: {@code add_special = false, parse_special = true}), and its
 * ids must equal Basalt's. This is the check that models Basalt trains keep their tokenizer in llama.cpp.
 *
 * <p>Texts are drawn from pieces chosen to hit every branch of the GPT-2 pattern (contractions, digit runs, the
 * whitespace lookahead, non-ASCII spaces, combining marks, emoji, special tokens) rather than from any code point,
 * since llama.cpp's Unicode tables and the JDK's may disagree on characters added in recent Unicode versions.
 */
class LlamaCppTokenizationTest {
    private static final String[] PIECES = {"a", "b", "the", " ", "  ", "\n", "\n\n", "\t", "é", "🦙", "日本",
        "'s", "'ll", "'T", "123", "4", "!!", ".", "\u0000", "\u3000", "\u00A0", "\u2028", "x", "<|endoftext|>",
        "e\u0301", "Привет", "\r\n"};

    @TempDir
    Path temp;

    @Test
    void llamaCppTokenizesATrainedByteLevelBpeAsBasaltDoes() {
        assertLlamaCppAgrees(SmallByteLevelBpe.tokenizer(), texts(SmallByteLevelBpe.tokenizer()));
    }

    @Test
    void llamaCppTokenizesGpt2AsBasaltDoes() throws IOException {
        List<String> texts = texts(TestAssets.gpt2());
        LlamaCppVectors.read("ggml-vocab-gpt-2.gguf").forEach(c -> texts.add(c.input()));
        assertLlamaCppAgrees(TestAssets.gpt2(), texts);
    }

    /**
     * Llama 3, Qwen 2 and Phi-3 as llama.cpp's converter writes them ({@link ConvertedVocabularies}), written again
     * by Basalt ({@link Tokenizer#putGgufMetadata}), on the random texts, the vectors and texts dense in what
     * their patterns treat apart (contractions in either case, digit runs, line breaks after symbols).
     */
    @Test
    void llamaCppTokenizesLlama3Qwen2AndPhi3AsBasaltDoes() throws IOException {
        String[] extra = {"'RE", "'Ll", "12345", "٣٤", "!!\n", ").\r\n", " \n\n ", "\t(", "<|user|>", "<think>"};
        for (String vectors : List.of("llama-bpe", "qwen2", "phi-3")) {
            Tokenizer tokenizer = switch (vectors) {
                case "llama-bpe" -> ConvertedVocabularies.llama3();
                case "qwen2" -> ConvertedVocabularies.qwen2();
                default -> ConvertedVocabularies.phi3();
            };
            List<String> texts = texts(tokenizer);
            LlamaCppVectors.read("ggml-vocab-" + vectors + ".gguf").forEach(c -> texts.add(c.input()));
            SplittableRandom r = RandomInputs.random("LlamaCppTokenizationTest." + vectors);
            for (int i = 0; i < 500; i++) {
                StringBuilder text = new StringBuilder();
                for (int n = r.nextInt(1, 16); n > 0; n--) {
                    text.append(r.nextBoolean() ? extra[r.nextInt(extra.length)] : PIECES[r.nextInt(PIECES.length)]);
                }
                texts.add(text.toString());
            }
            assertLlamaCppAgrees(tokenizer, texts);
        }
    }

    /**
     * U+0000 is left out: llama.cpp reads GGUF strings as C strings, so a token holding U+0000 becomes
     * {@code [EMPTY_i]} there, and llama.cpp aborts on meeting the character ({@link CharTokenizer#putGgufMetadata}).
     */
    @Test
    void llamaCppTokenizesACharacterVocabularyCharacterByCharacter() {
        CharTokenizer chars = CharTokenizer.fromCorpus(String.join("", PIECES).replace("\u0000", "") + "Hello world! HELLO WORLD");
        assertLlamaCppAgrees(chars, texts(chars));
    }

    /**
     * Fixed and random texts, all of which {@code tokenizer} can encode: llama.cpp aborts the process on a character
     * its vocabulary lacks (an uncaught {@code std::out_of_range}), where Basalt's character tokenizer throws.
     */
    private static List<String> texts(Tokenizer tokenizer) {
        List<String> texts = new ArrayList<>(List.of("", "Hello world", " Hello World!", "  a  \n\n b\t\tx  "));
        SplittableRandom r = RandomInputs.random("LlamaCppTokenizationTest");
        while (texts.size() < 1500) {
            StringBuilder text = new StringBuilder();
            for (int n = r.nextInt(1, 24); n > 0; n--) text.append(PIECES[r.nextInt(PIECES.length)]);
            texts.add(text.toString());
        }
        if (tokenizer instanceof CharTokenizer chars && chars.id(0) < 0) {
            texts.replaceAll(text -> text.replace("\u0000", ""));
        }
        texts.forEach(text -> tokenizer.encode(text, false, true)); // throws, rather than crash llama.cpp
        return texts;
    }

    private void assertLlamaCppAgrees(Tokenizer tokenizer, List<String> texts) {
        Path gguf = tinyGpt2(tokenizer);
        try (LlamaModel llama = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setCtxSize(64)
                .skipWarmup().disableLog())) {
            RandomInputs.forAll("LlamaCppTokenizationTest." + tokenizer.getClass().getSimpleName(), texts, 0,
                    r -> "", text -> assertThat(llama.encode(text)).isEqualTo(tokenizer.encode(text, false, true)));
        }
    }

    /** A GPT-2 model of one block and width 8, all weights zero, carrying {@code tokenizer}'s metadata. */
    private Path tinyGpt2(Tokenizer tokenizer) {
        int vocab = tokenizer.vocabulary().size();
        int width = 8;
        int context = 64;
        int hidden = 16;
        GgufMetadata.Builder metadata = GgufMetadata.builder()
                .putString("general.architecture", "gpt2")
                .putInt("gpt2.context_length", context)
                .putInt("gpt2.embedding_length", width)
                .putInt("gpt2.feed_forward_length", hidden)
                .putInt("gpt2.block_count", 1)
                .putInt("gpt2.attention.head_count", 2)
                .putFloat("gpt2.attention.layer_norm_epsilon", 1e-5f);
        GgufWriter writer = new GgufWriter(tokenizer.putGgufMetadata(metadata).build());
        zeros(writer, "token_embd.weight", width, vocab);
        zeros(writer, "position_embd.weight", width, context);
        zeros(writer, "output_norm.weight", width);
        zeros(writer, "output_norm.bias", width);
        zeros(writer, "output.weight", width, vocab);
        zeros(writer, "blk.0.attn_norm.weight", width);
        zeros(writer, "blk.0.attn_norm.bias", width);
        zeros(writer, "blk.0.attn_qkv.weight", width, 3 * width);
        zeros(writer, "blk.0.attn_qkv.bias", 3 * width);
        zeros(writer, "blk.0.attn_output.weight", width, width);
        zeros(writer, "blk.0.attn_output.bias", width);
        zeros(writer, "blk.0.ffn_norm.weight", width);
        zeros(writer, "blk.0.ffn_norm.bias", width);
        zeros(writer, "blk.0.ffn_up.weight", width, hidden);
        zeros(writer, "blk.0.ffn_up.bias", hidden);
        zeros(writer, "blk.0.ffn_down.weight", hidden, width);
        zeros(writer, "blk.0.ffn_down.bias", width);
        Path file = temp.resolve(tokenizer.getClass().getSimpleName() + "-" + vocab + ".gguf");
        writer.write(file);
        return file;
    }

    private static void zeros(GgufWriter writer, String name, long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        writer.addTensor(name, DType.F32, dims, new byte[Math.toIntExact(4 * n)]);
    }
}
