package ai.basalt.model.hf;

import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.llama.LlamaRopeLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Which tensor of a Hugging Face checkpoint is which GGUF tensor, with its shape and how its bytes move, per
 * family, as llama.cpp's {@code convert_hf_to_gguf.py} maps them ({@code gguf-py tensor_mapping.py}): Llama-style
 * {@code model.layers.N.self_attn.q_proj} is {@code blk.N.attn_q}, Phi-3's fused {@code qkv_proj} and
 * {@code gate_up_proj} are {@code attn_qkv} and {@code ffn_up}, GPT-2's {@code h.N.attn.c_attn} is
 * {@code blk.N.attn_qkv}. One table serves both directions.
 *
 * <p>Shapes are Hugging Face's (row-major, outermost first). A tensor's bytes move unchanged, except Llama's query
 * and key rows, permuted between rotate-half and adjacent-pair order ({@link LlamaRopeLayout}), and GPT-2's
 * {@code Conv1D} weights, stored (in, out) by Hugging Face and (out rows, in columns) by GGUF: transposed.
 */
final class TensorMap {
    /** How a tensor's bytes move between the two layouts. */
    enum Layout {
        AS_IS,
        /** Query or key rows, rotate-half order in Hugging Face, adjacent pairs in GGUF. */
        ROPE_ROWS,
        /** A GPT-2 {@code Conv1D} weight: (in, out) in Hugging Face, transposed in GGUF. */
        CONV1D
    }

    /**
     * The sizes a checkpoint's tensors follow.
     *
     * @param positions learned positions (GPT-2's {@code wpe}); unused by the Llama family
     * @param tied whether the output projection is the token embedding (no {@code lm_head.weight})
     */
    record Shapes(int dim, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, int positions,
            boolean tied) {
        int qDim() {
            return heads * headDim;
        }

        int kvDim() {
            return kvHeads * headDim;
        }
    }

    /**
     * One tensor.
     *
     * @param hfShape Hugging Face's shape, outermost first
     * @param heads the heads whose rows {@link Layout#ROPE_ROWS} permutes; 0 otherwise
     */
    record Entry(String hfName, String ggufName, long[] hfShape, Layout layout, int heads, int headDim) {
        /** The GGUF dimensions, innermost first. */
        long[] ggufDims() {
            long[] dims = new long[hfShape.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = layout == Layout.CONV1D ? hfShape[i] : hfShape[hfShape.length - 1 - i];
            }
            return dims;
        }

        /** Copies Hugging Face bytes {@code src} into GGUF layout {@code dst}, elements of {@code width} bytes. */
        void toGguf(MemorySegment src, MemorySegment dst, int width) {
            switch (layout) {
                case AS_IS -> dst.copyFrom(src);
                case ROPE_ROWS -> LlamaRopeLayout.halvesToPairs(src, dst, heads, headDim, hfShape[1] * width);
                case CONV1D -> transpose(src, dst, hfShape[0], hfShape[1], width);
            }
        }

        /** The inverse of {@link #toGguf}. */
        void toHuggingFace(MemorySegment src, MemorySegment dst, int width) {
            switch (layout) {
                case AS_IS -> dst.copyFrom(src);
                case ROPE_ROWS -> LlamaRopeLayout.pairsToHalves(src, dst, heads, headDim, hfShape[1] * width);
                case CONV1D -> transpose(src, dst, hfShape[1], hfShape[0], width);
            }
        }
    }

    private TensorMap() {}

    /** Tensor names that checkpoints carry but the model does not use (buffers saved by old transformers). */
    static boolean ignored(String hfName) {
        return hfName.endsWith(".rotary_emb.inv_freq") || hfName.endsWith(".attn.bias")
                || hfName.endsWith(".attn.masked_bias");
    }

    /** The tensors of a {@code family} checkpoint of these shapes, in GGUF order. */
    static List<Entry> of(ModelFamily family, Shapes s) {
        return family == ModelFamily.GPT2 ? gpt2(s) : llama(family, s);
    }

