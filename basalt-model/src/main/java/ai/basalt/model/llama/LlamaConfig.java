package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;
import ai.basalt.tensor.RopeMode;
import java.util.Set;

/**
 * Hyper-parameters of a Llama-family model. {@link #fromGguf} is the one place that maps GGUF metadata
 * keys to fields, and {@link #putGgufMetadata} its mirror that writes them.
 *
 * @param embeddingLength model width C
 * @param feedForwardLength hidden width of the SwiGLU MLP
 * @param blockCount number of transformer blocks
 * @param headCount query heads
 * @param headCountKv key/value heads (grouped-query attention when fewer than query heads)
 * @param headDim width of one head
 * @param vocabularySize V
 * @param contextLength the trained context length
 * @param rmsEpsilon RMSNorm epsilon
 * @param ropeFreqBase RoPE base frequency θ
 * @param ropeDimensions how many of a head's dimensions are rotated
 * @param ropeMode how rotated dimensions are paired: adjacent pairs (llama, mistral) or halves (qwen2, qwen3, phi3)
 * @param ropeFreqScale linear RoPE scaling: every angle is multiplied by it ({@code 1 / rope.scaling.factor})
 * @param attentionBias whether the query, key and value projections have biases (qwen2)
 * @param qkNorm whether queries and keys get a per-head RMSNorm before RoPE (qwen3)
 * @param fusedQkv whether Q, K and V are one stacked projection {@code attn_qkv} (phi3)
 * @param fusedGateUp whether the MLP's gate and up projections are one stacked {@code ffn_up}, gate rows first (phi3)
 */
