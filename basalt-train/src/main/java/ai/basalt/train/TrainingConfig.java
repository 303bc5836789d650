package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Every setting of a training run, resolved: no field is optional. Built by {@link ConfigKey#resolve} from a config
 * file and flags (the one place that maps those names to fields); the defaults and meanings are documented there.
 * The compact constructor checks each value and that they agree with each other.
 *
 * <p>Shapes: {@code batch} is B, {@code context} is T; a step sees {@code batch · accumulate · context} tokens.
 */
public record TrainingConfig(
        Path data,
        Path tokenizer,
        String architecture,
        int layers,
        int heads,
        int kvHeads,
        int dim,
        int ffn,
        int context,
        float normEpsilon,
        float ropeTheta,
        boolean tiedOutput,
        boolean bias,
        float dropout,
        int batch,
        int accumulate,
        long steps,
        double lr,
        double minLr,
        long warmup,
        long lrDecaySteps,
        double weightDecay,
        boolean decayEmbeddings,
        double beta1,
        double beta2,
        double eps,
        double gradClip,
        long evalInterval,
        int evalBatches,
        long logInterval,
        long checkpointInterval,
        long seed,
        String rng,
        int threads,
        Path out) {

    public TrainingConfig {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(out, "out");
        check(batch >= 1, "batch " + batch + " must be at least 1");
        check(accumulate >= 1, "accumulate " + accumulate + " must be at least 1");
        check(steps >= 1, "steps " + steps + " must be at least 1");
        check(lr >= 0 && Double.isFinite(lr), "lr " + lr + " must be a finite number of at least 0");
        check(minLr >= 0 && minLr <= lr, "min_lr " + minLr + " must be between 0 and lr " + lr);
        check(warmup >= 0, "warmup " + warmup + " must be at least 0");
        check(lrDecaySteps > warmup, "lr_decay_steps " + lrDecaySteps + " must be greater than warmup " + warmup);
        check(weightDecay >= 0, "weight_decay " + weightDecay + " must be at least 0");
        check(beta1 >= 0 && beta1 < 1, "beta1 " + beta1 + " must be in [0, 1)");
        check(beta2 >= 0 && beta2 < 1, "beta2 " + beta2 + " must be in [0, 1)");
        check(eps >= 0, "eps " + eps + " must be at least 0");
        check(gradClip >= 0, "grad_clip " + gradClip + " must be at least 0 (0 turns clipping off)");
        check(evalInterval >= 1, "eval_interval " + evalInterval + " must be at least 1");
        check(evalBatches >= 1, "eval_batches " + evalBatches + " must be at least 1");
        check(logInterval >= 1, "log_interval " + logInterval + " must be at least 1");
        check(checkpointInterval >= 1, "checkpoint_interval " + checkpointInterval + " must be at least 1");
        check(threads >= 1, "threads " + threads + " must be at least 1");
        Objects.requireNonNull(rng, "rng");
        check(rng.equals(RNG_BASALT) || rng.equals(RNG_TORCH), "rng '" + rng + "' must be " + RNG_BASALT + " or " + RNG_TORCH);
        check(!rng.equals(RNG_TORCH) || architecture.equals("gpt2"), "rng torch follows nanoGPT's GPT-2 "
                + "initialisation; architecture " + architecture + " has no PyTorch reference to follow (use rng basalt)");
        try {
            spec(architecture, layers, heads, kvHeads, dim, ffn, context, 1, normEpsilon, ropeTheta, tiedOutput, dropout,
                    bias);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /** Basalt's own generators: SplitMix64 streams for initialisation, dropout and each loader. */
    public static final String RNG_BASALT = "basalt";
    /**
     * PyTorch's: one Mersenne Twister stream, seeded as {@code torch.manual_seed}, draws nanoGPT's initial weights,
     * then its training and evaluation batches in nanoGPT's order (evaluation before the first step included), so a
     * run starts from PyTorch's weights and sees PyTorch's batches. Dropout masks still come from Basalt's generator.
     */
    public static final String RNG_TORCH = "torch";

    /** Whether initialisation and batches follow PyTorch's random stream ({@link #RNG_TORCH}). */
    public boolean torchRng() {
        return rng.equals(RNG_TORCH);
    }

    /** The model to build for a vocabulary of {@code vocabularySize} tokens. */
    public ModelSpec modelSpec(int vocabularySize) {
        return spec(architecture, layers, heads, kvHeads, dim, ffn, context, vocabularySize, normEpsilon, ropeTheta,
                tiedOutput, dropout, bias);
    }

    /** Tokens one optimizer step consumes: B · accumulate · T. */
    public long tokensPerStep() {
        return (long) batch * accumulate * context;
    }

    private static ModelSpec spec(String architecture, int layers, int heads, int kvHeads, int dim, int ffn, int context,
            int vocabularySize, float normEpsilon, float ropeTheta, boolean tiedOutput, float dropout, boolean bias) {
        return new ModelSpec(architecture, layers, heads, kvHeads, dim, ffn, context, vocabularySize, normEpsilon,
                ropeTheta, tiedOutput, dropout, bias);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new ConfigException(message);
    }
}
