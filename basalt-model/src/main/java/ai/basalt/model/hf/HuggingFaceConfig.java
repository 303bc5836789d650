package ai.basalt.model.hf;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.gpt2.Gpt2Config;
import ai.basalt.model.llama.Llama3RopeScaling;
import ai.basalt.model.llama.LlamaConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The one place that maps {@code config.json} keys to GGUF hyper-parameters, and back, as llama.cpp's
 * {@code convert_hf_to_gguf.py} does for the families of {@link ModelFamily}: {@code hidden_size} is
 * {@code embedding_length}, {@code num_key_value_heads} {@code attention.head_count_kv}, a {@code head_dim} other
 * than {@code hidden_size / num_attention_heads} {@code attention.key_length}, {@code rope_scaling} of type
 * {@code linear} {@code rope.scaling.type/factor}, and of type {@code llama3} the {@code rope_freqs.weight} tensor of
 * per-frequency divisors ({@link Llama3RopeScaling}). Fields {@code config.json} lacks take the defaults of the
 * family's {@code transformers} config class; a field Basalt cannot honour is refused, never ignored.
 */
final class HuggingFaceConfig {
    /** {@code rope_scaling} types that change nothing. */
    private static final Set<String> NO_SCALING = Set.of("default", "none");
    private static final int LLAMA3_ORIGINAL_CONTEXT = 8192;

    /**
     * What {@code config.json} says, in GGUF's terms.
     *
     * @param metadata {@code general.architecture} and the {@code {arch}.*} hyper-parameters
     * @param ropeFreqs the {@code rope_freqs.weight} values Llama 3 RoPE scaling asks for, or null
     * @param bos {@code bos_token_id}, or -1
     * @param eos {@code eos_token_id} (the first, where it is a list), or -1
     */
    record Parsed(ModelFamily family, TensorMap.Shapes shapes, GgufMetadata.Builder metadata, float[] ropeFreqs,
            int bos, int eos) {}

    private HuggingFaceConfig() {}

