package ai.basalt.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.RopeMode;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {

    @Test
    void headsMustBeAMultipleOfKvHeads() {
        assertThatThrownBy(() -> new LlamaConfig(64, 172, 5, 8, 3, 8, 512, 512, 1e-5f, 1e4f, 8, RopeMode.NORMAL))
                .hasMessageContaining("head_count 8 must be a multiple of attention.head_count_kv 3");
    }

    @Test
    void ropeDimensionsMustFitTheHead() {
        assertThatThrownBy(() -> new LlamaConfig(64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 1e4f, 16, RopeMode.NORMAL))
                .hasMessageContaining("rope.dimension_count 16");
        assertThatThrownBy(() -> new LlamaConfig(64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 1e4f, 7, RopeMode.NORMAL))
                .hasMessageContaining("must be even");
    }

    @Test
    void sizesMustBePositive() {
        assertThatThrownBy(() -> new LlamaConfig(0, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 1e4f, 8, RopeMode.NORMAL))
                .hasMessageContaining("embedding_length");
        assertThatThrownBy(() -> new LlamaConfig(64, 172, 5, 8, 4, 8, 512, 0, 1e-5f, 1e4f, 8, RopeMode.NORMAL))
                .hasMessageContaining("context_length");
        assertThatThrownBy(() -> new LlamaConfig(64, 172, 5, 8, 4, 8, 512, 512, 0f, 1e4f, 8, RopeMode.NORMAL))
                .hasMessageContaining("epsilon");
    }
}
