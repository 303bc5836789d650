package ai.basalt.generate;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.RopeMode;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Test oracle: llama.cpp's (b4916) CPU graphs of the families Basalt runs ({@code llm_build_llama}, {@code _qwen2},
 * {@code _qwen3}, {@code _phi3}, {@code _gpt2}), one token at a time over an F32 KV cache, in Basalt's kernels
 * ({@link TensorOps#best()}) with ggml's roundings of activations ({@link GgmlRoundingOps}): it reproduces llama.cpp's
 * logits on files of any type Basalt computes, to float32 summation order ({@link LlamaCppParityTest}). It reads its
 * hyper-parameters from the GGUF file with its own few lines (the keys llama.cpp reads), and dequantizes every matrix
 * once with Basalt's scalar reference decoders ({@link Tensor#toFloatArray()}): ggml's integer dot product of a
 * quantized row with a quantized activation equals, in exact arithmetic, the dequantized row times the dequantized
 * activation, and F32 rows are also the fastest to multiply.
 *
 * <p>Shapes: C model width, F MLP width, hd head width, V vocabulary, T capacity (positions).
 */
final class GgmlDecoder implements AutoCloseable {

    /** What llama.cpp reads from the file, and the flags its tensor list implies. */
    record Config(String arch, int dim, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, float eps,
            float ropeBase, int ropeDims, float ropeFreqScale, RopeMode ropeMode) {
        boolean gpt2() {
            return arch.equals("gpt2");
        }

        int qDim() {
            return heads * headDim;
        }

        int kvDim() {
            return kvHeads * headDim;
        }

        static Config of(GgufFile file) {
            GgufMetadata m = file.metadata();
            String a = file.architecture();
            int dim = m.getInt(MetadataKey.EMBEDDING_LENGTH.of(a));
            int heads = m.getInt(MetadataKey.ATTENTION_HEAD_COUNT.of(a));
            int headDim = m.findInt(MetadataKey.ATTENTION_KEY_LENGTH.of(a)).orElse(dim / heads);
            boolean linear = m.findString(MetadataKey.ROPE_SCALING_TYPE.of(a)).orElse("linear").equals("linear");
            float factor = m.findFloat(MetadataKey.ROPE_SCALING_FACTOR.of(a)).orElse(0f);
            return new Config(a, dim, m.getInt(MetadataKey.FEED_FORWARD_LENGTH.of(a)), m.getInt(MetadataKey.BLOCK_COUNT.of(a)),
                    heads, m.findInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(a)).orElse(heads), headDim,
                    file.tensor(TensorKey.TOKEN_EMBD.weight()).rows(),
                    a.equals("gpt2") ? m.getFloat(MetadataKey.ATTENTION_LAYER_NORM_EPSILON.of(a))
                            : m.getFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(a)),
                    m.findFloat(MetadataKey.ROPE_FREQ_BASE.of(a)).orElse(10000f),
                    m.findInt(MetadataKey.ROPE_DIMENSION_COUNT.of(a)).orElse(headDim),
                    linear && factor > 0 ? 1 / factor : 1f,
                    // llama_model_rope_type: LLAMA_ROPE_TYPE_NORM for llama (mistral is llama), NEOX for the others
                    a.equals("llama") || a.equals("mistral") ? RopeMode.NORMAL : RopeMode.NEOX);
        }
    }

    /** A matrix dequantized to F32, and the type the file stores it in (which decides the activation rounding). */
    private record Weight(Tensor values, DType stored) {}

    private final GgufFile file;
    private final GgmlRoundingOps ops = new GgmlRoundingOps(TensorOps.best());
    private final Map<String, Weight> weights = new HashMap<>();
    private final Config c;
    /** Llama 3's per-pair frequency divisors, or null */
    private final float[] ropeFactors;
    /** (layers, T · kvDim) */
    private final float[][] keys, values;

    GgmlDecoder(Path gguf, int capacity) {
        this.file = GgufFile.open(gguf);
        this.c = Config.of(file);
        for (GgufTensorInfo info : file.tensors()) {
            if (info.dims().length == 2) {
                Tensor t = file.tensor(info);
                weights.put(info.name(), new Weight(Tensor.ofFloats(info.name(), t.toFloatArray(), t.dims()), t.type()));
            }
        }
        this.ropeFactors = find(TensorKey.ROPE_FREQS.weight()).map(Tensor::toFloatArray).orElse(null);
        keys = new float[c.layers()][capacity * c.kvDim()];
        values = new float[c.layers()][capacity * c.kvDim()];
    }

    /** The kernels, through which a test follows llama.cpp's rounding decisions ({@link GgmlRoundingOps#follow}). */
    GgmlRoundingOps ops() {
        return ops;
    }

    /**
     * The logits (V) after {@code token} at {@code position}, or null without {@code computeLogits}; earlier positions
     * must have been fed in order.
     */
    float[] forward(int token, int position, boolean computeLogits) {
        float[] x = new float[c.dim()];
        ops.dequantizeRow(weight(TensorKey.TOKEN_EMBD.weight()).values(), token, x, 0);
        if (c.gpt2()) {
            float[] pos = new float[c.dim()];
            ops.dequantizeRow(weight(TensorKey.POSITION_EMBD.weight()).values(), position, pos, 0);
            ops.axpy(1f, pos, 0, x, 0, c.dim());
        }
        float[][] rope = c.gpt2() ? null : ropeCache(position);
        for (int l = 0; l < c.layers(); l++) {
            add(x, attention(norm(x, TensorKey.ATTN_NORM, l), l, position, rope));
            add(x, feedForward(norm(x, TensorKey.FFN_NORM, l), l));
        }
        if (!computeLogits) return null;
        float[] h = norm(x, TensorKey.OUTPUT_NORM, -1);
        Weight output = weights.getOrDefault(TensorKey.OUTPUT.weight(), weight(TensorKey.TOKEN_EMBD.weight()));
        return matmul(output, h, null);
    }

    /** cos and sin of θ_i = scale · pos · base^(-2i/d) / factor_i, with θ advanced by the float ratio as ggml does. */
    private float[][] ropeCache(int position) {
        float[] cos = new float[c.ropeDims() / 2], sin = new float[c.ropeDims() / 2];
        float thetaScale = (float) Math.pow(c.ropeBase(), -2.0f / c.ropeDims());
        float theta = position;
        for (int i = 0; i < cos.length; i++) {
            float angle = c.ropeFreqScale() * (ropeFactors == null ? theta : theta / ropeFactors[i]);
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
            theta *= thetaScale;
        }
        return new float[][] {cos, sin};
    }

    private float[] attention(float[] h, int l, int position, float[][] rope) {
        int hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim();
        float[] q = new float[qDim], k = new float[kvDim], v = new float[kvDim];
        Weight fused = weights.get(TensorKey.ATTN_QKV.weight(l));
        if (fused != null) {
            float[] qkv = matmul(fused, h, TensorKey.ATTN_QKV.bias(l));
            System.arraycopy(qkv, 0, q, 0, qDim);
            System.arraycopy(qkv, qDim, k, 0, kvDim);
            System.arraycopy(qkv, qDim + kvDim, v, 0, kvDim);
        } else {
            q = matmul(weight(TensorKey.ATTN_Q.weight(l)), h, TensorKey.ATTN_Q.bias(l));
            k = matmul(weight(TensorKey.ATTN_K.weight(l)), h, TensorKey.ATTN_K.bias(l));
            v = matmul(weight(TensorKey.ATTN_V.weight(l)), h, TensorKey.ATTN_V.bias(l));
        }
        Optional<Tensor> qNorm = find(TensorKey.ATTN_Q_NORM.weight(l));
        if (qNorm.isPresent()) { // qwen3: RMSNorm of each head before RoPE
            float[] qw = qNorm.get().toFloatArray(), kw = tensor(TensorKey.ATTN_K_NORM.weight(l)).toFloatArray();
            for (int head = 0; head < c.heads(); head++) ops.rmsnorm(q, head * hd, q, head * hd, qw, hd, c.eps());
            for (int head = 0; head < c.kvHeads(); head++) ops.rmsnorm(k, head * hd, k, head * hd, kw, hd, c.eps());
        }
        if (rope != null) {
            for (int head = 0; head < c.heads(); head++) ops.rope(q, head * hd, c.ropeDims(), rope[0], rope[1], c.ropeMode());
            for (int head = 0; head < c.kvHeads(); head++) ops.rope(k, head * hd, c.ropeDims(), rope[0], rope[1], c.ropeMode());
        }
        System.arraycopy(k, 0, keys[l], position * kvDim, kvDim);
        System.arraycopy(v, 0, values[l], position * kvDim, kvDim);

        float scale = (float) (1.0 / Math.sqrt(hd));
        int group = c.heads() / c.kvHeads();
        float[] out = new float[qDim];
        float[] scores = new float[position + 1];
        for (int head = 0; head < c.heads(); head++) {
            int kvOff = (head / group) * hd;
            for (int t = 0; t <= position; t++) scores[t] = ops.dot(q, head * hd, keys[l], t * kvDim + kvOff, hd) * scale;
            ops.softmax(scores, 0, position + 1);
            for (int t = 0; t <= position; t++) ops.axpy(scores[t], values[l], t * kvDim + kvOff, out, head * hd, hd);
        }
        return matmul(weight(TensorKey.ATTN_OUTPUT.weight(l)), out, TensorKey.ATTN_OUTPUT.bias(l));
    }

    /** GPT-2: down(GELU(up(h))) with biases; the others: SwiGLU, phi3's stacked {@code ffn_up} gate rows first. */
    private float[] feedForward(float[] h, int l) {
        int f = c.ffn();
        if (c.gpt2()) {
            float[] hidden = matmul(weight(TensorKey.FFN_UP.weight(l)), h, TensorKey.FFN_UP.bias(l));
            ops.gelu(hidden, 0, f, TensorKey.FFN_DOWN.weight(l));
            return matmul(weight(TensorKey.FFN_DOWN.weight(l)), hidden, TensorKey.FFN_DOWN.bias(l));
        }
        float[] gate, up;
        Weight gateWeight = weights.get(TensorKey.FFN_GATE.weight(l));
        if (gateWeight != null) {
            gate = matmul(gateWeight, h, null);
            up = matmul(weight(TensorKey.FFN_UP.weight(l)), h, null);
        } else {
            float[] gateUp = matmul(weight(TensorKey.FFN_UP.weight(l)), h, null);
            gate = Arrays.copyOfRange(gateUp, 0, f);
            up = Arrays.copyOfRange(gateUp, f, 2 * f);
        }
        ops.silu(gate, 0, f);
        ops.mul(gate, up, f);
        return matmul(weight(TensorKey.FFN_DOWN.weight(l)), gate, null);
    }

    /** RMSNorm (LayerNorm with its bias for GPT-2) of x with the weights of {@code key} in layer l (-1: model-wide). */
    private float[] norm(float[] x, TensorKey key, int l) {
        float[] out = new float[c.dim()];
        float[] w = tensor(l < 0 ? key.weight() : key.weight(l)).toFloatArray();
        if (c.gpt2()) {
            float[] b = tensor(l < 0 ? key.bias() : key.bias(l)).toFloatArray();
            ops.layernorm(out, 0, x, 0, w, b, c.dim(), c.eps());
        } else {
            ops.rmsnorm(out, 0, x, 0, w, c.dim(), c.eps());
        }
        return out;
    }

    /** W · x with x rounded for W's stored type, plus the bias named {@code bias} where the file has it. */
    private float[] matmul(Weight w, float[] x, String bias) {
        float[] out = new float[w.values().rows()];
        ops.matmul(w.values(), w.stored(), x, out);
        if (bias != null) find(bias).ifPresent(b -> ops.axpy(1f, b.toFloatArray(), 0, out, 0, out.length));
        return out;
    }

    private Tensor tensor(String name) {
        return file.tensor(name);
    }

    private Weight weight(String name) {
        Weight w = weights.get(name);
        if (w == null) throw new IllegalArgumentException(file.path() + " has no matrix " + name);
        return w;
    }

    private Optional<Tensor> find(String name) {
        return file.findTensor(name).map(file::tensor);
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    @Override
    public void close() {
        file.close();
    }
}
