package ai.basalt.tensor;

import java.util.ServiceLoader;

/**
 * Chooses the kernel implementation: the Vector API one where the JVM has the incubator module and a
 * usable SIMD width, else the scalar reference. {@code -Dbasalt.ops=scalar} forces the reference.
 */
final class TensorOpsProvider {
    private TensorOpsProvider() {}

    private static final class Holder {
        static final TensorOps BEST = choose();
    }

    static TensorOps best() {
        return Holder.BEST;
    }

    private static TensorOps choose() {
        if ("scalar".equals(System.getProperty("basalt.ops"))) return ScalarTensorOps.INSTANCE;
        try {
            return VectorTensorOps.create();
        } catch (LinkageError | RuntimeException e) {
            System.err.println("basalt: Vector API unavailable (" + e.getMessage()
                    + "); using scalar kernels. Run with --add-modules jdk.incubator.vector.");
            return ScalarTensorOps.INSTANCE;
        }
    }
}
