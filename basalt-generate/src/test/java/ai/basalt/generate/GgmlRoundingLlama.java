package ai.basalt.generate;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import java.nio.file.Path;

/**
 * Test-only reference: a scalar Llama forward pass that rounds the input of every matrix product the way
 * ggml's CPU backend does before its dot products, so that the part of the Basalt/llama.cpp gap due to that
 * rounding can be told apart from everything else ({@link QuantizedConformanceTest}).
 *
 * <p>ggml converts the activation operand of {@code mul_mat} to the weight type's {@code vec_dot_type}
 * ({@code ggml-cpu.c}, {@code type_traits_cpu}): F16 for F16 weights, BF16 for BF16, Q8_0 for Q8_0 and Q4_0
 * weights, nothing for F32. Here each weight is dequantized once to F32 ({@link Tensor#toFloatArray()}), each
 * activation vector goes through {@link Quantizer} to that type and back, and the product is a plain F32 dot
 * product. (For Q8_0 activations {@link Quantizer} rounds halves away from zero like ggml's reference
 * quantizer, where the AVX2 one rounds them to even; exact halves are too rare to matter here.) Everything else
 * (RMSNorm, RoPE, attention over an F32 KV cache, SwiGLU) is the F32 arithmetic of Basalt's {@code LlamaModel},
 * which matches llama.cpp on F32 weights ({@link LlamaCppConformanceTest}), one token at a time.
 *
 * <p>Shapes: C model width, V vocabulary, T context length.
 */
final class GgmlRoundingLlama {
    private static final TensorOps OPS = TensorOps.scalar();

    /**
     * A weight matrix dequantized to F32, and the type the file stores it in.
     *
     * @param values (rows, cols) row-major
     */
    private record Weight(float[] values, int rows, int cols, DType stored) {}

    private final LlamaConfig c;
    /** (V, C) */
    private final Weight embedding;
    private final Weight output;
    /** (layers, C) */
    private final float[][] attnNorm;
    private final float[][] ffnNorm;
    private final float[] outputNorm;
    private final Weight[] wq, wk, wv, wo, wGate, wUp, wDown;
    /** (layers, T * kvDim) */
    private final float[][] keyCache;
    private final float[][] valueCache;

    GgmlRoundingLlama(Path gguf, int contextLength) {
        try (GgufFile file = GgufFile.open(gguf)) {
            c = LlamaConfig.fromGguf(file, file.architecture());
            int layers = c.blockCount();
            embedding = weight(file, TensorKey.TOKEN_EMBD.weight());
            output = file.findTensor(TensorKey.OUTPUT.weight()).isPresent()
                    ? weight(file, TensorKey.OUTPUT.weight()) : embedding;
            outputNorm = file.tensor(TensorKey.OUTPUT_NORM.weight()).toFloatArray();
            attnNorm = new float[layers][];
            ffnNorm = new float[layers][];
            wq = new Weight[layers];
            wk = new Weight[layers];
            wv = new Weight[layers];
            wo = new Weight[layers];
            wGate = new Weight[layers];
            wUp = new Weight[layers];
            wDown = new Weight[layers];
            for (int l = 0; l < layers; l++) {
                attnNorm[l] = file.tensor(TensorKey.ATTN_NORM.weight(l)).toFloatArray();
                ffnNorm[l] = file.tensor(TensorKey.FFN_NORM.weight(l)).toFloatArray();
                wq[l] = weight(file, TensorKey.ATTN_Q.weight(l));
                wk[l] = weight(file, TensorKey.ATTN_K.weight(l));
                wv[l] = weight(file, TensorKey.ATTN_V.weight(l));
                wo[l] = weight(file, TensorKey.ATTN_OUTPUT.weight(l));
                wGate[l] = weight(file, TensorKey.FFN_GATE.weight(l));
                wUp[l] = weight(file, TensorKey.FFN_UP.weight(l));
                wDown[l] = weight(file, TensorKey.FFN_DOWN.weight(l));
            }
        }
        keyCache = new float[c.blockCount()][contextLength * c.kvDim()];
        valueCache = new float[c.blockCount()][contextLength * c.kvDim()];
    }

    private static Weight weight(GgufFile file, String name) {
        Tensor stored = file.tensor(name);
        return new Weight(stored.toFloatArray(), stored.rows(), stored.cols(), stored.type());
    }

