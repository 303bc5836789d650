package ai.basalt.train;

/**
 * A loss estimate at one step: the mean loss over {@code eval_batches} batches of each shard, drawn by loaders
 * separate from the training loader (nanoGPT's {@code estimate_loss}).
 *
 * @param step           the step after which it was measured; 0 with {@link #NONE}
 * @param trainLoss      the estimate on the training shard
 * @param validationLoss the estimate on the validation shard, NaN when it is too short for one window
 */
public record Evaluation(long step, float trainLoss, float validationLoss) {
    /** No estimate yet. */
    public static final Evaluation NONE = new Evaluation(0, Float.NaN, Float.NaN);

    public boolean isNone() {
        return Float.isNaN(trainLoss);
    }
}
