package ai.basalt.tensor;

/**
 * How rotary position embedding pairs up the dimensions of a head (ggml {@code GGML_ROPE_TYPE_*}).
 */
public enum RopeMode {
    /** Adjacent pairs (2i, 2i+1): the original Llama layout. */
    NORMAL,
    /** Split halves (i, i + n/2): GPT-NeoX, Qwen, Phi and most Hugging Face conversions. */
    NEOX
}
