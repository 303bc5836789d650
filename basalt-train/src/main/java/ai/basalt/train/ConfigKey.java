package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings of a training run: the one place that maps external names to {@link TrainingConfig} fields. Each
 * key has a JSON name (snake case, as in a config file), a flag ({@code --} and the name in kebab case), a type, a
 * description with its default, and the accessor of its field; {@link #resolve} turns explicit values into a
 * config, applying the defaults. Defaults follow nanoGPT's small-model recipes ({@code shakespeare_char}).
 */
public enum ConfigKey {
    DATA("data", Type.PATH, "DIR", TrainingConfig::data,
            "Folder holding train.tokens and val.tokens, as 'basalt data prepare' writes them (required)."),
    TOKENIZER("tokenizer", Type.PATH, "FILE", TrainingConfig::tokenizer,
            "The tokenizer that made the shards: tokenizer.json, a character tokenizer .json, a SentencePiece .model "
                    + "or a .gguf (required)."),
    ARCH("arch", Type.STRING, "NAME", TrainingConfig::architecture, "Architecture: gpt2 or llama (default: gpt2)."),
    LAYERS("layers", Type.INT, "N", TrainingConfig::layers, "Transformer blocks (default: 4)."),
    HEADS("heads", Type.INT, "N", TrainingConfig::heads, "Attention heads (default: 4)."),
    KV_HEADS("kv_heads", Type.INT, "N", TrainingConfig::kvHeads, "Key/value heads (default: heads)."),
    DIM("dim", Type.INT, "N", TrainingConfig::dim, "Model width C (default: 128)."),
    FFN("ffn", Type.INT, "N", TrainingConfig::ffn,
            "MLP width (default: 4*dim for gpt2; 8*dim/3 rounded up to a multiple of 32 for llama)."),
    CONTEXT("context", Type.INT, "N", TrainingConfig::context, "Context length T (default: 128)."),
    NORM_EPSILON("norm_epsilon", Type.FLOAT, "X", TrainingConfig::normEpsilon, "Norm epsilon (default: 1e-5)."),
    ROPE_THETA("rope_theta", Type.FLOAT, "X", TrainingConfig::ropeTheta, "RoPE base, llama (default: 10000)."),
    TIED_OUTPUT("tied_output", Type.BOOLEAN, "true|false", TrainingConfig::tiedOutput,
            "Share the token embedding with the output projection (default: true)."),
    BIAS("bias", Type.BOOLEAN, "true|false", TrainingConfig::bias,
            "Biases in the linear layers and LayerNorms, gpt2 only (default: true for gpt2, false for llama)."),
    DROPOUT("dropout", Type.FLOAT, "P", TrainingConfig::dropout, "Dropout probability while training (default: 0)."),
    BATCH("batch", Type.INT, "B", TrainingConfig::batch, "Sequences per micro-batch (default: 16)."),
    ACCUMULATE("accumulate", Type.INT, "N", TrainingConfig::accumulate,
            "Micro-batches whose gradients add up to one step (default: 1)."),
    STEPS("steps", Type.LONG, "N", TrainingConfig::steps, "Optimizer steps (default: 1000)."),
    LR("lr", Type.DOUBLE, "X", TrainingConfig::lr, "Peak learning rate (default: 1e-3)."),
    MIN_LR("min_lr", Type.DOUBLE, "X", TrainingConfig::minLr, "Learning rate at the end of the decay (default: lr/10)."),
    WARMUP("warmup", Type.LONG, "N", TrainingConfig::warmup,
            "Steps of linear warm-up (default: steps/10, at most 100)."),
    LR_DECAY_STEPS("lr_decay_steps", Type.LONG, "N", TrainingConfig::lrDecaySteps,
            "Step at which the cosine decay reaches min_lr (default: steps)."),
    WEIGHT_DECAY("weight_decay", Type.DOUBLE, "X", TrainingConfig::weightDecay,
            "AdamW weight decay of matrices; norms and biases never decay, embeddings only with decay_embeddings "
                    + "(default: 0.1)."),
    DECAY_EMBEDDINGS("decay_embeddings", Type.BOOLEAN, "true|false", TrainingConfig::decayEmbeddings,
            "Weight-decay the embedding tables too, as nanoGPT decays every matrix (default: false)."),
    BETA1("beta1", Type.DOUBLE, "X", TrainingConfig::beta1, "AdamW beta1 (default: 0.9)."),
    BETA2("beta2", Type.DOUBLE, "X", TrainingConfig::beta2, "AdamW beta2 (default: 0.95)."),
    EPS("eps", Type.DOUBLE, "X", TrainingConfig::eps, "AdamW epsilon (default: 1e-8)."),
    GRAD_CLIP("grad_clip", Type.DOUBLE, "X", TrainingConfig::gradClip,
            "Clip the global gradient norm to X; 0 turns clipping off (default: 1.0)."),
    EVAL_INTERVAL("eval_interval", Type.LONG, "N", TrainingConfig::evalInterval,
            "Estimate train and validation loss every N steps and at the end (default: 100)."),
    EVAL_BATCHES("eval_batches", Type.INT, "N", TrainingConfig::evalBatches,
            "Batches per loss estimate (default: 20)."),
    LOG_INTERVAL("log_interval", Type.LONG, "N", TrainingConfig::logInterval,
            "Write a metrics line every N steps (default: 10)."),
    CHECKPOINT_INTERVAL("checkpoint_interval", Type.LONG, "N", TrainingConfig::checkpointInterval,
            "Write checkpoint.bin every N steps and at the end (default: eval_interval)."),
    SEED("seed", Type.LONG, "N", TrainingConfig::seed, "Seed of initialization, dropout and batches (default: 1337)."),
    RNG("rng", Type.STRING, "basalt|torch", TrainingConfig::rng,
            "Random stream: basalt (its own generators) or torch (PyTorch's generator, drawing nanoGPT's initial weights "
                    + "and batches in nanoGPT's order, so a run sees what PyTorch sees with the same seed; gpt2 only) "
                    + "(default: basalt)."),
    THREADS("threads", Type.INT, "N", TrainingConfig::threads,
            "Threads; results are bit-identical for the same seed and threads (default: all processors)."),
    OUT("out", Type.PATH, "DIR", TrainingConfig::out,
            "Output folder: checkpoint, metrics, plot, model.gguf, hf/, model card (default: out).");

    /** The value types of settings, with the Java class their values have. */
    public enum Type {
        STRING(String.class), PATH(Path.class), INT(Integer.class), LONG(Long.class), FLOAT(Float.class),
        DOUBLE(Double.class), BOOLEAN(Boolean.class);

        private final Class<?> javaType;

        Type(Class<?> javaType) {
            this.javaType = javaType;
        }

        public Class<?> javaType() {
            return javaType;
        }
    }

    private final String key;
    private final Type type;
    private final String paramLabel;
    private final Function<TrainingConfig, Object> field;
    private final String description;

    ConfigKey(String key, Type type, String paramLabel, Function<TrainingConfig, Object> field, String description) {
        this.key = key;
        this.type = type;
        this.paramLabel = paramLabel;
        this.field = field;
        this.description = description;
    }

    /** The name in a JSON config file. */
    public String key() {
        return key;
    }

    /** The command-line flag, {@code --kv-heads} for {@code kv_heads}. */
    public String flag() {
        return "--" + key.replace('_', '-');
    }

    public Type type() {
        return type;
    }

    public String paramLabel() {
        return paramLabel;
    }

    public String description() {
        return description;
    }

    /** This setting's value in {@code config}. */
    public Object get(TrainingConfig config) {
        return field.apply(config);
    }

    /** The key named {@code key} in a config file, or null. */
    public static ConfigKey ofKey(String key) {
        for (ConfigKey k : values()) if (k.key.equals(key)) return k;
        return null;
    }

    /** Every setting of {@code config}, in declaration order. */
    public static Map<ConfigKey, Object> valuesOf(TrainingConfig config) {
        Map<ConfigKey, Object> all = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : values()) all.put(k, k.get(config));
        return all;
    }

    /**
     * The value of a JSON node, checked against the type; a relative path is resolved against {@code base}.
     *
     * @throws ConfigException naming {@code where} and the key if the node has another type
     */
    Object fromJson(JsonNode node, Path base, String where) {
        boolean ok = switch (type) {
            case STRING, PATH -> node.isTextual();
            case INT -> node.isIntegralNumber() && node.canConvertToInt();
            case LONG -> node.isIntegralNumber() && node.canConvertToLong();
            case FLOAT, DOUBLE -> node.isNumber();
            case BOOLEAN -> node.isBoolean();
        };
        if (!ok) {
            throw new ConfigException(where + ": '" + key + "' must be " + article() + ", found " + node);
        }
        return switch (type) {
            case STRING -> node.textValue();
            case PATH -> base == null ? Path.of(node.textValue()) : base.resolve(node.textValue());
            case INT -> node.intValue();
            case LONG -> node.longValue();
            // through the decimal text, so the shortest form a float or double was written in reads back exactly
            case FLOAT -> Float.parseFloat(node.decimalValue().toString());
            case DOUBLE -> Double.parseDouble(node.decimalValue().toString());
            case BOOLEAN -> node.booleanValue();
        };
    }

    /** {@code value} as a JSON node. */
    JsonNode toJson(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (type) {
            case STRING, PATH -> f.textNode(value.toString());
            case INT -> f.numberNode((Integer) value);
            case LONG -> f.numberNode((Long) value);
            case FLOAT -> f.numberNode((Float) value);
            case DOUBLE -> f.numberNode((Double) value);
            case BOOLEAN -> f.booleanNode((Boolean) value);
        };
    }

    /** {@code value} as its flag argument, parsed back to the same value. */
    String format(Object value) {
        return value.toString();
    }

    private String article() {
        return switch (type) {
            case STRING -> "a string";
            case PATH -> "a path (string)";
            case INT -> "a 32-bit integer";
            case LONG -> "an integer";
            case FLOAT, DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
        };
    }

    /**
     * The config of {@code values} (a value per key given, of the key's Java type), with defaults for the rest.
     *
     * @throws ConfigException if a required setting is missing or the values are out of range or contradict
     */
    public static TrainingConfig resolve(Map<ConfigKey, Object> values) {
        Values v = new Values(values);
        String arch = v.get(ARCH, "gpt2").toLowerCase(Locale.ROOT);
        int heads = v.get(HEADS, 4);
        int dim = v.get(DIM, 128);
        long steps = v.get(STEPS, 1000L);
        double lr = v.get(LR, 1e-3);
        long evalInterval = v.get(EVAL_INTERVAL, 100L);
        return new TrainingConfig(
                v.required(DATA), v.required(TOKENIZER), arch,
                v.get(LAYERS, 4), heads, v.get(KV_HEADS, heads), dim,
                v.get(FFN, arch.equals("llama") ? llamaFfn(dim) : 4 * dim), v.get(CONTEXT, 128),
                v.get(NORM_EPSILON, 1e-5f), v.get(ROPE_THETA, 10000f), v.get(TIED_OUTPUT, true),
                v.get(BIAS, ModelSpec.defaultBias(arch)), v.get(DROPOUT, 0f),
                v.get(BATCH, 16), v.get(ACCUMULATE, 1), steps,
                lr, v.get(MIN_LR, lr / 10), v.get(WARMUP, Math.min(100, steps / 10)), v.get(LR_DECAY_STEPS, steps),
                v.get(WEIGHT_DECAY, 0.1), v.get(DECAY_EMBEDDINGS, false), v.get(BETA1, 0.9), v.get(BETA2, 0.95), v.get(EPS, 1e-8),
                v.get(GRAD_CLIP, 1.0),
                evalInterval, v.get(EVAL_BATCHES, 20), v.get(LOG_INTERVAL, 10L),
                v.get(CHECKPOINT_INTERVAL, evalInterval),
                v.get(SEED, 1337L), v.get(RNG, TrainingConfig.RNG_BASALT).toLowerCase(Locale.ROOT), v.get(THREADS, Runtime.getRuntime().availableProcessors()),
                v.get(OUT, Path.of("out")).toAbsolutePath().normalize());
    }

    /** Llama's MLP width for width {@code dim}: two thirds of 4·dim, rounded up to a multiple of 32 (llama2.c). */
    static int llamaFfn(int dim) {
        int hidden = 2 * (4 * dim) / 3;
        return (hidden + 31) / 32 * 32;
    }

    /** Typed access to the given values. */
    private record Values(Map<ConfigKey, Object> given) {
        @SuppressWarnings("unchecked")
        <T> T get(ConfigKey key, T fallback) {
            Object value = given.get(key);
            if (value == null) return fallback;
            if (!key.type.javaType.isInstance(value)) {
                throw new IllegalArgumentException(key.key + ": a " + key.type.javaType.getSimpleName()
                        + " expected, found " + value.getClass().getSimpleName());
            }
            return (T) value;
        }

        Path required(ConfigKey key) {
            Path p = get(key, null);
            if (p == null) {
                throw new ConfigException("no " + key.key + " given: pass " + key.flag() + " " + key.paramLabel
                        + " or set \"" + key.key + "\" in the config file");
            }
            return p.toAbsolutePath().normalize();
        }
    }
}
