package ai.basalt.format.gguf;

/**
 * GGUF metadata keys Basalt reads or writes (ggml {@code docs/gguf.md}, llama.cpp {@code llama-arch.cpp}).
 * Keys under an architecture's namespace carry a {@code %s} for the architecture name: use
 * {@link #of(String)}; the others use {@link #key()}.
 */
public enum MetadataKey {
    GENERAL_ARCHITECTURE("general.architecture"),
    GENERAL_NAME("general.name"),
    GENERAL_ALIGNMENT("general.alignment"),
    GENERAL_FILE_TYPE("general.file_type"),
    GENERAL_QUANTIZATION_VERSION("general.quantization_version"),

    VOCAB_SIZE("%s.vocab_size"),
    CONTEXT_LENGTH("%s.context_length"),
    EMBEDDING_LENGTH("%s.embedding_length"),
    BLOCK_COUNT("%s.block_count"),
    FEED_FORWARD_LENGTH("%s.feed_forward_length"),
    ATTENTION_HEAD_COUNT("%s.attention.head_count"),
    ATTENTION_HEAD_COUNT_KV("%s.attention.head_count_kv"),
    ATTENTION_KEY_LENGTH("%s.attention.key_length"),
    ATTENTION_VALUE_LENGTH("%s.attention.value_length"),
    ATTENTION_LAYER_NORM_EPSILON("%s.attention.layer_norm_epsilon"),
    ATTENTION_LAYER_NORM_RMS_EPSILON("%s.attention.layer_norm_rms_epsilon"),
    ROPE_DIMENSION_COUNT("%s.rope.dimension_count"),
    ROPE_FREQ_BASE("%s.rope.freq_base"),

    TOKENIZER_MODEL("tokenizer.ggml.model"),
    TOKENIZER_PRE("tokenizer.ggml.pre"),
    TOKENIZER_TOKENS("tokenizer.ggml.tokens"),
    TOKENIZER_SCORES("tokenizer.ggml.scores"),
    TOKENIZER_TOKEN_TYPE("tokenizer.ggml.token_type"),
    TOKENIZER_MERGES("tokenizer.ggml.merges"),
    TOKENIZER_BOS_ID("tokenizer.ggml.bos_token_id"),
    TOKENIZER_EOS_ID("tokenizer.ggml.eos_token_id"),
    TOKENIZER_UNKNOWN_ID("tokenizer.ggml.unknown_token_id"),
    TOKENIZER_PADDING_ID("tokenizer.ggml.padding_token_id"),
    TOKENIZER_SEPARATOR_ID("tokenizer.ggml.seperator_token_id"),
    TOKENIZER_ADD_BOS("tokenizer.ggml.add_bos_token"),
    TOKENIZER_ADD_EOS("tokenizer.ggml.add_eos_token"),
    TOKENIZER_ADD_SPACE_PREFIX("tokenizer.ggml.add_space_prefix"),
    TOKENIZER_CHAT_TEMPLATE("tokenizer.chat_template"),

    ROPE_SCALING_TYPE("%s.rope.scaling.type"),
    ROPE_SCALING_FACTOR("%s.rope.scaling.factor"),
    ROPE_SCALING_ORIGINAL_CONTEXT_LENGTH("%s.rope.scaling.original_context_length"),
    ATTENTION_SLIDING_WINDOW("%s.attention.sliding_window");

    private final String pattern;

    MetadataKey(String pattern) {
        this.pattern = pattern;
    }

    /** Whether the key lives under an architecture's namespace. */
    public boolean perArchitecture() {
        return pattern.contains("%s");
    }

    /** The key of a general (architecture-independent) entry. */
    public String key() {
        if (perArchitecture()) throw new IllegalStateException(name() + " needs an architecture: use of(arch)");
        return pattern;
    }

    /** The key of this entry for architecture {@code arch} (e.g. {@code llama.context_length}). */
    public String of(String arch) {
        return perArchitecture() ? pattern.formatted(arch) : pattern;
    }
}
