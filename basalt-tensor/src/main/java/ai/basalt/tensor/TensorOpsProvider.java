package ai.basalt.tensor;

import java.util.ServiceLoader;

/**
 * Chooses the kernel implementation: the Vector API one where the JVM has the incubator module and a
 * usable SIMD width, else the scalar reference. {@code -Dbasalt.ops=scalar} forces the reference.
 */
final class TensorOpsProvider {
    private TensorOpsProvider() {}

    private static final class Holder {
        static final TensorOps BEST = choose(System.getProperty("basalt.ops"));
    }

    static TensorOps best() {
        return Holder.BEST;
    }

    /** The kernels for the {@code basalt.ops} setting {@code requested} (null when unset). */
    static TensorOps choose(String requested) {
        if ("scalar".equals(requested)) return ScalarTensorOps.INSTANCE;
        try {
            return VectorTensorOps.create();
        } catch (LinkageError | RuntimeException e) {
            System.err.println("basalt: Vector API unavailable (" + e.getMessage()
                    + "); using scalar kernels. Run with --add-modules jdk.incubator.vector.");
            return ScalarTensorOps.INSTANCE;
        }
    }
}
