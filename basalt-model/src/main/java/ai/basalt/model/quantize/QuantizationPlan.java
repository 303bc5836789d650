package ai.basalt.model.quantize;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type every tensor of a model gets when quantized to a {@link QuantizeType}, decided as llama.cpp decides
 * it ({@code src/llama-quant.cpp}: the {@code quantize &= …} filter of {@code llama_model_quantize_impl}, then
 * {@code llama_tensor_get_type}), in the order llama.cpp writes the tensors: model-wide tensors first, then
 * layer by layer, by name within each ({@code llama_model_loader::weight_name_comparer}).
 *
 * <p>The rules that matter for the types Basalt writes:
 * <ul>
 *   <li>Only tensors whose name ends in {@code weight}, with at least 2 dimensions, that are not norms
 *       ({@code _norm.weight}), position embeddings or token types are quantized; the others are copied as they are.
 *   <li>{@code output.weight} (or {@code token_embd.weight} when the model has no {@code output.weight}, so the two
 *       are tied) becomes Q6_K (Q8_0 staying Q8_0), falling back to Q8_0 when its rows are not a multiple of 256.
 *   <li>Q4_K_M and Q5_K_M give Q6_K to {@code attn_v} and {@code ffn_down} on the layers {@link #useMoreBits} picks;
 *       Q4_K_S gives Q5_K to the first 4 {@code attn_v} and to {@code ffn_down} of the first eighth of the layers;
 *       {@code attn_qkv} gets Q5_K under Q4_K_M and Q6_K under Q5_K_M; a llama 70B (80 layers, grouped-query
 *       attention) gets Q5_K for a Q4_K {@code attn_v}.
 *   <li>A type whose block does not divide the row length falls back: Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, then
 *       F16 if that still does not divide it; any other type cannot fall back and the model is refused.
 *   <li>A tensor already in its target type is copied unchanged.
 * </ul>
 * Not modelled: imatrix-dependent rules, mixture-of-experts rules ({@code n_expert == 8}) and Falcon's.
 */
public final class QuantizationPlan {

    /** One tensor of the output: its source, its new type, and whether its data must be re-encoded. */
    public record Entry(GgufTensorInfo source, DType type, boolean requantize) {
        public Entry {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(type, "type");
        }

        public String name() {
            return source.name();
        }

        /** Bytes the tensor occupies in its new type. */
        public long byteSize() {
            return type.byteSize(source.elementCount());
        }
    }

    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

    private final QuantizeType target;
    private final List<Entry> entries;
    private int fallbacks;

    private QuantizationPlan(QuantizeType target, List<Entry> entries) {
        this.target = target;
        this.entries = entries;
    }

    /**
     * The plan for a model with {@code metadata} and {@code tensors}.
     *
     * @throws IllegalArgumentException if a tensor's rows fit neither its type nor a fallback
     */
    public static QuantizationPlan of(GgufMetadata metadata, List<GgufTensorInfo> tensors, QuantizeType target) {
        Model model = Model.of(metadata, tensors);
        List<GgufTensorInfo> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparingInt(QuantizationPlan::layerOf).thenComparing(GgufTensorInfo::name));
        QuantizationPlan plan = new QuantizationPlan(target, new ArrayList<>());
        Counters counters = new Counters();
        for (GgufTensorInfo t : ordered) {
            DType type = t.type();
            if (quantizable(t)) type = plan.ruleType(t, model, counters);
            plan.entries.add(new Entry(t, type, type != t.type()));
        }
        return plan;
    }

    public QuantizeType target() {
        return target;
    }

    /** The output's tensors in the order they are written. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** How many tensors fell back to another type because their rows are not a whole number of blocks. */
    public int fallbacks() {
        return fallbacks;
    }

    /**
     * llama.cpp's {@code use_more_bits}: the first and last eighth of the layers and every third one in between
     * get more bits under the _M recipes.
     */
    public static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** The block index in a name like {@code blk.3.attn_v.weight}, or -1 for model-wide tensors. */
    static int layerOf(GgufTensorInfo t) {
        Matcher m = LAYER.matcher(t.name());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    // llama_model_quantize_impl: which tensors are quantized at all
    private static boolean quantizable(GgufTensorInfo t) {
        String name = t.name();
        return name.endsWith("weight")
                && t.dims().length >= 2
                && !name.contains("_norm.weight")
                && !name.contains("ffn_gate_inp.weight")
                && !name.equals(TensorKey.POSITION_EMBD.weight())
                && !name.equals("token_types.weight")
                && !name.contains("attn_rel_b.weight")
                && !name.contains(".position_embd.");
    }

    // llama_tensor_get_type, for the non-imatrix k-quant and legacy recipes
    private DType ruleType(GgufTensorInfo t, Model model, Counters c) {
        String name = t.name();
        DType type = target.baseType();
        boolean m = target == QuantizeType.Q4_K_M || target == QuantizeType.Q5_K_M;
        if (name.equals(TensorKey.OUTPUT.weight()) || (!model.hasOutput && name.equals(TensorKey.TOKEN_EMBD.weight()))) {
            // newer llama.cpp tests the base type's block here, older QK_K; the resulting type is the same
            if (t.dims()[0] % type.blockSize() != 0) type = DType.Q8_0;
            else if (type != DType.Q8_0) type = DType.Q6_K;
        } else if (name.equals(TensorKey.TOKEN_EMBD.weight())) {
            // the base type, for every recipe Basalt writes
        } else if (name.contains("attn_v.weight")) {
            if (m && useMoreBits(c.attentionV, model.attentionVCount)) type = DType.Q6_K;
            else if (target == QuantizeType.Q4_K_S && c.attentionV < 4) type = DType.Q5_K;
            if (model.llama70B && type == DType.Q4_K) type = DType.Q5_K;
            c.attentionV++;
        } else if (name.contains("ffn_down")) {
            int layer = c.ffnDown;
            if (m && useMoreBits(layer, model.layers)) type = DType.Q6_K;
            else if (target == QuantizeType.Q4_K_S && layer < model.layers / 8) type = DType.Q5_K;
            c.ffnDown++;
        } else if (name.contains("attn_qkv.weight")) {
            if (target == QuantizeType.Q4_K_M) type = DType.Q5_K;
            else if (target == QuantizeType.Q5_K_M) type = DType.Q6_K;
        }
        return fallback(t, type);
    }

    private DType fallback(GgufTensorInfo t, DType type) {
        long cols = t.dims()[0];
        if (cols % type.blockSize() == 0) return type;
        DType fallback = switch (type) {
            case Q4_K -> DType.Q5_0;
            case Q5_K -> DType.Q5_1;
            case Q6_K -> DType.Q8_0;
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "': rows of " + cols
                    + " values are not a multiple of " + type + "'s block of " + type.blockSize()
                    + " and " + type + " has no fallback type");
        };
        fallbacks++;
        return cols % fallback.blockSize() == 0 ? fallback : DType.F16;
    }

    /** llama.cpp's quantize_state_impl counters: attn_v and ffn_down tensors seen so far. */
    private static final class Counters {
        int attentionV;
        int ffnDown;
    }

    /** What the rules need to know about the model as a whole. */
    private record Model(boolean hasOutput, int attentionVCount, int layers, boolean llama70B) {
        static Model of(GgufMetadata metadata, List<GgufTensorInfo> tensors) {
            boolean hasOutput = false;
            int attentionV = 0;
            for (GgufTensorInfo t : tensors) {
                String name = t.name();
                if (name.contains("attn_v.weight") || name.contains("attn_qkv.weight") || name.contains("attn_kv_b.weight")) {
                    attentionV++;
                } else if (name.equals(TensorKey.OUTPUT.weight())) {
                    hasOutput = true;
                }
            }
            String arch = metadata.findString(MetadataKey.GENERAL_ARCHITECTURE.key()).orElse("");
            int layers = metadata.findInt(MetadataKey.BLOCK_COUNT.of(arch)).orElse(0);
            int heads = metadata.findInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch)).orElse(0);
            int kvHeads = metadata.findInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch)).orElse(heads);
            // llama-model.cpp: an 80-layer llama is LLM_TYPE_70B when it shares key/value heads, else 65B
            boolean llama70B = arch.equals("llama") && layers == 80 && heads != kvHeads;
            return new Model(hasOutput, attentionV, layers, llama70B);
        }
    }
}
