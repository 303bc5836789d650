package ai.basalt.nn.layer;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Init;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import java.util.List;

/**
 * {@code torch.nn.Embedding}: a (count, dim) table of rows looked up by id, N(0, std²) initialized. Its
 * {@link #weight} can also serve as a tied output projection ({@code g.linear(h, emb.weight, null)}), as in
 * GPT-2.
 */
public final class Embedding implements Module {
    /** (count, dim) */
    public final Var weight;

    public Embedding(String name, int count, int dim, Rng rng, float std) {
        this.weight = Var.param(name + ".weight", ParamKind.EMBEDDING, count, dim);
        Init.normal(weight, rng, 0f, std);
    }

    /** Rows for ids, shaped idShape + (dim). */
    public Var forward(Graph g, int[] ids, int... idShape) {
        return g.embedding(weight, ids, idShape);
    }

    @Override
    public List<Var> parameters() {
        return List.of(weight);
    }
}
