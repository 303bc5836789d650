package ai.basalt.bench;

import ai.basalt.tensor.TensorOps;

/** The kernel backends a benchmark can be asked for by its {@code ops} parameter. */
final class Kernels {
    private Kernels() {}

    /**
     * {@code scalar} or {@code vector}. Asking for {@code vector} on a JVM without the Vector API fails
     * the trial instead of quietly measuring the scalar fallback twice.
     */
    static TensorOps named(String ops) {
        return switch (ops) {
            case "scalar" -> TensorOps.scalar();
            case "vector" -> {
                TensorOps best = TensorOps.best();
                if (!best.name().startsWith("vector")) {
                    throw new IllegalStateException("vector kernels unavailable: TensorOps.best() is " + best.name()
                            + " (run with --add-modules jdk.incubator.vector)");
                }
                yield best;
            }
            default -> throw new IllegalArgumentException("ops '" + ops + "': expected scalar or vector");
        };
    }
}
