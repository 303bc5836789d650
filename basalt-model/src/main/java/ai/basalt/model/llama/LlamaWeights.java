package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.layers.GgufWeights;
import ai.basalt.tensor.Tensor;

/**
 * The tensors of a Llama-family model, checked against the config. Matrices stay in their stored
 * (possibly quantized) type as views of the mapped file; the small norm and bias vectors are copied to floats.
 * Shapes in GGML order ({@code {cols, rows}}): a projection from C to D is {@code {C, D}}. Which tensors exist is
 * the config's choice: Q/K/V biases (qwen2), per-head Q/K norms (qwen3), one stacked {@code attn_qkv} and one
 * stacked gate-then-up {@code ffn_up} (phi3); arrays of tensors an architecture lacks are null.
 */
final class LlamaWeights {
    /** Phi-3's LongRoPE per-frequency factors (llama.cpp {@code LLM_TENSOR_ROPE_FACTORS_LONG/SHORT}), not run yet. */
    private static final String[] LONGROPE_FACTORS = {"rope_factors_long.weight", "rope_factors_short.weight"};

    /** (V, C) */
    final Tensor tokenEmbedding;
    /** (layers, C) */
    final float[][] attnNorm;
    /** (layers) of (qDim, C), (kvDim, C), (kvDim, C), (C, qDim); wq, wk, wv null when fused */
    final Tensor[] wq, wk, wv, wo;
    /** (layers) of (qDim + 2·kvDim, C): Q, K then V rows; null unless fused */
    final Tensor[] wqkv;
    /** (layers, qDim), (layers, kvDim), (layers, kvDim); null without attention biases */
    final float[][] bq, bk, bv;
    /** (layers, headDim): RMSNorm weights shared by every query (key) head; null without Q/K norms */
    final float[][] qNorm, kNorm;
    /** (layers, C) */
    final float[][] ffnNorm;
    /** (layers) of (F, C), (F, C), (C, F); wGate null and wUp (2F, C), gate rows first, when fused */
    final Tensor[] wGate, wUp, wDown;
    /** (C) */
    final float[] outputNorm;
    /** (V, C); the token embedding when the output projection is tied to it */
    final Tensor output;
    /** (ropeDimensions / 2) divisors of each RoPE frequency (Llama 3's {@code rope_freqs.weight}); null if absent */
    final float[] ropeFreqFactors;
    final long parameterCount;

    LlamaWeights(GgufView file, LlamaConfig c) {
        GgufWeights w = new GgufWeights(file);
        int layers = c.blockCount();
        int dim = c.embeddingLength();
        int ffn = c.feedForwardLength();
        for (String name : LONGROPE_FACTORS) {
            if (w.has(name)) {
                throw new ModelLoadException(file.path().getFileName() + ": tensor " + name
                        + " asks for LongRoPE scaling, which Basalt does not run yet");
            }
        }
        tokenEmbedding = w.matrix(TensorKey.TOKEN_EMBD.weight(), dim, c.vocabularySize());
        attnNorm = new float[layers][];
        ffnNorm = new float[layers][];
        wq = c.fusedQkv() ? null : new Tensor[layers];
        wk = c.fusedQkv() ? null : new Tensor[layers];
        wv = c.fusedQkv() ? null : new Tensor[layers];
        wqkv = c.fusedQkv() ? new Tensor[layers] : null;
        bq = c.attentionBias() ? new float[layers][] : null;
        bk = c.attentionBias() ? new float[layers][] : null;
        bv = c.attentionBias() ? new float[layers][] : null;
        qNorm = c.qkNorm() ? new float[layers][] : null;
        kNorm = c.qkNorm() ? new float[layers][] : null;
        wo = new Tensor[layers];
        wGate = c.fusedGateUp() ? null : new Tensor[layers];
        wUp = new Tensor[layers];
        wDown = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            attnNorm[l] = w.vector(TensorKey.ATTN_NORM.weight(l), dim);
            if (c.fusedQkv()) {
                wqkv[l] = w.matrix(TensorKey.ATTN_QKV.weight(l), dim, c.qDim() + 2 * c.kvDim());
            } else {
                wq[l] = w.matrix(TensorKey.ATTN_Q.weight(l), dim, c.qDim());
                wk[l] = w.matrix(TensorKey.ATTN_K.weight(l), dim, c.kvDim());
                wv[l] = w.matrix(TensorKey.ATTN_V.weight(l), dim, c.kvDim());
            }
            if (c.attentionBias()) {
                bq[l] = w.vector(TensorKey.ATTN_Q.bias(l), c.qDim());
                bk[l] = w.vector(TensorKey.ATTN_K.bias(l), c.kvDim());
                bv[l] = w.vector(TensorKey.ATTN_V.bias(l), c.kvDim());
            }
            if (c.qkNorm()) {
                qNorm[l] = w.vector(TensorKey.ATTN_Q_NORM.weight(l), c.headDim());
                kNorm[l] = w.vector(TensorKey.ATTN_K_NORM.weight(l), c.headDim());
            }
            wo[l] = w.matrix(TensorKey.ATTN_OUTPUT.weight(l), c.qDim(), dim);
            ffnNorm[l] = w.vector(TensorKey.FFN_NORM.weight(l), dim);
            if (c.fusedGateUp()) {
                wUp[l] = w.matrix(TensorKey.FFN_UP.weight(l), dim, 2 * ffn);
            } else {
                wGate[l] = w.matrix(TensorKey.FFN_GATE.weight(l), dim, ffn);
                wUp[l] = w.matrix(TensorKey.FFN_UP.weight(l), dim, ffn);
            }
            wDown[l] = w.matrix(TensorKey.FFN_DOWN.weight(l), ffn, dim);
        }
        outputNorm = w.vector(TensorKey.OUTPUT_NORM.weight(), dim);
        output = w.has(TensorKey.OUTPUT.weight())
                ? w.matrix(TensorKey.OUTPUT.weight(), dim, c.vocabularySize())
                : tokenEmbedding;
        ropeFreqFactors = w.has(TensorKey.ROPE_FREQS.weight())
                ? w.vector(TensorKey.ROPE_FREQS.weight(), c.ropeDimensions() / 2)
                : null;
        if (ropeFreqFactors != null) {
            for (int i = 0; i < ropeFreqFactors.length; i++) {
                if (!(ropeFreqFactors[i] > 0) || !Float.isFinite(ropeFreqFactors[i])) {
                    throw new ModelLoadException(file.path().getFileName() + ": tensor " + TensorKey.ROPE_FREQS.weight()
                            + " holds " + ropeFreqFactors[i] + " at " + i + ", expected positive finite factors");
                }
            }
        }
        parameterCount = w.parameterCount();
    }
}
