package ai.basalt.nn.layer;

import ai.basalt.nn.Var;
import java.util.List;

/** Something that owns trainable parameters. Models are modules made of modules. */
public interface Module {

    /** Every parameter, in a fixed order (the order optimizers and checkpoints use). */
    List<Var> parameters();

    /** Sets every parameter's gradient to zeros. */
    default void zeroGrad() {
        for (Var p : parameters()) p.zeroGrad();
    }

    /** The number of trainable values. */
    default long parameterCount() {
        long n = 0;
        for (Var p : parameters()) n += p.size();
        return n;
    }
}
