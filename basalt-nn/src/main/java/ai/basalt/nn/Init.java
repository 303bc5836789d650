package ai.basalt.nn;

import java.util.Arrays;

/**
 * Parameter initializers, all drawing from an explicit {@link Rng} in index order so a seed fixes the
 * model. Standard deviations are the caller's: GPT-2 uses 0.02, and 0.02/√(2·layers) for residual
 * projections (per the GPT-2 paper, as nanoGPT applies it).
 */
public final class Init {
    private Init() {}

    /** Fills v with draws from N(mean, std²). */
    public static void normal(Var v, Rng rng, float mean, float std) {
        float[] d = v.data();
        for (int i = 0; i < v.size(); i++) d[i] = (float) (mean + std * rng.nextGaussian());
    }

    /** Fills v uniformly from [low, high) (torch's default {@code Linear} init uses ±1/√in). */
    public static void uniform(Var v, Rng rng, float low, float high) {
        float[] d = v.data();
        for (int i = 0; i < v.size(); i++) d[i] = (float) (low + (high - low) * rng.nextDouble());
    }

    public static void zeros(Var v) {
        fill(v, 0f);
    }

    public static void ones(Var v) {
        fill(v, 1f);
    }

    public static void fill(Var v, float value) {
        Arrays.fill(v.data(), 0, v.size(), value);
    }

    /** Copies values into v (loading a checkpoint or a reference model). */
    public static void copy(Var v, float[] values) {
        if (values.length != v.size()) {
            throw new ShapeMismatchException("copy: " + values.length + " values into " + v);
        }
        System.arraycopy(values, 0, v.data(), 0, values.length);
    }
}
