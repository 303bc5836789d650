package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The provider picks the Vector API kernels where the JVM has them (the build runs tests with the module). */
class TensorOpsProviderTest {

    @Test
    void bestIsTheVectorKernelsWhenTheIncubatorModuleIsPresent() {
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
        assertThat(TensorOps.best()).isInstanceOf(VectorTensorOps.class);
        assertThat(TensorOps.best().name()).startsWith("vector");
    }

    @Test
    void scalarCanBeForced() {
        assertThat(TensorOpsProvider.choose("scalar")).isSameAs(ScalarTensorOps.INSTANCE);
        assertThat(TensorOpsProvider.choose(null)).isInstanceOf(VectorTensorOps.class);
        assertThat(TensorOps.scalar()).isSameAs(ScalarTensorOps.INSTANCE);
    }
}
