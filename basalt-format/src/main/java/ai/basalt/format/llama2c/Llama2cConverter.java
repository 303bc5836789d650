package ai.basalt.format.llama2c;

import static ai.basalt.format.gguf.MetadataKey.ATTENTION_HEAD_COUNT;
import static ai.basalt.format.gguf.MetadataKey.ATTENTION_HEAD_COUNT_KV;
import static ai.basalt.format.gguf.MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON;
import static ai.basalt.format.gguf.MetadataKey.BLOCK_COUNT;
import static ai.basalt.format.gguf.MetadataKey.CONTEXT_LENGTH;
import static ai.basalt.format.gguf.MetadataKey.EMBEDDING_LENGTH;
import static ai.basalt.format.gguf.MetadataKey.FEED_FORWARD_LENGTH;
import static ai.basalt.format.gguf.MetadataKey.GENERAL_ARCHITECTURE;
import static ai.basalt.format.gguf.MetadataKey.GENERAL_FILE_TYPE;
import static ai.basalt.format.gguf.MetadataKey.GENERAL_NAME;
import static ai.basalt.format.gguf.MetadataKey.ROPE_DIMENSION_COUNT;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_BOS_ID;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_EOS_ID;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_MODEL;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_SCORES;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_TOKENS;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_TOKEN_TYPE;
import static ai.basalt.format.gguf.MetadataKey.TOKENIZER_UNKNOWN_ID;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.TokenType;
import ai.basalt.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Converts a llama2.c checkpoint and its {@code tokenizer.bin} to a GGUF file of architecture {@code llama},
 * laid out as the reference {@code stories260K.gguf} is: the same metadata keys in the same order, and the
 * weights byte for byte, F32, with no permutation of the query and key matrices (llama2.c's RoPE already pairs
 * interleaved elements, as GGML's normal mode does).
 *
 * <p>Tokens follow llama.cpp's {@code convert-llama2c-to-ggml} ({@code load_vocab}): ids 0, 1, 2 become
 * {@code <unk>} (UNKNOWN), {@code <s>} and {@code </s>} (CONTROL) whatever llama2.c stored there, an empty token
 * is CONTROL, {@code <0xAB>} is BYTE, every other token NORMAL; spaces become SentencePiece's U+2581.
 */
public final class Llama2cConverter {
    static final String ARCHITECTURE = "llama";
    /** SentencePiece BPE, as llama.cpp names it. */
    static final String TOKENIZER = "llama";
    /** run.c's {@code rmsnorm} adds this epsilon; the checkpoint does not store it. */
    static final float RMS_NORM_EPSILON = 1e-5f;
    /** {@code general.file_type} ALL_F32 (ggml {@code docs/gguf.md}). */
    static final int FILE_TYPE_ALL_F32 = 0;
    /** The special ids of llama2.c's SentencePiece vocabularies (run.c hard-codes BOS 1 and EOS 2). */
    static final int UNKNOWN_ID = 0;
    static final int BOS_ID = 1;
    static final int EOS_ID = 2;
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");

    private Llama2cConverter() {}

    /**
     * Converts {@code checkpoint} with vocabulary {@code tokenizer} into {@code outGguf}, named after the
     * checkpoint's file name without its extension.
     *
     * @throws Llama2cFormatException naming the file at fault if either input is malformed or the tokenizer's
     *     size differs from the checkpoint's {@code vocab_size}
     */
    public static void convert(Path checkpoint, Path tokenizer, Path outGguf) {
        Llama2cTokenizer vocabulary = Llama2cTokenizer.read(tokenizer);
        try (Llama2cCheckpoint model = Llama2cCheckpoint.open(checkpoint)) {
            Llama2cConfig config = model.config();
            if (vocabulary.size() != config.vocabSize()) {
                throw new Llama2cFormatException(tokenizer + ": " + vocabulary.size() + " tokens, but checkpoint "
                        + checkpoint.getFileName() + " has vocab_size " + config.vocabSize());
            }
            GgufWriter writer = new GgufWriter(metadata(config, vocabulary, modelName(checkpoint)));
            for (Tensor t : tensors(model)) writer.addTensor(t);
            writer.write(outGguf);
        }
    }

    /** The metadata of the converted model, in the reference file's order. */
    static GgufMetadata metadata(Llama2cConfig config, Llama2cTokenizer vocabulary, String name) {
        int n = vocabulary.size();
        String[] tokens = new String[n];
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int id = 0; id < n; id++) {
            String piece = switch (id) {
                case UNKNOWN_ID -> "<unk>";
                case BOS_ID -> "<s>";
                case EOS_ID -> "</s>";
                default -> vocabulary.piece(id);
            };
            tokens[id] = piece.replace(' ', '\u2581');
            scores[id] = vocabulary.score(id);
            types[id] = tokenType(id, piece).id();
        }
        return GgufMetadata.builder()
                .putString(GENERAL_ARCHITECTURE.key(), ARCHITECTURE)
                .putString(GENERAL_NAME.key(), name)
                .putInt(GENERAL_FILE_TYPE.key(), FILE_TYPE_ALL_F32)
                .putInt(CONTEXT_LENGTH.of(ARCHITECTURE), config.seqLen())
                .putInt(EMBEDDING_LENGTH.of(ARCHITECTURE), config.dim())
                .putInt(BLOCK_COUNT.of(ARCHITECTURE), config.layers())
                .putInt(FEED_FORWARD_LENGTH.of(ARCHITECTURE), config.hiddenDim())
                .putInt(ROPE_DIMENSION_COUNT.of(ARCHITECTURE), config.headSize())
                .putInt(ATTENTION_HEAD_COUNT.of(ARCHITECTURE), config.heads())
                .putInt(ATTENTION_HEAD_COUNT_KV.of(ARCHITECTURE), config.kvHeads())
                .putFloat(ATTENTION_LAYER_NORM_RMS_EPSILON.of(ARCHITECTURE), RMS_NORM_EPSILON)
                .putString(TOKENIZER_MODEL.key(), TOKENIZER)
                .putStringArray(TOKENIZER_TOKENS.key(), tokens)
                .putFloatArray(TOKENIZER_SCORES.key(), scores)
                .putIntArray(TOKENIZER_TOKEN_TYPE.key(), types)
                .putInt(TOKENIZER_BOS_ID.key(), BOS_ID)
                .putInt(TOKENIZER_EOS_ID.key(), EOS_ID)
                .putInt(TOKENIZER_UNKNOWN_ID.key(), UNKNOWN_ID)
                .build();
    }

    /** The weights in the reference file's order: embeddings, final norm, classifier if separate, then per block. */
    static List<Tensor> tensors(Llama2cCheckpoint model) {
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(model.tokenEmbedding());
        tensors.add(model.finalNorm());
        model.classifier().ifPresent(tensors::add);
        for (int layer = 0; layer < model.config().layers(); layer++) {
            tensors.add(model.attentionNorm(layer));
            tensors.add(model.wq(layer));
            tensors.add(model.wk(layer));
            tensors.add(model.wv(layer));
            tensors.add(model.wo(layer));
            tensors.add(model.ffnNorm(layer));
            tensors.add(model.w1(layer));
            tensors.add(model.w2(layer));
            tensors.add(model.w3(layer));
        }
        return tensors;
    }

    private static TokenType tokenType(int id, String piece) {
        if (id == UNKNOWN_ID) return TokenType.UNKNOWN;
        if (id == BOS_ID || id == EOS_ID || piece.isEmpty()) return TokenType.CONTROL;
        if (BYTE_TOKEN.matcher(piece).matches()) return TokenType.BYTE;
        return TokenType.NORMAL;
    }

    /** {@code stories260K.bin} gives {@code stories260K}. */
    private static String modelName(Path checkpoint) {
        String file = checkpoint.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
