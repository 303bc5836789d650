package ai.basalt.model.quantize;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.fixtures.TinySentencePiece;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.RopeMode;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A llama GGUF with seeded Gaussian weights (std 1/√fan-in, so activations stay of order one at any width) and a
 * byte-fallback SentencePiece vocabulary of 270 tokens. Matrices are F32 unless {@link #matrixType} says otherwise.
 *
 * @param dim C, the embedding width (256 lets the k-quants apply; 64 forces their fallbacks)
 * @param tied whether the model has no {@code output.weight} (the token embedding is the output projection)
 */
public record RandomLlama(int dim, int ffn, int layers, int heads, int kvHeads, boolean tied, DType matrixType, int context) {
    static final int VOCAB = TinySentencePiece.SIZE;

    public RandomLlama(int dim, int ffn, int layers, int heads, int kvHeads, boolean tied, DType matrixType) {
        this(dim, ffn, layers, heads, kvHeads, tied, matrixType, 64);
    }

    /** The same model with a context of {@code positions} (64 unless set). */
    public RandomLlama withContext(int positions) {
        return new RandomLlama(dim, ffn, layers, heads, kvHeads, tied, matrixType, positions);
    }

    public static RandomLlama wide() {
        return new RandomLlama(256, 512, 8, 4, 2, false, DType.F32);
    }

    public static RandomLlama narrow() {
        return new RandomLlama(64, 128, 2, 4, 2, true, DType.F32);
    }

    public RandomLlama withMatrixType(DType type) {
        return new RandomLlama(dim, ffn, layers, heads, kvHeads, tied, type, context);
    }

    GgufMetadata metadata() {
        LlamaConfig config = new LlamaConfig(dim, ffn, layers, heads, kvHeads, dim / heads, VOCAB, context, 1e-5f, 10000f,
                dim / heads, RopeMode.NORMAL);
        GgufMetadata.Builder m = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "llama")
                .putString(MetadataKey.GENERAL_NAME.key(), "random-llama-" + dim)
                .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), 0);
        config.putGgufMetadata(m, "llama");
        return TinySentencePiece.tokenizer().putGgufMetadata(m).build();
    }

    /** Writes the model to {@code file}, tensors in the order convert_hf_to_gguf.py writes them. */
    public Path write(Path file) {
        GgufWriter w = new GgufWriter(metadata());
        SplittableRandom random = new SplittableRandom(11);
        int kvDim = dim / heads * kvHeads;
        matrix(w, random, TensorKey.TOKEN_EMBD.weight(), dim, VOCAB);
        vector(w, random, TensorKey.OUTPUT_NORM.weight(), dim);
        if (!tied) matrix(w, random, TensorKey.OUTPUT.weight(), dim, VOCAB);
        for (int l = 0; l < layers; l++) {
            vector(w, random, TensorKey.ATTN_NORM.weight(l), dim);
            matrix(w, random, TensorKey.ATTN_Q.weight(l), dim, dim);
            matrix(w, random, TensorKey.ATTN_K.weight(l), dim, kvDim);
            matrix(w, random, TensorKey.ATTN_V.weight(l), dim, kvDim);
            matrix(w, random, TensorKey.ATTN_OUTPUT.weight(l), dim, dim);
            vector(w, random, TensorKey.FFN_NORM.weight(l), dim);
            matrix(w, random, TensorKey.FFN_GATE.weight(l), dim, ffn);
            matrix(w, random, TensorKey.FFN_DOWN.weight(l), ffn, dim);
            matrix(w, random, TensorKey.FFN_UP.weight(l), dim, ffn);
        }
        w.write(file);
        return file;
    }

    private void matrix(GgufWriter w, SplittableRandom random, String name, int cols, int rows) {
        float[] values = new float[cols * rows];
        double std = name.equals(TensorKey.TOKEN_EMBD.weight()) ? 1 : 1 / Math.sqrt(cols);
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * std);
        w.addTensor(name, matrixType, new long[] {cols, rows}, Quantizer.quantize(values, matrixType));
    }

    private static void vector(GgufWriter w, SplittableRandom random, String name, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) (1 + random.nextGaussian() * 0.1);
        w.addTensor(name, DType.F32, new long[] {n}, Quantizer.quantize(values, DType.F32));
    }
}
