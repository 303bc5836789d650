package ai.basalt.model.gpt2;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.layers.GgufWeights;
import ai.basalt.tensor.Tensor;

/** The tensors of a GPT-2 model, checked against the config. Shapes in GGML order ({@code {cols, rows}}). */
final class Gpt2Weights {
    /** (V, C), (contextLength, C) */
    final Tensor tokenEmbedding, positionEmbedding;
    /** (layers, C) LayerNorm weights and biases before attention and MLP */
    final float[][] attnNormW, attnNormB, ffnNormW, ffnNormB;
    /** (layers) of (3C, C) fused query/key/value projection and (3C) bias */
    final Tensor[] wqkv;
    final float[][] bqkv;
    /** (layers) of (C, C) and (C) */
    final Tensor[] wo;
    final float[][] bo;
    /** (layers) of (F, C), (F); (C, F), (C) */
    final Tensor[] wUp, wDown;
    final float[][] bUp, bDown;
    /** (C) */
    final float[] outputNormW, outputNormB;
    /** (V, C); the token embedding when tied */
    final Tensor output;
    final long parameterCount;

    Gpt2Weights(GgufView file, Gpt2Config c) {
        GgufWeights w = new GgufWeights(file);
        int dim = c.embeddingLength();
        int ffn = c.feedForwardLength();
        int layers = c.blockCount();
        tokenEmbedding = w.matrix(TensorKey.TOKEN_EMBD.weight(), dim, c.vocabularySize());
        positionEmbedding = w.matrix(TensorKey.POSITION_EMBD.weight(), dim, c.contextLength());
        attnNormW = new float[layers][];
        attnNormB = new float[layers][];
        ffnNormW = new float[layers][];
        ffnNormB = new float[layers][];
        wqkv = new Tensor[layers];
        bqkv = new float[layers][];
        wo = new Tensor[layers];
        bo = new float[layers][];
        wUp = new Tensor[layers];
        bUp = new float[layers][];
        wDown = new Tensor[layers];
        bDown = new float[layers][];
        for (int l = 0; l < layers; l++) {
            attnNormW[l] = w.vector(TensorKey.ATTN_NORM.weight(l), dim);
            attnNormB[l] = w.vector(TensorKey.ATTN_NORM.bias(l), dim);
            wqkv[l] = w.matrix(TensorKey.ATTN_QKV.weight(l), dim, 3 * dim);
            bqkv[l] = w.vector(TensorKey.ATTN_QKV.bias(l), 3 * dim);
            wo[l] = w.matrix(TensorKey.ATTN_OUTPUT.weight(l), dim, dim);
            bo[l] = w.vector(TensorKey.ATTN_OUTPUT.bias(l), dim);
            ffnNormW[l] = w.vector(TensorKey.FFN_NORM.weight(l), dim);
            ffnNormB[l] = w.vector(TensorKey.FFN_NORM.bias(l), dim);
            wUp[l] = w.matrix(TensorKey.FFN_UP.weight(l), dim, ffn);
            bUp[l] = w.vector(TensorKey.FFN_UP.bias(l), ffn);
            wDown[l] = w.matrix(TensorKey.FFN_DOWN.weight(l), ffn, dim);
            bDown[l] = w.vector(TensorKey.FFN_DOWN.bias(l), dim);
        }
        outputNormW = w.vector(TensorKey.OUTPUT_NORM.weight(), dim);
        outputNormB = w.vector(TensorKey.OUTPUT_NORM.bias(), dim);
        output = w.has(TensorKey.OUTPUT.weight()) ? w.matrix(TensorKey.OUTPUT.weight(), dim, c.vocabularySize()) : tokenEmbedding;
        parameterCount = w.parameterCount();
    }
}
