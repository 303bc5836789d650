package ai.basalt.nn.optim;

import ai.basalt.nn.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters that share optimizer settings, as in a {@code torch.optim} param group.
 *
 * @param params the parameters, in the order the optimizer's state arrays follow
 * @param weightDecay the decoupled weight decay coefficient (AdamW's {@code weight_decay})
 */
public record ParamGroup(List<Var> params, double weightDecay) {
    public ParamGroup {
        params = List.copyOf(params);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay " + weightDecay + " must be at least 0");
    }

    /**
     * The usual two groups: linear weights decay by {@code weightDecay}; norms, biases and embeddings do
     * not (decided by {@link ai.basalt.nn.ParamKind#decays()}). Order within each group follows
     * {@code params}; the decaying group comes first.
     */
    public static List<ParamGroup> decayingWeights(List<Var> params, double weightDecay) {
        List<Var> decay = new ArrayList<>();
        List<Var> rest = new ArrayList<>();
        for (Var p : params) (p.kind().decays() ? decay : rest).add(p);
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(rest, 0.0));
    }

    /**
     * nanoGPT's two groups ({@code configure_optimizers}): every parameter of two or more dimensions decays, the
     * embedding tables included; vectors (norms, biases) do not. Order as in {@link #decayingWeights}.
     */
    public static List<ParamGroup> decayingMatrices(List<Var> params, double weightDecay) {
        List<Var> decay = new ArrayList<>();
        List<Var> rest = new ArrayList<>();
        for (Var p : params) (p.rank() >= 2 ? decay : rest).add(p);
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(rest, 0.0));
    }
}
