package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.layers.GgufWeights;
import ai.basalt.tensor.Tensor;

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

    LlamaWeights(GgufFile file, LlamaConfig c) {
        GgufWeights w = new GgufWeights(file);
        int layers = c.blockCount();
        int dim = c.embeddingLength();
        int ffn = c.feedForwardLength();
        tokenEmbedding = w.matrix(TensorKey.TOKEN_EMBD.weight(), dim, c.vocabularySize());
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
            attnNorm[l] = w.vector(TensorKey.ATTN_NORM.weight(l), dim);
            wq[l] = w.matrix(TensorKey.ATTN_Q.weight(l), dim, c.qDim());
            wk[l] = w.matrix(TensorKey.ATTN_K.weight(l), dim, c.kvDim());
            wv[l] = w.matrix(TensorKey.ATTN_V.weight(l), dim, c.kvDim());
            wo[l] = w.matrix(TensorKey.ATTN_OUTPUT.weight(l), c.qDim(), dim);
            ffnNorm[l] = w.vector(TensorKey.FFN_NORM.weight(l), dim);
            wGate[l] = w.matrix(TensorKey.FFN_GATE.weight(l), dim, ffn);
            wUp[l] = w.matrix(TensorKey.FFN_UP.weight(l), dim, ffn);
            wDown[l] = w.matrix(TensorKey.FFN_DOWN.weight(l), ffn, dim);
        }
        outputNorm = w.vector(TensorKey.OUTPUT_NORM.weight(), dim);
        output = w.has(TensorKey.OUTPUT.weight())
                ? w.matrix(TensorKey.OUTPUT.weight(), dim, c.vocabularySize())
                : tokenEmbedding;
        parameterCount = w.parameterCount();
    }
}
