package ai.basalt.format.gguf;

/**
 * GGUF tensor names (llama.cpp {@code llama-arch.cpp}, {@code LLM_TENSOR_NAMES}). Per-layer names carry
 * the block index: {@code TensorKey.ATTN_NORM.weight(3)} is {@code "blk.3.attn_norm.weight"}.
 */
public enum TensorKey {
    TOKEN_EMBD("token_embd", false),
    POSITION_EMBD("position_embd", false),
    OUTPUT_NORM("output_norm", false),
    OUTPUT("output", false),
    ROPE_FREQS("rope_freqs", false),
    ATTN_NORM("attn_norm", true),
    ATTN_QKV("attn_qkv", true),
    ATTN_Q("attn_q", true),
    ATTN_K("attn_k", true),
    ATTN_V("attn_v", true),
    ATTN_OUTPUT("attn_output", true),
    ATTN_Q_NORM("attn_q_norm", true),
    ATTN_K_NORM("attn_k_norm", true),
    FFN_NORM("ffn_norm", true),
    FFN_GATE("ffn_gate", true),
    FFN_UP("ffn_up", true),
    FFN_DOWN("ffn_down", true);

    private final String stem;
    private final boolean perLayer;

    TensorKey(String stem, boolean perLayer) {
        this.stem = stem;
        this.perLayer = perLayer;
    }

    public boolean perLayer() {
        return perLayer;
    }

    /** The bias of a model-wide tensor, e.g. {@code output_norm.bias}. */
    public String bias() {
        return name(-1, "bias");
    }

    /** The weight of a model-wide tensor, e.g. {@code token_embd.weight}. */
    public String weight() {
        return name(-1, "weight");
    }

    /** The weight of layer {@code layer}, e.g. {@code blk.3.attn_q.weight}. */
    public String weight(int layer) {
        return name(layer, "weight");
    }

    /** The bias of layer {@code layer}, e.g. {@code blk.3.attn_q.bias}. */
    public String bias(int layer) {
        return name(layer, "bias");
    }

    private String name(int layer, String suffix) {
        if (perLayer && layer < 0) throw new IllegalStateException(name() + " is per layer: pass the layer index");
        if (!perLayer && layer >= 0) throw new IllegalStateException(name() + " is not per layer");
        return (perLayer ? "blk." + layer + "." : "") + stem + "." + suffix;
    }
}
