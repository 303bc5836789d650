package ai.basalt.nn.layer;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Init;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import java.util.List;

/**
 * {@code torch.nn.Linear}: y = x · Wᵀ + b with W (out, in). Starts as N(0, std²) weights and zero bias,
 * the GPT-2 initialization; a model wanting another init overwrites {@link #weight}.
 */
public final class Linear implements Module {
    /** (out, in) */
    public final Var weight;
    /** (out), or null */
    public final Var bias;

    public Linear(String name, int in, int out, boolean bias, Rng rng, float std) {
        this.weight = Var.param(name + ".weight", ParamKind.WEIGHT, out, in);
        this.bias = bias ? Var.param(name + ".bias", ParamKind.BIAS, out) : null;
        Init.normal(weight, rng, 0f, std);
    }

    public Var forward(Graph g, Var x) {
        return g.linear(x, weight, bias);
    }

    @Override
    public List<Var> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