    private static List<Entry> llama(ModelFamily f, Shapes s) {
        List<Entry> out = new ArrayList<>();
        long c = s.dim();
        out.add(plain("model.embed_tokens.weight", TensorKey.TOKEN_EMBD.weight(), s.vocab(), c));
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(plain(p + "input_layernorm.weight", TensorKey.ATTN_NORM.weight(l), c));
            if (f == ModelFamily.PHI3) {
                out.add(plain(p + "self_attn.qkv_proj.weight", TensorKey.ATTN_QKV.weight(l), s.qDim() + 2L * s.kvDim(), c));
            } else {
                out.add(rope(f, p + "self_attn.q_proj.weight", TensorKey.ATTN_Q.weight(l), s.heads(), s, c));
                out.add(rope(f, p + "self_attn.k_proj.weight", TensorKey.ATTN_K.weight(l), s.kvHeads(), s, c));
                out.add(plain(p + "self_attn.v_proj.weight", TensorKey.ATTN_V.weight(l), s.kvDim(), c));
            }
            if (f == ModelFamily.QWEN2) {
                out.add(plain(p + "self_attn.q_proj.bias", TensorKey.ATTN_Q.bias(l), s.qDim()));
                out.add(plain(p + "self_attn.k_proj.bias", TensorKey.ATTN_K.bias(l), s.kvDim()));
                out.add(plain(p + "self_attn.v_proj.bias", TensorKey.ATTN_V.bias(l), s.kvDim()));
            }
            if (f == ModelFamily.QWEN3) {
                out.add(plain(p + "self_attn.q_norm.weight", TensorKey.ATTN_Q_NORM.weight(l), s.headDim()));
                out.add(plain(p + "self_attn.k_norm.weight", TensorKey.ATTN_K_NORM.weight(l), s.headDim()));
            }
            out.add(plain(p + "self_attn.o_proj.weight", TensorKey.ATTN_OUTPUT.weight(l), c, s.qDim()));
            out.add(plain(p + "post_attention_layernorm.weight", TensorKey.FFN_NORM.weight(l), c));
            if (f == ModelFamily.PHI3) {
                out.add(plain(p + "mlp.gate_up_proj.weight", TensorKey.FFN_UP.weight(l), 2L * s.ffn(), c));
            } else {
                out.add(plain(p + "mlp.gate_proj.weight", TensorKey.FFN_GATE.weight(l), s.ffn(), c));
                out.add(plain(p + "mlp.up_proj.weight", TensorKey.FFN_UP.weight(l), s.ffn(), c));
            }
            out.add(plain(p + "mlp.down_proj.weight", TensorKey.FFN_DOWN.weight(l), c, s.ffn()));
        }
        out.add(plain("model.norm.weight", TensorKey.OUTPUT_NORM.weight(), c));
        if (!s.tied()) out.add(plain("lm_head.weight", TensorKey.OUTPUT.weight(), s.vocab(), c));
        return out;
    }

    /** GPT-2 under {@code GPT2LMHeadModel}'s state-dict names; checkpoints of the bare model omit "transformer.". */
    private static List<Entry> gpt2(Shapes s) {
        List<Entry> out = new ArrayList<>();
        long c = s.dim();
        String t = "transformer.";
        out.add(plain(t + "wte.weight", TensorKey.TOKEN_EMBD.weight(), s.vocab(), c));
        out.add(plain(t + "wpe.weight", TensorKey.POSITION_EMBD.weight(), s.positions(), c));
        for (int l = 0; l < s.layers(); l++) {
            String p = t + "h." + l + ".";
            out.add(plain(p + "ln_1.weight", TensorKey.ATTN_NORM.weight(l), c));
            out.add(plain(p + "ln_1.bias", TensorKey.ATTN_NORM.bias(l), c));
            out.add(conv1d(p + "attn.c_attn.weight", TensorKey.ATTN_QKV.weight(l), c, 3 * c));
            out.add(plain(p + "attn.c_attn.bias", TensorKey.ATTN_QKV.bias(l), 3 * c));
            out.add(conv1d(p + "attn.c_proj.weight", TensorKey.ATTN_OUTPUT.weight(l), c, c));
            out.add(plain(p + "attn.c_proj.bias", TensorKey.ATTN_OUTPUT.bias(l), c));
            out.add(plain(p + "ln_2.weight", TensorKey.FFN_NORM.weight(l), c));
            out.add(plain(p + "ln_2.bias", TensorKey.FFN_NORM.bias(l), c));
            out.add(conv1d(p + "mlp.c_fc.weight", TensorKey.FFN_UP.weight(l), c, s.ffn()));
            out.add(plain(p + "mlp.c_fc.bias", TensorKey.FFN_UP.bias(l), s.ffn()));
            out.add(conv1d(p + "mlp.c_proj.weight", TensorKey.FFN_DOWN.weight(l), s.ffn(), c));
            out.add(plain(p + "mlp.c_proj.bias", TensorKey.FFN_DOWN.bias(l), c));
        }
        out.add(plain(t + "ln_f.weight", TensorKey.OUTPUT_NORM.weight(), c));
        out.add(plain(t + "ln_f.bias", TensorKey.OUTPUT_NORM.bias(), c));
        if (!s.tied()) out.add(plain("lm_head.weight", TensorKey.OUTPUT.weight(), s.vocab(), c));
        return out;
    }

    private static Entry plain(String hf, String gguf, long... shape) {
        return new Entry(hf, gguf, shape, Layout.AS_IS, 0, 0);
    }

    private static Entry rope(ModelFamily f, String hf, String gguf, int heads, Shapes s, long cols) {
        long[] shape = {(long) heads * s.headDim(), cols};
        return f.permutesRope() ? new Entry(hf, gguf, shape, Layout.ROPE_ROWS, heads, s.headDim())
                : new Entry(hf, gguf, shape, Layout.AS_IS, 0, 0);
    }

    private static Entry conv1d(String hf, String gguf, long in, long out) {
        return new Entry(hf, gguf, new long[] {in, out}, Layout.CONV1D, 0, 0);
    }

    /** {@code dst} (cols, rows) = {@code src} (rows, cols) transposed, elements of {@code width} bytes. */
    static void transpose(MemorySegment src, MemorySegment dst, long rows, long cols, int width) {
        for (long r = 0; r < rows; r++) {
            for (long col = 0; col < cols; col++) {
                long from = (r * cols + col) * width;
                long to = (col * rows + r) * width;
                switch (width) {
                    case 4 -> dst.set(ValueLayout.JAVA_INT_UNALIGNED, to, src.get(ValueLayout.JAVA_INT_UNALIGNED, from));
                    case 2 -> dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, to, src.get(ValueLayout.JAVA_SHORT_UNALIGNED, from));
                    default -> MemorySegment.copy(src, from, dst, to, width);
                }
            }
        }
    }
}
