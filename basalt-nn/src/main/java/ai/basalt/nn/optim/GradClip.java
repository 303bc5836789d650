package ai.basalt.nn.optim;

import ai.basalt.nn.Var;
import java.util.List;

/** Gradient clipping by global L2 norm with {@code torch.nn.utils.clip_grad_norm_} semantics. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by {@code maxNorm / (totalNorm + 1e-6)} when that is below 1, and returns the
     * norm before clipping. Parameters without a gradient are skipped. As in PyTorch each parameter's norm
     * is rounded to float before the norm of norms is taken; sums of squares run in double, in order.
     */
    public static float clipGlobalNorm(List<Var> params, double maxNorm) {
        double sumOfSquares = 0;
        for (Var p : params) {
            float[] g = p.grad();
            if (g == null) continue;
            double sq = 0;
            for (int i = 0; i < p.size(); i++) sq += (double) g[i] * g[i];
            float norm = (float) Math.sqrt(sq);
            sumOfSquares += (double) norm * norm;
        }
        float total = (float) Math.sqrt(sumOfSquares);
        float coef = (float) maxNorm / (total + 1e-6f);
        if (coef < 1f) {
            for (Var p : params) {
                float[] g = p.grad();
                if (g == null) continue;
                for (int i = 0; i < p.size(); i++) g[i] *= coef;
            }
        }
        return total;
    }
}
