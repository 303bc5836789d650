package ai.basalt.nn.kernel;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API species the kernels step by, and the few lane-wise helpers they share, written so that
 * results are the same bits in every JIT tier. Two Vector API operations are avoided for that reason: the
 * transcendental {@code lanewise(EXP/TANH)} (compiled code calls a vector math library, the interpreter
 * {@code Math}: they differ in the last bits) and float {@code reduceLanes(ADD)} (whose order is
 * unspecified). Instead {@link #exp} is a polynomial made of exact IEEE operations only, with a scalar
 * twin of identical steps ({@link VectorMath}, shared with the inference kernels), and {@link #sum} adds
 * lanes in index order.
 */
final class Lanes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    private Lanes() {}

    /** Runs body over [0, n) in chunks whose boundaries are multiples of {@link #L} (except n itself). */
    static void forBlocks(int n, long workPerElement, Parallel.RangeBody body) {
        int blocks = (n + L - 1) / L;
        Parallel.forRows(blocks, workPerElement * L, (b0, b1) -> body.run(b0 * L, Math.min(n, b1 * L)));
    }

    /** The end of the vector loop over [start, end): start + the largest multiple of L that fits. */
    static int vectorEnd(int start, int end) {
        return start + F.loopBound(end - start);
    }

    /** The lanes added in index order. */
    static float sum(FloatVector v) {
        return VectorMath.sum(v);
    }

    /** e^x, clamped to the normal float range (so e^−∞ is about 1e−38, not 0). */
    static FloatVector exp(FloatVector x) {
        return VectorMath.exp(x);
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations, so the same bits. */
    static float exp(float x) {
        return VectorMath.exp(x);
    }

    /** σ(x) = 1 / (1 + e^−x). */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.div(one.add(exp(x.neg())));
    }

    /** σ(x), the scalar twin. */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }
}
