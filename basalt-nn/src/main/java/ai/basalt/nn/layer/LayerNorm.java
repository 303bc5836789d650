package ai.basalt.nn.layer;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Init;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Var;
import java.util.List;

/** {@code torch.nn.LayerNorm(dim, eps, bias)}: gain 1 and shift 0 to start. */
public final class LayerNorm implements Module {
    /** (dim) */
    public final Var weight;
    /** (dim), or null */
    public final Var bias;
    public final float eps;

    public LayerNorm(String name, int dim, boolean bias, float eps) {
        this.weight = Var.param(name + ".weight", ParamKind.NORM, dim);
        this.bias = bias ? Var.param(name + ".bias", ParamKind.NORM, dim) : null;
        this.eps = eps;
        Init.ones(weight);
    }

    public Var forward(Graph g, Var x) {
        return g.layerNorm(x, weight, bias, eps);
    }

    @Override
    public List<Var> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
