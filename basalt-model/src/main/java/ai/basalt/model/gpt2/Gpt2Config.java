package ai.basalt.model.gpt2;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;

/**
 * Hyper-parameters of a GPT-2 model. {@link #fromGguf} is the one place that maps GGUF metadata keys to
 * fields, and {@link #putGgufMetadata} its mirror that writes them.
 *
 * @param embeddingLength model width C
 * @param feedForwardLength MLP hidden width (4·C in GPT-2)
 * @param blockCount transformer blocks
 * @param headCount attention heads
 * @param vocabularySize V
 * @param contextLength number of learned positions
 * @param layerNormEpsilon LayerNorm epsilon
 */
public record Gpt2Config(int embeddingLength, int feedForwardLength, int blockCount, int headCount, int vocabularySize,
        int contextLength, float layerNormEpsilon) {

    public Gpt2Config {
        require(embeddingLength > 0, "embedding_length must be positive, got " + embeddingLength);
        require(feedForwardLength > 0, "feed_forward_length must be positive, got " + feedForwardLength);
        require(blockCount > 0, "block_count must be positive, got " + blockCount);
        require(headCount > 0 && embeddingLength % headCount == 0,
                "embedding_length " + embeddingLength + " must be a multiple of attention.head_count " + headCount);
        require(vocabularySize > 0, "vocabulary size must be positive, got " + vocabularySize);
        require(contextLength > 0, "context_length must be positive, got " + contextLength);
        require(layerNormEpsilon > 0 && Float.isFinite(layerNormEpsilon),
                "layer_norm_epsilon must be positive, got " + layerNormEpsilon);
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }

    public int headDim() {
        return embeddingLength / headCount;
    }

    /** Reads the hyper-parameters of architecture {@code arch} from the file's metadata. */
    public static Gpt2Config fromGguf(GgufView file, String arch) {
        GgufMetadata m = file.metadata();
        try {
            int vocab = m.findInt(MetadataKey.VOCAB_SIZE.of(arch)).orElseGet(() -> file.findTensor(TensorKey.TOKEN_EMBD.weight())
                    .map(t -> Math.toIntExact(t.dims().length > 1 ? t.dims()[1] : 0))
                    .orElseThrow(() -> new IllegalArgumentException("tensor " + TensorKey.TOKEN_EMBD.weight() + " is missing")));
            return new Gpt2Config(
                    m.getInt(MetadataKey.EMBEDDING_LENGTH.of(arch)),
                    m.getInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch)),
                    m.getInt(MetadataKey.BLOCK_COUNT.of(arch)),
                    m.getInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch)),
                    vocab,
                    m.getInt(MetadataKey.CONTEXT_LENGTH.of(arch)),
                    m.findFloat(MetadataKey.ATTENTION_LAYER_NORM_EPSILON.of(arch)).orElse(1e-5f));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file.path().getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts the hyper-parameters under architecture {@code arch}'s keys, as llama.cpp's converter writes them
     * (integers as {@code UINT32}, which llama.cpp requires); {@link #fromGguf} reads back an equal config.
     */
    public GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder m, String arch) {
        return m.putInt(MetadataKey.CONTEXT_LENGTH.of(arch), contextLength)
                .putInt(MetadataKey.EMBEDDING_LENGTH.of(arch), embeddingLength)
                .putInt(MetadataKey.BLOCK_COUNT.of(arch), blockCount)
                .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch), feedForwardLength)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch), headCount)
                .putFloat(MetadataKey.ATTENTION_LAYER_NORM_EPSILON.of(arch), layerNormEpsilon)
                .putInt(MetadataKey.VOCAB_SIZE.of(arch), vocabularySize);
    }
}