    /** Reads {@code c}; every failure names the file and the field. */
    static Parsed read(JsonFile c) {
        ModelFamily family = family(c);
        String arch = family.ggufArchitecture;
        GgufMetadata.Builder m = GgufMetadata.builder().putString(MetadataKey.GENERAL_ARCHITECTURE.key(), arch);
        int vocab = c.requirePositiveInt("vocab_size");
        boolean tied = c.bool("tie_word_embeddings", family.tiedByDefault());
        float[] ropeFreqs = null;
        TensorMap.Shapes shapes;
        if (family == ModelFamily.GPT2) {
            int dim = c.requirePositiveInt("n_embd");
            int heads = c.requirePositiveInt("n_head");
            int positions = c.positiveInt("n_positions")
                    .orElseGet(() -> c.positiveInt("n_ctx").orElseThrow(() -> c.missing("n_positions")));
            int ffn = c.positiveInt("n_inner").orElse(4 * dim);
            if (dim % heads != 0) throw c.fail("n_head", "is " + heads + ", which does not divide n_embd " + dim);
            c.string("activation_function").filter(a -> !a.equals("gelu_new") && !a.equals("gelu_pytorch_tanh"))
                    .ifPresent(a -> {
                        throw c.fail("activation_function", "is '" + a + "'; Basalt's GPT-2 runs gelu_new");
                    });
            shapes = new TensorMap.Shapes(dim, ffn, c.requirePositiveInt("n_layer"), heads, heads, dim / heads, vocab,
                    positions, tied);
            new Gpt2Config(dim, ffn, shapes.layers(), heads, vocab, positions,
                    c.positiveFloat("layer_norm_epsilon", family.defaultEpsilon)).putGgufMetadata(m, arch);
        } else {
            shapes = llamaShapes(c, vocab, tied);
            int context = c.requirePositiveInt("max_position_embeddings");
            refuseUnsupported(c, family);
            m.putInt(MetadataKey.CONTEXT_LENGTH.of(arch), context)
                    .putInt(MetadataKey.EMBEDDING_LENGTH.of(arch), shapes.dim())
                    .putInt(MetadataKey.BLOCK_COUNT.of(arch), shapes.layers())
                    .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch), shapes.ffn())
                    .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch), shapes.heads())
                    .putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch), shapes.kvHeads())
                    .putFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(arch),
                            c.positiveFloat("rms_norm_eps", family.defaultEpsilon))
                    .putFloat(MetadataKey.ROPE_FREQ_BASE.of(arch), c.positiveFloat("rope_theta", 10000f))
                    .putInt(MetadataKey.ROPE_DIMENSION_COUNT.of(arch), ropeDimensions(c, shapes.headDim()))
                    .putInt(MetadataKey.VOCAB_SIZE.of(arch), vocab);
            if (shapes.headDim() * shapes.heads() != shapes.dim()) {
                m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch), shapes.headDim())
                        .putInt(MetadataKey.ATTENTION_VALUE_LENGTH.of(arch), shapes.headDim());
            }
            if (family == ModelFamily.PHI3) {
                // convert_hf_to_gguf.py's Phi3MiniModel: 0 stands for "no sliding window"; llama.cpp requires the key
                m.putInt(MetadataKey.ATTENTION_SLIDING_WINDOW.of(arch), c.positiveInt("sliding_window").orElse(0));
                c.positiveInt("original_max_position_embeddings").ifPresent(
                        n -> m.putInt(MetadataKey.ROPE_SCALING_ORIGINAL_CONTEXT_LENGTH.of(arch), n));
            }
            ropeFreqs = ropeScaling(c, family, shapes.headDim(), m);
        }
        JsonNode eos = c.node("eos_token_id");
        int eosId = eos != null && eos.isArray() && !eos.isEmpty() ? tokenId(c, "eos_token_id", eos.get(0))
                : c.id("eos_token_id").orElse(-1);
        return new Parsed(family, shapes, m, ropeFreqs, c.id("bos_token_id").orElse(-1), eosId);
    }

    private static ModelFamily family(JsonFile c) {
        JsonNode architectures = c.node("architectures");
        if (architectures != null) {
            if (!architectures.isArray() || architectures.isEmpty() || !architectures.get(0).isTextual()) {
                throw c.mistyped("architectures", architectures, "a list of model class names");
            }
            String name = architectures.get(0).textValue();
            return ModelFamily.ofClassName(name).orElseThrow(() -> c.fail("architectures",
                    "names " + name + ", which Basalt does not run (it runs " + ModelFamily.classNames() + ")"));
        }
        String type = c.string("model_type").orElseThrow(() -> c.missing("architectures"));
        return ModelFamily.ofModelType(type).orElseThrow(() -> c.fail("model_type",
                "is '" + type + "', which Basalt does not run (it runs " + ModelFamily.classNames() + ")"));
    }

    private static TensorMap.Shapes llamaShapes(JsonFile c, int vocab, boolean tied) {
        int dim = c.requirePositiveInt("hidden_size");
        int heads = c.requirePositiveInt("num_attention_heads");
        int kvHeads = c.positiveInt("num_key_value_heads").orElse(heads);
        if (heads % kvHeads != 0) {
            throw c.fail("num_key_value_heads", "is " + kvHeads + ", which does not divide num_attention_heads " + heads);
        }
        if (!c.has("head_dim") && dim % heads != 0) {
            throw c.fail("num_attention_heads", "is " + heads + ", which does not divide hidden_size " + dim
                    + " (and there is no head_dim)");
        }
        int headDim = c.positiveInt("head_dim").orElse(dim / heads);
        return new TensorMap.Shapes(dim, c.requirePositiveInt("intermediate_size"),
                c.requirePositiveInt("num_hidden_layers"), heads, kvHeads, headDim, vocab, 0, tied);
    }

    /** Settings of the Llama family's configs that Basalt's decoder has no switch for. */
    private static void refuseUnsupported(JsonFile c, ModelFamily family) {
        if (family != ModelFamily.QWEN2 && c.bool("attention_bias", false)) {
            throw c.fail("attention_bias", "is true; Basalt runs " + family.className + " without Q/K/V biases");
        }
        if (c.bool("mlp_bias", false)) throw c.fail("mlp_bias", "is true; Basalt runs MLPs without biases");
        c.string("hidden_act").filter(a -> !a.equals("silu")).ifPresent(a -> {
            throw c.fail("hidden_act", "is '" + a + "'; Basalt's Llama family runs silu");
        });
    }

    /** {@code head_dim × partial_rotary_factor}, as convert_hf_to_gguf.py's Phi-3 computes it. */
    private static int ropeDimensions(JsonFile c, int headDim) {
        if (!c.has("partial_rotary_factor")) return headDim;
        float factor = c.positiveFloat("partial_rotary_factor", 1f);
        int dims = (int) (headDim * factor);
        if (factor > 1 || dims % 2 != 0 || dims == 0) {
            throw c.fail("partial_rotary_factor", "is " + factor + ", which rotates " + dims + " of the head's "
                    + headDim + " dimensions; a positive even count expected");
        }
        return dims;
    }

    /**
     * {@code rope_scaling}: none, {@code linear} (GGUF keys) or {@code llama3} (the returned {@code rope_freqs}
     * values, with {@code rope.scaling.original_context_length} recorded so the folder can be written back).
     */
    private static float[] ropeScaling(JsonFile c, ModelFamily family, int headDim, GgufMetadata.Builder m) {
        JsonNode scaling = c.node("rope_scaling");
        if (scaling == null) return null;
        if (!scaling.isObject()) throw c.mistyped("rope_scaling", scaling, "an object or null");
        String field = scaling.has("rope_type") ? "rope_scaling.rope_type" : "rope_scaling.type";
        String type = c.string(field).orElseThrow(() -> c.missing("rope_scaling.rope_type"));
        String arch = family.ggufArchitecture;
        if (NO_SCALING.contains(type)) return null;
        if (type.equals("linear")) {
            float factor = c.positiveFloat("rope_scaling.factor", 0f);
            if (factor == 0f) throw c.missing("rope_scaling.factor");
            m.putString(MetadataKey.ROPE_SCALING_TYPE.of(arch), "linear")
                    .putFloat(MetadataKey.ROPE_SCALING_FACTOR.of(arch), factor);
            return null;
        }
        if (type.equals("llama3") && family.permutesRope()) {
            int original = c.positiveInt("rope_scaling.original_max_position_embeddings")
                    .orElse(c.positiveInt("original_max_position_embeddings").orElse(LLAMA3_ORIGINAL_CONTEXT));
            m.putInt(MetadataKey.ROPE_SCALING_ORIGINAL_CONTEXT_LENGTH.of(arch), original);
            float low = c.positiveFloat("rope_scaling.low_freq_factor", 1f);
            float high = c.positiveFloat("rope_scaling.high_freq_factor", 4f);
            if (!(high > low)) {
                throw c.fail("rope_scaling.high_freq_factor", "is " + high + ", not above low_freq_factor " + low);
            }
            // The converter reads the original context from the top level of config.json, transformers from
            // rope_scaling (preferred here): the published Llama 3 configs give 8192 either way.
            return new Llama3RopeScaling(c.positiveFloat("rope_scaling.factor", 8f), low, high, original)
                    .divisors(c.positiveFloat("rope_theta", 10000f), headDim);
        }
        throw c.fail(field, "is '" + type + "', which Basalt does not run for " + family.className
                + " (it runs default, linear" + (family.permutesRope() ? ", llama3)" : ")"));
    }

    private static int tokenId(JsonFile c, String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw c.mistyped(field, n, "a non-negative integer or a list of them");
        }
        return n.intValue();
    }

    /**
     * The {@code config.json} of {@code gguf}'s model as {@code family}: the inverse of {@link #read}, from the
     * hyper-parameters Basalt reads ({@link LlamaConfig#fromGguf}, {@link Gpt2Config#fromGguf}).
     *
     * @param torchDtype {@code torch_dtype}: float32, float16 or bfloat16
     * @throws ModelLoadException if the model has something {@code config.json} cannot say
     */
    static ObjectNode write(GgufView gguf, ModelFamily family, String torchDtype, int bos, int eos) {
        ObjectNode c = JsonFile.JSON.createObjectNode();
        c.putArray("architectures").add(family.className);
        c.put("model_type", family.modelType).put("torch_dtype", torchDtype);
        boolean tied = gguf.findTensor(TensorKey.OUTPUT.weight()).isEmpty();
        String arch = gguf.architecture();
        if (family == ModelFamily.GPT2) {
            Gpt2Config g = Gpt2Config.fromGguf(gguf, arch);
            c.put("vocab_size", g.vocabularySize()).put("n_embd", g.embeddingLength()).put("n_layer", g.blockCount())
                    .put("n_head", g.headCount()).put("n_inner", g.feedForwardLength())
                    .put("n_positions", g.contextLength()).put("n_ctx", g.contextLength())
                    .put("layer_norm_epsilon", g.layerNormEpsilon()).put("activation_function", "gelu_new");
        } else {
            LlamaConfig l = LlamaConfig.fromGguf(gguf, arch);
            GgufMetadata m = gguf.metadata();
            c.put("vocab_size", l.vocabularySize()).put("hidden_size", l.embeddingLength())
                    .put("intermediate_size", l.feedForwardLength()).put("num_hidden_layers", l.blockCount())
                    .put("num_attention_heads", l.headCount()).put("num_key_value_heads", l.headCountKv())
                    .put("head_dim", l.headDim()).put("max_position_embeddings", l.contextLength())
                    .put("rms_norm_eps", l.rmsEpsilon()).put("rope_theta", l.ropeFreqBase()).put("hidden_act", "silu");
            if (l.ropeDimensions() != l.headDim()) {
                c.put("partial_rotary_factor", (double) l.ropeDimensions() / l.headDim());
            }
            if (family == ModelFamily.PHI3) {
                m.findInt(MetadataKey.ATTENTION_SLIDING_WINDOW.of(arch)).ifPresent(w -> c.put("sliding_window", w));
                m.findInt(MetadataKey.ROPE_SCALING_ORIGINAL_CONTEXT_LENGTH.of(arch))
                        .ifPresent(n -> c.put("original_max_position_embeddings", n));
            }
            writeRopeScaling(gguf, l, c);
        }
        c.put("tie_word_embeddings", tied);
        if (bos >= 0) c.put("bos_token_id", bos);
        if (eos >= 0) c.put("eos_token_id", eos);
        return c;
    }

    private static void writeRopeScaling(GgufView gguf, LlamaConfig l, ObjectNode c) {
        if (l.ropeFreqScale() != 1f) {
            c.putObject("rope_scaling").put("rope_type", "linear").put("type", "linear")
                    .put("factor", 1f / l.ropeFreqScale());
            return;
        }
        if (gguf.findTensor(TensorKey.ROPE_FREQS.weight()).isEmpty()) {
            c.putNull("rope_scaling");
            return;
        }
        // GGUF keeps only the divisors: take Llama 3.1's frequency factors (1 and 4) and the recorded original
        // context, and write them only if they give back exactly these divisors.
        float[] stored = gguf.tensor(TensorKey.ROPE_FREQS.weight()).toFloatArray();
        float factor = 1f;
        for (float f : stored) factor = Math.max(factor, f);
        int original = gguf.metadata().findInt(MetadataKey.ROPE_SCALING_ORIGINAL_CONTEXT_LENGTH.of(gguf.architecture()))
                .orElse(LLAMA3_ORIGINAL_CONTEXT);
        float[] again = new Llama3RopeScaling(factor, 1f, 4f, original).divisors(l.ropeFreqBase(), l.headDim());
        boolean same = again.length == stored.length;
        for (int i = 0; same && i < stored.length; i++) same = Math.abs(again[i] - stored[i]) <= 1e-6f * stored[i];
        if (!same) {
            throw new ModelLoadException(gguf.path() + ": tensor " + TensorKey.ROPE_FREQS.weight() + " is not Llama 3 "
                    + "RoPE scaling with low_freq_factor 1, high_freq_factor 4 and original_max_position_embeddings "
                    + original + ", which is all config.json can say");
        }
        c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", factor).put("low_freq_factor", 1f)
                .put("high_freq_factor", 4f).put("original_max_position_embeddings", original);
    }
}
