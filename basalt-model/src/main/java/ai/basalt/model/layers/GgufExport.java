package ai.basalt.model.layers;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.nn.Var;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes trainable parameters as an F32 GGUF file. Parameters are named with GGUF tensor names, so each one is
 * written under its own name, its row-major shape reversed into GGML dims ({@code (rows, cols)} becomes
 * {@code {cols, rows}}).
 */
public final class GgufExport {
    /** llama.cpp's {@code LLAMA_FTYPE_ALL_F32} ({@code llama.h}). */
    static final int FILE_TYPE_ALL_F32 = 0;

    private GgufExport() {}

    /** {@code general.architecture}, {@code general.name} and {@code general.file_type} (all F32). */
    public static GgufMetadata.Builder header(String architecture, String name) {
        return GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), architecture)
                .putString(MetadataKey.GENERAL_NAME.key(), name)
                .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), FILE_TYPE_ALL_F32);
    }

    /**
     * Adds the tokenizer's {@code tokenizer.ggml.*} entries to {@code metadata} and writes it with {@code tensors},
     * atomically.
     *
     * @throws IllegalArgumentException if the tokenizer's vocabulary is not {@code vocabularySize} tokens: llama.cpp
     *     sizes the token embedding by the vocabulary and rejects the file otherwise
     */
    public static void write(Path file, GgufMetadata.Builder metadata, Tokenizer tokenizer, int vocabularySize,
            List<Tensor> tensors) {
        requireVocabulary(tokenizer, vocabularySize);
        GgufWriter writer = new GgufWriter(tokenizer.putGgufMetadata(metadata).build());
        for (Tensor t : tensors) writer.addTensor(t);
        writer.write(file);
    }

    /** Copies of {@code parameters} as F32 tensors under their own names. */
    public static List<Tensor> tensors(List<Var> parameters) {
        List<Tensor> out = new ArrayList<>(parameters.size());
        for (Var p : parameters) out.add(tensor(p.name(), p));
        return out;
    }

    /** Checks that the tokenizer has one token per row of a model's embedding. */
    public static void requireVocabulary(Tokenizer tokenizer, int vocabularySize) {
        int size = tokenizer.vocabulary().size();
        if (size != vocabularySize) {
            throw new IllegalArgumentException("tokenizer of " + size + " tokens for a model of vocabulary size "
                    + vocabularySize + ": they must be equal to export");
        }
    }

    /** A copy of {@code p}'s values as an F32 tensor named {@code name}, its shape reversed into GGML dims. */
    public static Tensor tensor(String name, Var p) {
        return Tensor.ofFloats(name, Arrays.copyOf(p.data(), p.size()), ggmlDims(p.shape()));
    }

    /** A row-major shape (outermost first) as GGML dims (innermost first). */
    public static long[] ggmlDims(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[shape.length - 1 - i];
        return dims;
    }
}
