package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import ai.basalt.nn.ParamKind;
import ai.basalt.train.data.BatchLoader;
import ai.basalt.train.data.TokenizerFingerprint;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The JSON header of a {@link CheckpointFile}: the one place that maps checkpoint header keys to
 * {@link Checkpoint.Header} fields, both ways.
 * <pre>{@code
 * {"config": {...every ConfigKey...}, "model": {"architecture": "gpt2", "layers": 4, ...},
 *  "tokenizer_fingerprint": "hex", "data": {"train": {"tokens": N, "crc32c": C}, "validation": {...}},
 *  "step": S, "tokens_seen": N, "elapsed_s": X,
 *  "loaders": {"train": {"mode": "RANDOM", "rng_state": R, "position": P, "batches": B}, "eval_train": {...},
 *              "eval_validation": {...} or null},
 *  "rng": {"init": R, "dropout": R}, "last_evaluation": {"step": S, "train_loss": X, "validation_loss": X or null},
 *  "tensors": [{"name": "...", "kind": "WEIGHT", "shape": [..], "adam_step": S}, ...]}
 * }</pre>
 */
final class CheckpointJson {
    /** Model spec fields in header order, with their keys. */
    static final List<Map.Entry<String, Function<ModelSpec, Object>>> SPEC_FIELDS = List.of(
            Map.entry("architecture", ModelSpec::architecture), Map.entry("layers", ModelSpec::layers),
            Map.entry("heads", ModelSpec::heads), Map.entry("kv_heads", ModelSpec::kvHeads),
            Map.entry("dim", ModelSpec::dim), Map.entry("ffn", ModelSpec::ffn), Map.entry("context", ModelSpec::context),
            Map.entry("vocabulary_size", ModelSpec::vocabularySize), Map.entry("norm_epsilon", ModelSpec::normEpsilon),
            Map.entry("rope_theta", ModelSpec::ropeTheta), Map.entry("tied_output", ModelSpec::tiedOutput),
            Map.entry("dropout", ModelSpec::dropout), Map.entry("bias", ModelSpec::bias));

    /** A tensor's description in the header. */
    record TensorInfo(String name, ParamKind kind, int[] shape, long adamStep) {
        int size() {
            int n = 1;
            for (int d : shape) n = Math.multiplyExact(n, d);
            return n;
        }
    }

    record Parsed(Checkpoint.Header header, List<TensorInfo> tensors) {}

    private CheckpointJson() {}

    static byte[] toBytes(Checkpoint checkpoint) {
        Checkpoint.Header h = checkpoint.header();
        ObjectNode root = TrainingConfigs.JSON.createObjectNode();
        root.set("config", TrainingConfigs.toJson(h.config()));
        ObjectNode model = root.putObject("model");
        for (var f : SPEC_FIELDS) model.putPOJO(f.getKey(), f.getValue().apply(h.spec()));
        root.put("tokenizer_fingerprint", TokenizerFingerprint.hex(h.tokenizerFingerprint()));
        ObjectNode data = root.putObject("data");
        shard(data.putObject("train"), h.trainData());
        shard(data.putObject("validation"), h.validationData());
        root.put("step", h.step()).put("tokens_seen", h.tokensSeen()).put("elapsed_s", h.elapsedSeconds());
        ObjectNode loaders = root.putObject("loaders");
        loader(loaders, "train", h.trainLoader());
        loader(loaders, "eval_train", h.evalTrainLoader());
        loader(loaders, "eval_validation", h.evalValidationLoader());
        root.putObject("rng").put("init", h.initRng()).put("dropout", h.dropoutRng());
        Evaluation e = h.lastEvaluation();
        if (e.isNone()) {
            root.putNull("last_evaluation");
        } else {
            ObjectNode last = root.putObject("last_evaluation").put("step", e.step()).put("train_loss", e.trainLoss());
            if (Float.isNaN(e.validationLoss())) last.putNull("validation_loss");
            else last.put("validation_loss", e.validationLoss());
        }
        ArrayNode tensors = root.putArray("tensors");
        for (Checkpoint.Tensor t : checkpoint.tensors()) {
            ObjectNode n = tensors.addObject().put("name", t.name()).put("kind", t.kind().name());
            ArrayNode shape = n.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            n.put("adam_step", t.adamStep());
        }
        try {
            return TrainingConfigs.JSON.writeValueAsBytes(root);
        } catch (JacksonException ex) {
            throw new IllegalStateException("cannot serialize checkpoint header: " + ex.getMessage(), ex);
        }
    }

    private static void shard(ObjectNode node, Checkpoint.ShardIdentity id) {
        node.put("tokens", id.tokens()).put("crc32c", Integer.toUnsignedLong(id.crc32c()));
    }

    private static void loader(ObjectNode parent, String name, BatchLoader.State s) {
        if (s == null) {
            parent.putNull(name);
            return;
        }
        parent.putObject(name).put("mode", s.mode().name()).put("rng_state", s.rngState()).put("position", s.position())
                .put("batches", s.batches());
    }

