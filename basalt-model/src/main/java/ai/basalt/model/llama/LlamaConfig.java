package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;
import ai.basalt.tensor.RopeMode;

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
 * @param ropeMode how rotated dimensions are paired
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
        RopeMode ropeMode) {

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
    public static LlamaConfig fromGguf(GgufFile file, String arch) {
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
                    RopeMode.NORMAL);
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
        if (headDim * headCount != embeddingLength) {
            m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch), headDim)
                    .putInt(MetadataKey.ATTENTION_VALUE_LENGTH.of(arch), headDim);
        }
        return m;
    }

    private static int vocabularyFromTensors(GgufFile file) {
        String name = TensorKey.TOKEN_EMBD.weight();
        return file.findTensor(name)
                .map(t -> Math.toIntExact(t.dims().length > 1 ? t.dims()[1] : 0))
                .orElseThrow(() -> new IllegalArgumentException("tensor " + name + " is missing"));
    }
}
