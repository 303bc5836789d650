package ai.basalt.train;

/**
 * What one optimizer step measured: a line of {@code metrics.jsonl} when the step is logged.
 *
 * @param step            optimizer steps done, this one included (1-based)
 * @param trainLoss       the step's mean loss over its micro-batches
 * @param lr              the learning rate it used
 * @param gradNorm        the global gradient norm before clipping
 * @param tokensPerSecond training throughput since the previous logged step (evaluation and I/O excluded)
 * @param elapsedSeconds  wall-clock time since the run began, over all its sessions
 * @param evaluation      the loss estimate made after this step, or {@link Evaluation#NONE}
 */
public record StepMetrics(long step, float trainLoss, double lr, float gradNorm, double tokensPerSecond,
        double elapsedSeconds, Evaluation evaluation) {}