    /** The header in {@code bytes}; malformed content is reported as a corrupt {@code file}. */
    static Parsed parse(Path file, byte[] bytes) {
        JsonNode root;
        try {
            root = TrainingConfigs.JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": header is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot parse header (" + e + ")", e);
        }
        Reader r = new Reader(file);
        try {
            TrainingConfig config = ConfigKey.resolve(TrainingConfigs.fromJson(r.object(root, "config"), null,
                    file + " (header config)"));
            JsonNode m = r.object(root, "model");
            ModelSpec spec = new ModelSpec(r.text(m, "architecture"), r.integer(m, "layers"), r.integer(m, "heads"),
                    r.integer(m, "kv_heads"), r.integer(m, "dim"), r.integer(m, "ffn"), r.integer(m, "context"),
                    r.integer(m, "vocabulary_size"), r.real(m, "norm_epsilon"), r.real(m, "rope_theta"),
                    r.bool(m, "tied_output"), r.real(m, "dropout"),
                    m.has("bias") ? r.bool(m, "bias") : ModelSpec.defaultBias(r.text(m, "architecture")));
            byte[] fingerprint = HexFormat.of().parseHex(r.text(root, "tokenizer_fingerprint"));
            JsonNode data = r.object(root, "data");
            JsonNode loaders = r.object(root, "loaders");
            JsonNode rng = r.object(root, "rng");
            JsonNode last = root.path("last_evaluation");
            Evaluation evaluation = last.isObject()
                    ? new Evaluation(r.number(last, "step"), r.real(last, "train_loss"),
                            last.path("validation_loss").isNumber() ? r.real(last, "validation_loss") : Float.NaN)
                    : Evaluation.NONE;
            Checkpoint.Header header = new Checkpoint.Header(config, spec, fingerprint, shard(r, r.object(data, "train")),
                    shard(r, r.object(data, "validation")), r.number(root, "step"), r.number(root, "tokens_seen"),
                    r.decimal(root, "elapsed_s"), loader(r, loaders.path("train")), loader(r, loaders.path("eval_train")),
                    loader(r, loaders.path("eval_validation")), r.number(rng, "init"), r.number(rng, "dropout"),
                    evaluation);
            List<TensorInfo> tensors = new ArrayList<>();
            JsonNode list = root.path("tensors");
            if (!list.isArray()) throw r.missing("tensors");
            for (JsonNode t : list) {
                JsonNode shapeNode = t.path("shape");
                if (!shapeNode.isArray()) throw r.missing("tensors[].shape");
                int[] shape = new int[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).intValue();
                tensors.add(new TensorInfo(r.text(t, "name"), ParamKind.valueOf(r.text(t, "kind")), shape,
                        r.number(t, "adam_step")));
            }
            return new Parsed(header, tensors);
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": malformed header (" + e.getMessage() + ")", e);
        }
    }

    private static Checkpoint.ShardIdentity shard(Reader r, JsonNode node) {
        return new Checkpoint.ShardIdentity(r.number(node, "tokens"), (int) r.number(node, "crc32c"));
    }

    private static BatchLoader.State loader(Reader r, JsonNode node) {
        if (node.isNull() || node.isMissingNode()) return null;
        return new BatchLoader.State(BatchLoader.Mode.valueOf(r.text(node, "mode")), r.number(node, "rng_state"),
                r.number(node, "position"), r.number(node, "batches"));
    }

    /** Typed field access that names the missing or mistyped key. */
    private record Reader(Path file) {
        CheckpointException missing(String key) {
            return new CheckpointException(file + ": malformed header ('" + key + "' is missing or mistyped)");
        }

        JsonNode object(JsonNode parent, String key) {
            JsonNode n = parent.path(key);
            if (!n.isObject()) throw missing(key);
            return n;
        }

        String text(JsonNode parent, String key) {
            JsonNode n = parent.path(key);
            if (!n.isTextual()) throw missing(key);
            return n.textValue();
        }

        long number(JsonNode parent, String key) {
            JsonNode n = parent.path(key);
            if (!n.isIntegralNumber() || !n.canConvertToLong()) throw missing(key);
            return n.longValue();
        }

        int integer(JsonNode parent, String key) {
            return Math.toIntExact(number(parent, key));
        }

        float real(JsonNode parent, String key) {
            JsonNode n = parent.path(key);
            if (!n.isNumber()) throw missing(key);
            return Float.parseFloat(n.decimalValue().toString());
        }

        double decimal(JsonNode parent, String key) {
            JsonNode n = parent.path(key);
            if (!n.isNumber()) throw missing(key);
            return Double.parseDouble(n.decimalValue().toString());
        }

        boolean bool(JsonNode parent, String key) {
            JsonNode n = parent.path(key);
            if (!n.isBoolean()) throw missing(key);
            return n.booleanValue();
        }
    }
}
