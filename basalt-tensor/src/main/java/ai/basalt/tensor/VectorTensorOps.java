package ai.basalt.tensor;

/**
 * Vector API kernels. PLACEHOLDER: delegates to the scalar reference until the SIMD kernels land.
 */
final class VectorTensorOps {
    private VectorTensorOps() {}

    static TensorOps create() {
        return ScalarTensorOps.INSTANCE;
    }
}
