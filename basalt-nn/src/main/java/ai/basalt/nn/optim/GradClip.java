package ai.basalt.nn.optim;

import ai.basalt.nn.Var;
import ai.basalt.tensor.Parallel;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Gradient clipping by global L2 norm with {@code torch.nn.utils.clip_grad_norm_} semantics.
 *
 * <p>{@link #clipGlobalNormScalar} is the reference: one thread, double sums in element order.
 * {@link #clipGlobalNorm} cuts every gradient into fixed chunks of {@link #CHUNK} elements, squares and sums
 * each chunk in float vector lanes, adds the lanes in index order into a double, and adds the chunks of a
 * parameter in order: the chunks do not depend on the thread count, so neither does the result.
 */
public final class GradClip {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Elements per chunk of the parallel sum; short enough for float lanes to lose nothing that matters. */
    static final int CHUNK = 2048;

    private GradClip() {}

    /**
     * Scales every gradient by {@code maxNorm / (totalNorm + 1e-6)} when that is below 1, and returns the
     * norm before clipping. Parameters without a gradient are skipped. As in PyTorch each parameter's norm
     * is rounded to float before the norm of norms is taken.
     */
    public static float clipGlobalNorm(List<Var> params, double maxNorm) {
        Chunks chunks = Chunks.of(params);
        double[] partial = new double[chunks.count];
        Parallel.forRows(chunks.count, CHUNK, (c0, c1) -> {
            for (int c = c0; c < c1; c++) partial[c] = sumOfSquares(chunks.grad(c), chunks.start[c], chunks.end[c]);
        });
        double sumOfSquares = 0;
        int c = 0;
        for (int p = 0; p < chunks.params; p++) {
            double sq = 0;
            for (; c < chunks.count && chunks.param[c] == p; c++) sq += partial[c];
            float norm = (float) Math.sqrt(sq);
            sumOfSquares += (double) norm * norm;
        }
        float total = (float) Math.sqrt(sumOfSquares);
        float coef = (float) maxNorm / (total + 1e-6f);
        if (coef < 1f) {
            Parallel.forRows(chunks.count, CHUNK, (c0, c1) -> {
                for (int k = c0; k < c1; k++) scale(chunks.grad(k), chunks.start[k], chunks.end[k], coef);
            });
        }
        return total;
    }

    /** The reference: {@link #clipGlobalNorm} on one thread with double sums in element order. */
    public static float clipGlobalNormScalar(List<Var> params, double maxNorm) {
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

    /** Σ g[i]² over [start, end): float lanes, then the lanes and the tail in order in double. */
    private static double sumOfSquares(float[] g, int start, int end) {
        FloatVector acc = FloatVector.zero(F);
        int i = start;
        for (int e = start + F.loopBound(end - start); i < e; i += L) {
            FloatVector v = FloatVector.fromArray(F, g, i);
            acc = v.fma(v, acc);
        }
        double s = 0;
        for (int lane = 0; lane < L; lane++) s += acc.lane(lane);
        for (; i < end; i++) s += (double) g[i] * g[i];
        return s;
    }

    private static void scale(float[] g, int start, int end, float coef) {
        int i = start;
        for (int e = start + F.loopBound(end - start); i < e; i += L) FloatVector.fromArray(F, g, i).mul(coef).intoArray(g, i);
        for (; i < end; i++) g[i] *= coef;
    }

    /** The gradients with arrays cut into chunks of at most CHUNK elements, in parameter order. */
    private record Chunks(int params, int count, float[][] grads, int[] param, int[] start, int[] end) {
        static Chunks of(List<Var> vars) {
            int count = 0;
            for (Var p : vars) if (p.grad() != null) count += Math.max(1, (p.size() + CHUNK - 1) / CHUNK);
            float[][] grads = new float[count][];
            int[] param = new int[count], start = new int[count], end = new int[count];
            int c = 0, index = 0;
            for (Var p : vars) {
                float[] g = p.grad();
                if (g == null) continue;
                int s = 0;
                do {
                    grads[c] = g;
                    param[c] = index;
                    start[c] = s;
                    end[c] = Math.min(p.size(), s + CHUNK);
                    c++;
                    s += CHUNK;
                } while (s < p.size());
                index++;
            }
            return new Chunks(index, count, grads, param, start, end);
        }

        float[] grad(int c) {
            return grads[c];
        }
    }
}