    /**
     * Runs {@code token} at {@code position} and returns the next-token logits. Positions go in order from 0;
     * running position p again overwrites its cache entry, so {@code forward(t, 0)} evaluates a one-token context.
     */
    float[] forward(int token, int position) {
        int dim = c.embeddingLength();
        float[] x = new float[dim];
        System.arraycopy(embedding.values(), token * dim, x, 0, dim);
        float[] cos = new float[c.ropeDimensions() / 2];
        float[] sin = new float[cos.length];
        // θ_i = position · base^(-2i/d), the ratio applied in float once per pair, as ggml does.
        float thetaScale = (float) Math.pow(c.ropeFreqBase(), -2.0f / c.ropeDimensions());
        float theta = position;
        for (int i = 0; i < cos.length; i++) {
            cos[i] = (float) Math.cos(theta);
            sin[i] = (float) Math.sin(theta);
            theta *= thetaScale;
        }
        for (int l = 0; l < c.blockCount(); l++) {
            attention(x, l, position, cos, sin);
            feedForward(x, l);
        }
        float[] xn = new float[dim];
        OPS.rmsnorm(xn, 0, x, 0, outputNorm, dim, c.rmsEpsilon());
        return matmul(output, xn);
    }

    private void attention(float[] x, int l, int position, float[] cos, float[] sin) {
        int dim = c.embeddingLength();
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        float[] xn = new float[dim];
        OPS.rmsnorm(xn, 0, x, 0, attnNorm[l], dim, c.rmsEpsilon());
        float[] q = matmul(wq[l], xn);
        float[] k = matmul(wk[l], xn);
        float[] v = matmul(wv[l], xn);
        for (int h = 0; h < c.headCount(); h++) OPS.rope(q, h * headDim, c.ropeDimensions(), cos, sin, c.ropeMode());
        for (int h = 0; h < c.headCountKv(); h++) OPS.rope(k, h * headDim, c.ropeDimensions(), cos, sin, c.ropeMode());
        System.arraycopy(k, 0, keyCache[l], position * kvDim, kvDim);
        System.arraycopy(v, 0, valueCache[l], position * kvDim, kvDim);

        float scale = (float) (1.0 / Math.sqrt(headDim));
        int group = c.headCount() / c.headCountKv();
        float[] out = new float[c.qDim()];
        float[] scores = new float[position + 1];
        for (int h = 0; h < c.headCount(); h++) {
            int kvOff = (h / group) * headDim;
            for (int t = 0; t <= position; t++) {
                scores[t] = OPS.dot(q, h * headDim, keyCache[l], t * kvDim + kvOff, headDim) * scale;
            }
            OPS.softmax(scores, 0, position + 1);
            for (int t = 0; t <= position; t++) {
                OPS.axpy(scores[t], valueCache[l], t * kvDim + kvOff, out, h * headDim, headDim);
            }
        }
        OPS.axpy(1f, matmul(wo[l], out), 0, x, 0, dim);
    }

    private void feedForward(float[] x, int l) {
        int dim = c.embeddingLength();
        float[] xn = new float[dim];
        OPS.rmsnorm(xn, 0, x, 0, ffnNorm[l], dim, c.rmsEpsilon());
        float[] gate = matmul(wGate[l], xn);
        float[] up = matmul(wUp[l], xn);
        OPS.silu(gate, 0, gate.length);
        OPS.mul(gate, up, gate.length);
        OPS.axpy(1f, matmul(wDown[l], gate), 0, x, 0, dim);
    }

    /** W · round(x), with x rounded to the weight's ggml vec_dot_type. */
    private static float[] matmul(Weight w, float[] x) {
        float[] rounded = roundAsGgml(x, w.stored());
        float[] out = new float[w.rows()];
        for (int r = 0; r < w.rows(); r++) out[r] = OPS.dot(w.values(), r * w.cols(), rounded, 0, w.cols());
        return out;
    }

    /** {@code x} converted to the type ggml's CPU backend dots a {@code weightType} row with, and back. */
    private static float[] roundAsGgml(float[] x, DType weightType) {
        DType vecDotType = switch (weightType) {
            case F32 -> null;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            case Q8_0, Q4_0 -> DType.Q8_0;
            default -> throw new IllegalArgumentException("no vec_dot_type known for " + weightType);
        };
        if (vecDotType == null) return x;
        return Quantizer.tensor("x", vecDotType, x, x.length).toFloatArray();
    }
}
