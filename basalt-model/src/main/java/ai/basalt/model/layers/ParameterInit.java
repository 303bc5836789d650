package ai.basalt.model.layers;

import ai.basalt.nn.Init;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;

/**
 * Trainable parameters, created under their GGUF tensor names with their {@link ParamKind} and GPT-2's
 * initialisation (nanoGPT {@code _init_weights}): matrices and embedding tables N(0, std²), biases 0, norm gains 1
 * and shifts 0. Values are drawn from the {@link Rng} in creation order, so a seed fixes the model.
 */
public final class ParameterInit {
    private ParameterInit() {}

    /** A linear layer's weight (out, in), decayed by AdamW. */
    public static Var matrix(String name, int out, int in, Rng rng, float std) {
        Var w = Var.param(name, ParamKind.WEIGHT, out, in);
        Init.normal(w, rng, 0f, std);
        return w;
    }

    /** A lookup table (rows, dim): token or position embeddings, never decayed, even when tied to the output. */
    public static Var embedding(String name, int rows, int dim, Rng rng, float std) {
        Var e = Var.param(name, ParamKind.EMBEDDING, rows, dim);
        Init.normal(e, rng, 0f, std);
        return e;
    }

    /** A linear layer's bias (out), zeros. */
    public static Var bias(String name, int out) {
        return Var.param(name, ParamKind.BIAS, out);
    }

    /** A normalization gain (dim), ones. */
    public static Var gain(String name, int dim) {
        Var w = Var.param(name, ParamKind.NORM, dim);
        Init.ones(w);
        return w;
    }

    /** A normalization shift (LayerNorm's bias) (dim), zeros. */
    public static Var shift(String name, int dim) {
        return Var.param(name, ParamKind.NORM, dim);
    }

    /** The standard deviation of residual projections: std/√(2·layers), per the GPT-2 paper (as nanoGPT applies it). */
    public static float residualStd(float std, int layers) {
        return (float) (std / Math.sqrt(2.0 * layers));
    }
}
