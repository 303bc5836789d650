package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import ai.basalt.train.data.TokenizerFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a checkpoint must share with the run that resumes it: the model built, the tokenizer and the data. Settings
 * of the recipe (steps, learning rate, intervals) may change on resume; they are reported, not refused.
 *
 * @param spec                 the model
 * @param tokenizerFingerprint the tokenizer's {@code TokenizerFingerprint}
 * @param trainData            {@code train.tokens}
 * @param validationData       {@code val.tokens}
 */
record RunIdentity(ModelSpec spec, byte[] tokenizerFingerprint, Checkpoint.ShardIdentity trainData,
        Checkpoint.ShardIdentity validationData) {

    /**
     * Checks that the checkpoint {@code file} with header {@code h} belongs to this run, and lists the settings of
     * {@code config} that differ from the checkpoint's as one-line warnings.
     *
     * @throws CheckpointException naming the file and every difference of model, tokenizer or data
     */
    List<String> requireMatch(Path file, Checkpoint.Header h, TrainingConfig config) {
        List<String> modelDiffs = new ArrayList<>();
        for (Map.Entry<String, Function<ModelSpec, Object>> f : CheckpointJson.SPEC_FIELDS) {
            Object was = f.getValue().apply(h.spec());
            Object now = f.getValue().apply(spec);
            if (!Objects.equals(was, now)) modelDiffs.add(f.getKey() + " " + was + " in the checkpoint, " + now + " now");
        }
        if (!modelDiffs.isEmpty()) {
            throw new CheckpointException(file + ": the checkpoint's model differs from this run's: "
                    + String.join("; ", modelDiffs));
        }
        if (!Arrays.equals(h.tokenizerFingerprint(), tokenizerFingerprint)) {
            throw new CheckpointException(file + ": the checkpoint was trained with another tokenizer (fingerprint "
                    + TokenizerFingerprint.hex(h.tokenizerFingerprint()) + ", " + config.tokenizer() + " has "
                    + TokenizerFingerprint.hex(tokenizerFingerprint) + ")");
        }
        requireSameData(file, "train.tokens", h.trainData(), trainData);
        requireSameData(file, "val.tokens", h.validationData(), validationData);
        if ((h.config().torchRng() || config.torchRng())
                && (!h.config().rng().equals(config.rng()) || h.config().seed() != config.seed())) {
            throw new CheckpointException(file + ": the checkpoint was trained with rng " + h.config().rng() + " and seed "
                    + h.config().seed() + ", this run has rng " + config.rng() + " and seed " + config.seed()
                    + "; PyTorch's stream is replayed from its seed, so both must stay");
        }
        List<String> warnings = new ArrayList<>();
        Map<ConfigKey, Object> before = ConfigKey.valuesOf(h.config());
        Map<ConfigKey, Object> after = ConfigKey.valuesOf(config);
        List<String> changed = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            // identity of data and tokenizer is checked by content above; the paths may move
            if (k == ConfigKey.DATA || k == ConfigKey.TOKENIZER || k == ConfigKey.OUT) continue;
            if (!Objects.equals(before.get(k), after.get(k))) {
                changed.add(k.key() + " " + before.get(k) + " -> " + after.get(k));
            }
        }
        if (!changed.isEmpty()) warnings.add("warning: resuming with changed settings: " + String.join(", ", changed));
        if (h.config().threads() != config.threads()) {
            warnings.add("warning: threads changed, so the result will not be bit-identical to an uninterrupted run");
        }
        return warnings;
    }

    private static void requireSameData(Path file, String shard, Checkpoint.ShardIdentity was,
            Checkpoint.ShardIdentity now) {
        if (!was.equals(now)) {
            throw new CheckpointException(file + ": the training data differs: " + shard + " had " + was
                    + " when the checkpoint was written, it has " + now + " now");
        }
    }
}
