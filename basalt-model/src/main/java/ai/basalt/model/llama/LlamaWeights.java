package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tensors of a Llama-family model, checked against the config. Matrices stay in their stored
 * (possibly quantized) type as views of the mapped file; the small norm vectors are copied to floats.
 * Shapes in GGML order ({@code {cols, rows}}): a projection from C to D is {@code {C, D}}.
 */
final class LlamaWeights {
    /** (V, C) */
    final Tensor tokenEmbedding;
    /** (layers, C) */
    final float[][] attnNorm;
    /** (layers) of (qDim, C), (kvDim, C), (kvDim, C), (C, qDim) */
    final Tensor[] wq, wk, wv, wo;
    /** (layers, C) */
    final float[][] ffnNorm;
    /** (layers) of (F, C), (F, C), (C, F) */
    final Tensor[] wGate, wUp, wDown;
    /** (C) */
    final float[] outputNorm;
    /** (V, C); the token embedding when the output projection is tied to it */
    final Tensor output;
    final long parameterCount;

    private static final Set<DType> COMPUTABLE = EnumSet.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0);

    LlamaWeights(GgufFile file, LlamaConfig c) {
        int layers = c.blockCount();
        int dim = c.embeddingLength();
        int ffn = c.feedForwardLength();
        tokenEmbedding = matrix(file, TensorKey.TOKEN_EMBD.weight(), dim, c.vocabularySize());
        attnNorm = new float[layers][];
        ffnNorm = new float[layers][];
        wq = new Tensor[layers];
        wk = new Tensor[layers];
        wv = new Tensor[layers];
        wo = new Tensor[layers];
        wGate = new Tensor[layers];
        wUp = new Tensor[layers];
        wDown = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            attnNorm[l] = vector(file, TensorKey.ATTN_NORM.weight(l), dim);
            wq[l] = matrix(file, TensorKey.ATTN_Q.weight(l), dim, c.qDim());
            wk[l] = matrix(file, TensorKey.ATTN_K.weight(l), dim, c.kvDim());
            wv[l] = matrix(file, TensorKey.ATTN_V.weight(l), dim, c.kvDim());
            wo[l] = matrix(file, TensorKey.ATTN_OUTPUT.weight(l), c.qDim(), dim);
            ffnNorm[l] = vector(file, TensorKey.FFN_NORM.weight(l), dim);
            wGate[l] = matrix(file, TensorKey.FFN_GATE.weight(l), dim, ffn);
            wUp[l] = matrix(file, TensorKey.FFN_UP.weight(l), dim, ffn);
            wDown[l] = matrix(file, TensorKey.FFN_DOWN.weight(l), ffn, dim);
        }
        outputNorm = vector(file, TensorKey.OUTPUT_NORM.weight(), dim);
        output = file.findTensor(TensorKey.OUTPUT.weight()).isPresent()
                ? matrix(file, TensorKey.OUTPUT.weight(), dim, c.vocabularySize())
                : tokenEmbedding;
        parameterCount = file.tensors().stream()
                .mapToLong(t -> Arrays.stream(t.dims()).reduce(1, Math::multiplyExact))
                .sum();
    }

    private static Tensor matrix(GgufFile file, String name, int cols, int rows) {
        Tensor t = file.tensor(name);
        if (t.rank() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
            throw new ModelLoadException(file.path().getFileName() + ": tensor " + name + " has shape "
                    + Arrays.toString(t.dims()) + ", expected [" + cols + ", " + rows + "]");
        }
        return checkType(file, t);
    }

    private static float[] vector(GgufFile file, String name, int length) {
        Tensor t = file.tensor(name);
        if (t.elementCount() != length) {
            throw new ModelLoadException(file.path().getFileName() + ": tensor " + name + " has shape "
                    + Arrays.toString(t.dims()) + ", expected [" + length + "]");
        }
        return checkType(file, t).toFloatArray();
    }

    private static Tensor checkType(GgufFile file, Tensor t) {
        if (!COMPUTABLE.contains(t.type())) {
            throw new ModelLoadException(file.path().getFileName() + ": tensor " + t.name() + " has type " + t.type()
                    + ", which Basalt cannot compute yet (supported: "
                    + COMPUTABLE.stream().map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
        return t;
    }
}