public record LlamaConfig(
        int embeddingLength,
        int feedForwardLength,
        int blockCount,
        int headCount,
        int headCountKv,
        int headDim,
        int vocabularySize,
        int contextLength,
        float rmsEpsilon,
        float ropeFreqBase,
        int ropeDimensions,
        RopeMode ropeMode,
        float ropeFreqScale,
        boolean attentionBias,
        boolean qkNorm,
        boolean fusedQkv,
        boolean fusedGateUp) {

    /** {@code rope.scaling.type} values; llama.cpp's {@code llama_rope_scaling_type} names. */
    private static final Set<String> SCALING_SUPPORTED = Set.of("none", "linear");
    private static final Set<String> SCALING_UNSUPPORTED = Set.of("yarn", "longrope");

    /** A plain Llama: no linear RoPE scaling, separate Q/K/V and gate/up projections, no biases, no Q/K norm. */
    public LlamaConfig(int embeddingLength, int feedForwardLength, int blockCount, int headCount, int headCountKv,
            int headDim, int vocabularySize, int contextLength, float rmsEpsilon, float ropeFreqBase,
            int ropeDimensions, RopeMode ropeMode) {
        this(embeddingLength, feedForwardLength, blockCount, headCount, headCountKv, headDim, vocabularySize,
                contextLength, rmsEpsilon, ropeFreqBase, ropeDimensions, ropeMode, 1f, false, false, false, false);
    }

    public LlamaConfig {
        require(embeddingLength > 0, "embedding_length must be positive, got " + embeddingLength);
        require(feedForwardLength > 0, "feed_forward_length must be positive, got " + feedForwardLength);
        require(blockCount > 0, "block_count must be positive, got " + blockCount);
        require(headCount > 0, "attention.head_count must be positive, got " + headCount);
        require(headCountKv > 0 && headCount % headCountKv == 0,
                "attention.head_count " + headCount + " must be a multiple of attention.head_count_kv " + headCountKv);
        require(headDim > 0, "head dimension must be positive, got " + headDim);
        require(vocabularySize > 0, "vocabulary size must be positive, got " + vocabularySize);
        require(contextLength > 0, "context_length must be positive, got " + contextLength);
        require(rmsEpsilon > 0 && Float.isFinite(rmsEpsilon), "layer_norm_rms_epsilon must be positive, got " + rmsEpsilon);
        require(ropeFreqBase > 0 && Float.isFinite(ropeFreqBase), "rope.freq_base must be positive, got " + ropeFreqBase);
        require(ropeDimensions > 0 && ropeDimensions % 2 == 0 && ropeDimensions <= headDim,
                "rope.dimension_count " + ropeDimensions + " must be even and at most the head dimension " + headDim);
        require(ropeFreqScale > 0 && Float.isFinite(ropeFreqScale), "rope frequency scale must be positive, got " + ropeFreqScale);
    }

    /** Whether this config is a plain Llama (what {@link #LlamaConfig(int, int, int, int, int, int, int, int, float, float, int, RopeMode)} makes). */
    public boolean isPlainLlama() {
        return ropeMode == RopeMode.NORMAL && ropeFreqScale == 1f && !attentionBias && !qkNorm && !fusedQkv && !fusedGateUp;
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }

    /** Width of the key (and value) projection: kv heads × head dimension. */
    public int kvDim() {
        return headCountKv * headDim;
    }

    /** Width of the query projection: heads × head dimension. */
    public int qDim() {
        return headCount * headDim;
    }

    /** Reads the hyper-parameters of architecture {@code arch} from the file's metadata. */
    public static LlamaConfig fromGguf(GgufView file, String arch) {
        GgufMetadata m = file.metadata();
        try {
            int dim = m.getInt(MetadataKey.EMBEDDING_LENGTH.of(arch));
            int heads = m.getInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch));
            int kvHeads = m.findInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch)).orElse(heads);
            int headDim = m.findInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch)).orElse(heads > 0 ? dim / heads : 0);
            if (!m.contains(MetadataKey.ATTENTION_KEY_LENGTH.of(arch)) && dim % heads != 0) {
                throw new IllegalArgumentException(
                        "embedding_length " + dim + " is not a multiple of attention.head_count " + heads);
            }
            int vocab = m.findInt(MetadataKey.VOCAB_SIZE.of(arch)).orElseGet(() -> vocabularyFromTensors(file));
            Family f = Family.of(arch);
            return new LlamaConfig(
                    dim,
                    m.getInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch)),
                    m.getInt(MetadataKey.BLOCK_COUNT.of(arch)),
                    heads,
                    kvHeads,
                    headDim,
                    vocab,
                    m.getInt(MetadataKey.CONTEXT_LENGTH.of(arch)),
                    m.findFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(arch)).orElse(1e-5f),
                    m.findFloat(MetadataKey.ROPE_FREQ_BASE.of(arch)).orElse(10000f),
                    m.findInt(MetadataKey.ROPE_DIMENSION_COUNT.of(arch)).orElse(headDim),
                    f.ropeMode,
                    ropeFreqScale(m, arch),
                    f.attentionBias,
                    f.qkNorm,
                    f.fusedQkv,
                    f.fusedGateUp);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file.path().getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts the hyper-parameters under architecture {@code arch}'s keys, as llama.cpp's converter writes them
     * (integers as {@code UINT32}, which llama.cpp requires); {@link #fromGguf} reads back an equal config.
     * {@code attention.key_length}/{@code value_length} are written only where the head width is not
     * {@code embedding_length / head_count}. The RoPE pairing is implied by the architecture, not stored.
     */
    public GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder m, String arch) {
        m.putInt(MetadataKey.CONTEXT_LENGTH.of(arch), contextLength)
                .putInt(MetadataKey.EMBEDDING_LENGTH.of(arch), embeddingLength)
                .putInt(MetadataKey.BLOCK_COUNT.of(arch), blockCount)
                .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch), feedForwardLength)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch), headCount)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch), headCountKv)
                .putFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(arch), rmsEpsilon)
                .putInt(MetadataKey.ROPE_DIMENSION_COUNT.of(arch), ropeDimensions)
                .putFloat(MetadataKey.ROPE_FREQ_BASE.of(arch), ropeFreqBase)
                .putInt(MetadataKey.VOCAB_SIZE.of(arch), vocabularySize);
        if (ropeFreqScale != 1f) {
            m.putString(MetadataKey.ROPE_SCALING_TYPE.of(arch), "linear")
                    .putFloat(MetadataKey.ROPE_SCALING_FACTOR.of(arch), 1f / ropeFreqScale);
        }
        if (headDim * headCount != embeddingLength) {
            m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch), headDim)
                    .putInt(MetadataKey.ATTENTION_VALUE_LENGTH.of(arch), headDim);
        }
        return m;
    }

    /**
     * What each architecture name means for the shared decoder, as llama.cpp builds it ({@code llama-model.cpp}:
     * {@code llama_model_rope_type} and each architecture's tensor list). Mistral is Llama's layout under its own name.
     * Phi-3's {@code attention.sliding_window} is not applied: current llama.cpp disables Phi-3's sliding window too
     * (it warns "Phi SWA is currently disabled"), so outputs differ from older builds only past the window.
     */
    private enum Family {
        LLAMA(RopeMode.NORMAL, false, false, false, false),
        QWEN2(RopeMode.NEOX, true, false, false, false),
        QWEN3(RopeMode.NEOX, false, true, false, false),
        PHI3(RopeMode.NEOX, false, false, true, true);

        final RopeMode ropeMode;
        final boolean attentionBias, qkNorm, fusedQkv, fusedGateUp;

        Family(RopeMode ropeMode, boolean attentionBias, boolean qkNorm, boolean fusedQkv, boolean fusedGateUp) {
            this.ropeMode = ropeMode;
            this.attentionBias = attentionBias;
            this.qkNorm = qkNorm;
            this.fusedQkv = fusedQkv;
            this.fusedGateUp = fusedGateUp;
        }

        static Family of(String arch) {
            return switch (arch) {
                case "llama", "mistral" -> LLAMA;
                case "qwen2" -> QWEN2;
                case "qwen3" -> QWEN3;
                case "phi3" -> PHI3;
                default -> throw new IllegalArgumentException("general.architecture '" + arch
                        + "' is not in the Llama family (llama, mistral, qwen2, qwen3, phi3)");
            };
        }
    }

    /**
     * The angle multiplier of linear RoPE scaling, as llama.cpp reads it ({@code llama_model::load_hparams},
     * {@code llama_context}): type {@code linear} (the default) scales by {@code 1 / rope.scaling.factor} (or the
     * older {@code rope.scale_linear}), 1 when absent or 0; type {@code none} never scales. Llama 3's
     * frequency-dependent scaling is not a type: converters store its per-frequency divisors as the
     * {@code rope_freqs.weight} tensor, which {@code LlamaWeights} reads.
     */
    private static float ropeFreqScale(GgufMetadata m, String arch) {
        String typeKey = MetadataKey.ROPE_SCALING_TYPE.of(arch);
        String type = m.findString(typeKey).orElse("linear");
        if (SCALING_UNSUPPORTED.contains(type)) {
            throw new IllegalArgumentException(typeKey + " '" + type + "' is not supported (Basalt runs: none, linear)");
        }
        if (!SCALING_SUPPORTED.contains(type)) {
            throw new IllegalArgumentException(typeKey + " '" + type + "' is unknown (Basalt runs: none, linear)");
        }
        float attnFactor = m.findFloat(arch + ROPE_SCALING_ATTN_FACTOR).orElse(1f);
        if (attnFactor != 1f) {
            throw new IllegalArgumentException(arch + ROPE_SCALING_ATTN_FACTOR + " " + attnFactor
                    + " is not supported (Basalt runs 1)");
        }
        float factor = m.findFloat(MetadataKey.ROPE_SCALING_FACTOR.of(arch))
                .or(() -> m.findFloat(arch + ROPE_SCALE_LINEAR)).orElse(0f);
        if (factor < 0 || !Float.isFinite(factor)) {
            throw new IllegalArgumentException(MetadataKey.ROPE_SCALING_FACTOR.of(arch) + " must be positive, got " + factor);
        }
        return factor == 0f || type.equals("none") ? 1f : 1f / factor;
    }

    // Older RoPE scaling keys, not in basalt-format's MetadataKey; suffixes of "{arch}".
    private static final String ROPE_SCALE_LINEAR = ".rope.scale_linear";
    private static final String ROPE_SCALING_ATTN_FACTOR = ".rope.scaling.attn_factor";

    private static int vocabularyFromTensors(GgufView file) {
        String name = TensorKey.TOKEN_EMBD.weight();
        return file.findTensor(name)
                .map(t -> Math.toIntExact(t.dims().length > 1 ? t.dims()[1] : 0))
                .orElseThrow(() -> new IllegalArgumentException("tensor " + name + " is missing"));
    }
}
