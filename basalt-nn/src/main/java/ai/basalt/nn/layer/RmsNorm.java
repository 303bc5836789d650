package ai.basalt.nn.layer;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Init;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Var;
import java.util.List;

/** Llama's RMSNorm(dim, eps): x · rsqrt(mean(x²) + eps) · weight, gain 1 to start. */
public final class RmsNorm implements Module {
    /** (dim) */
    public final Var weight;
    public final float eps;

    public RmsNorm(String name, int dim, float eps) {
        this.weight = Var.param(name + ".weight", ParamKind.NORM, dim);
        this.eps = eps;
        Init.ones(weight);
    }

    public Var forward(Graph g, Var x) {
        return g.rmsNorm(x, weight, eps);
    }

    @Override
    public List<Var> parameters() {
        return List.of(weight);
    }
}
