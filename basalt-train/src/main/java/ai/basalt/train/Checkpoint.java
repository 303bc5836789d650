package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import ai.basalt.nn.ParamKind;
import ai.basalt.train.data.BatchLoader;
import java.util.List;
import java.util.Objects;

/**
 * Everything a run needs to continue exactly after step {@link Header#step()}: written by {@link CheckpointFile}.
 *
 * @param header  settings, identities of model, tokenizer and data, and the small state (counters, generators)
 * @param tensors every parameter with its AdamW moments, in {@code TrainableModel.parameters()} order
 */
public record Checkpoint(Header header, List<Tensor> tensors) {
    public Checkpoint {
        Objects.requireNonNull(header, "header");
        tensors = List.copyOf(tensors);
    }

    /**
     * The small part of a checkpoint, stored as JSON.
     *
     * @param config               the run's settings
     * @param spec                 the model built
     * @param tokenizerFingerprint the SHA-256 {@code TokenizerFingerprint} of the tokenizer
     * @param trainData            identity of {@code train.tokens}
     * @param validationData       identity of {@code val.tokens}
     * @param step                 optimizer steps done
     * @param tokensSeen           training tokens consumed
     * @param elapsedSeconds       wall-clock time of the run so far, over all its sessions
     * @param trainLoader          the training batches' loader
     * @param evalTrainLoader      the loader of loss estimates on the training shard
     * @param evalValidationLoader the loader of loss estimates on the validation shard; null when that shard is too
     *                             short for one window
     * @param initRng              state of the generator the model was initialized from
     * @param dropoutRng           state of the generator dropout masks are drawn from (may be the same generator)
     * @param lastEvaluation       the latest loss estimate, {@link Evaluation#NONE} before the first
     */
    public record Header(
            TrainingConfig config,
            ModelSpec spec,
            byte[] tokenizerFingerprint,
            ShardIdentity trainData,
            ShardIdentity validationData,
            long step,
            long tokensSeen,
            double elapsedSeconds,
            BatchLoader.State trainLoader,
            BatchLoader.State evalTrainLoader,
            BatchLoader.State evalValidationLoader,
            long initRng,
            long dropoutRng,
            Evaluation lastEvaluation) {}

    /**
     * What identifies a token shard's contents: its token count and the CRC-32C its header records.
     */
    public record ShardIdentity(long tokens, int crc32c) {
        @Override
        public String toString() {
            return tokens + " tokens, CRC-32C " + String.format("0x%08x", crc32c);
        }
    }

    /**
     * One parameter: its values and AdamW state.
     *
     * @param adamStep how many AdamW updates it has had
     * @param values   (shape) the parameter
     * @param expAvg   (shape) AdamW's first moment
     * @param expAvgSq (shape) AdamW's second moment
     */
    public record Tensor(String name, ParamKind kind, int[] shape, long adamStep, float[] values, float[] expAvg,
            float[] expAvgSq) {
        public int size() {
            int n = 1;
            for (int d : shape) n = Math.multiplyExact(n, d);
            return n;
        }
    }
}
