package ai.basalt.generate;

import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test oracle: the Llama-family decoder written out once more, plainly and in double precision, from llama.cpp's
 * graphs ({@code llm_build_llama}, {@code llm_build_qwen2}, {@code llm_build_qwen3}, {@code llm_build_phi3} and
 * {@code ggml_rope_cache_init}), over the tensors a test writes to GGUF. It shares no code with Basalt's engine,
 * so it can stand in for llama.cpp where the bundled llama.cpp lacks an architecture (qwen3); the conformance test
 * first checks it against llama.cpp on every family that llama.cpp runs.
 *
 * <p>Shapes: C model width, F MLP width, hd head width; a GGML matrix {@code {cols, rows}} is rows of cols values.
 */
final class ReferenceDecoder {
    /** Hyper-parameters and the family's flags. */
    record Config(int dim, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, double epsilon,
            double ropeBase, boolean neox, double ropeFreqScale, boolean bias, boolean qkNorm, boolean fused) {}

    private final Config c;
    private final Map<String, float[]> w = new HashMap<>();
    /** (layers, positions, kvHeads · hd) */
    private final double[][][] keys, values;

    ReferenceDecoder(Config c, List<Tensor> tensors, int capacity) {
        this.c = c;
        for (Tensor t : tensors) w.put(t.name(), t.toFloatArray());
        keys = new double[c.layers()][capacity][];
        values = new double[c.layers()][capacity][];
    }

    /** The logits after {@code token} at {@code position}; earlier positions must have been fed in order. */
    double[] forward(int token, int position) {
        double[] x = row(TensorKey.TOKEN_EMBD.weight(), token, c.dim());
        for (int l = 0; l < c.layers(); l++) {
            add(x, attention(rmsnorm(x, w.get(TensorKey.ATTN_NORM.weight(l))), l, position));
            add(x, feedForward(rmsnorm(x, w.get(TensorKey.FFN_NORM.weight(l))), l));
        }
        double[] h = rmsnorm(x, w.get(TensorKey.OUTPUT_NORM.weight()));
        String out = w.containsKey(TensorKey.OUTPUT.weight()) ? TensorKey.OUTPUT.weight() : TensorKey.TOKEN_EMBD.weight();
        return matvec(out, h, c.vocab(), 0);
    }

    private double[] attention(double[] h, int l, int position) {
        int hd = c.headDim(), qDim = c.heads() * hd, kvDim = c.kvHeads() * hd;
        double[] q, k, v;
        if (c.fused()) {
            q = matvec(TensorKey.ATTN_QKV.weight(l), h, qDim, 0);
            k = matvec(TensorKey.ATTN_QKV.weight(l), h, kvDim, qDim);
            v = matvec(TensorKey.ATTN_QKV.weight(l), h, kvDim, qDim + kvDim);
        } else {
            q = matvec(TensorKey.ATTN_Q.weight(l), h, qDim, 0);
            k = matvec(TensorKey.ATTN_K.weight(l), h, kvDim, 0);
            v = matvec(TensorKey.ATTN_V.weight(l), h, kvDim, 0);
        }
        if (c.bias()) {
            add(q, w.get(TensorKey.ATTN_Q.bias(l)));
            add(k, w.get(TensorKey.ATTN_K.bias(l)));
            add(v, w.get(TensorKey.ATTN_V.bias(l)));
        }
        for (int head = 0; head < c.heads(); head++) {
            if (c.qkNorm()) headNorm(q, head, w.get(TensorKey.ATTN_Q_NORM.weight(l)));
            rope(q, head * hd, position);
        }
        for (int head = 0; head < c.kvHeads(); head++) {
            if (c.qkNorm()) headNorm(k, head, w.get(TensorKey.ATTN_K_NORM.weight(l)));
            rope(k, head * hd, position);
        }
        keys[l][position] = k;
        values[l][position] = v;
        double[] out = new double[qDim];
        int group = c.heads() / c.kvHeads();
        for (int head = 0; head < c.heads(); head++) {
            int kvOff = (head / group) * hd;
            double[] p = new double[position + 1];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int t = 0; t <= position; t++) {
                double s = 0;
                for (int i = 0; i < hd; i++) s += q[head * hd + i] * keys[l][t][kvOff + i];
                p[t] = s / Math.sqrt(hd);
                max = Math.max(max, p[t]);
            }
            for (int t = 0; t <= position; t++) sum += p[t] = Math.exp(p[t] - max);
            for (int t = 0; t <= position; t++) {
                for (int i = 0; i < hd; i++) out[head * hd + i] += p[t] / sum * values[l][t][kvOff + i];
            }
        }
        return matvec(TensorKey.ATTN_OUTPUT.weight(l), out, c.dim(), 0);
    }

    /** SwiGLU; phi3's stacked {@code ffn_up} holds the gate rows, then the up rows. */
    private double[] feedForward(double[] h, int l) {
        double[] gate = c.fused()
                ? matvec(TensorKey.FFN_UP.weight(l), h, c.ffn(), 0)
                : matvec(TensorKey.FFN_GATE.weight(l), h, c.ffn(), 0);
        double[] up = matvec(TensorKey.FFN_UP.weight(l), h, c.ffn(), c.fused() ? c.ffn() : 0);
        for (int i = 0; i < gate.length; i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        return matvec(TensorKey.FFN_DOWN.weight(l), gate, c.dim(), 0);
    }

    /** θ_i = scale · pos · base^(-2i/d) / factor_i; pairs (2i, 2i+1) or, NEOX, (i, i + d/2). */
    private void rope(double[] x, int off, int position) {
        int hd = c.headDim();
        float[] factors = w.get(TensorKey.ROPE_FREQS.weight());
        for (int i = 0; i < hd / 2; i++) {
            double theta = c.ropeFreqScale() * position * Math.pow(c.ropeBase(), -2.0 * i / hd)
                    / (factors == null ? 1 : factors[i]);
            int a = c.neox() ? off + i : off + 2 * i;
            int b = c.neox() ? a + hd / 2 : a + 1;
            double x0 = x[a], x1 = x[b];
            x[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
            x[b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
        }
    }

    private void headNorm(double[] x, int head, float[] weight) {
        int hd = c.headDim();
        double[] part = new double[hd];
        System.arraycopy(x, head * hd, part, 0, hd);
        System.arraycopy(rmsnorm(part, weight), 0, x, head * hd, hd);
    }

    private double[] rmsnorm(double[] x, float[] weight) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double scale = 1 / Math.sqrt(ss / x.length + c.epsilon());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * scale * weight[i];
        return out;
    }

    /** Rows {@code [first, first + rows)} of matrix {@code name} times x. */
    private double[] matvec(String name, double[] x, int rows, int first) {
        float[] m = w.get(name);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            int base = (first + r) * x.length;
            for (int i = 0; i < x.length; i++) s += m[base + i] * x[i];
            out[r] = s;
        }
        return out;
    }

    private double[] row(String name, int r, int cols) {
        float[] m = w.get(name);
        double[] out = new double[cols];
        for (int i = 0; i < cols; i++) out[i] = m[r * cols + i];
        return out;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    private static void add(double[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }
}
