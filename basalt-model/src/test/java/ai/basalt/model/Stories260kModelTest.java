package ai.basalt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.model.llama.LlamaModel;
import ai.basalt.tensor.RopeMode;
import ai.basalt.testkit.ConformanceData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Loading a real Llama GGUF through the ServiceLoader-found architecture, and the forward pass contract. */
class Stories260kModelTest {
    private static Path gguf() {
        return ConformanceData.require("models/stories260K/stories260K.gguf");
    }

    @Test
    void architectureIsFoundThroughServiceLoader() {
        assertThat(Models.architectures()).anySatisfy(a -> assertThat(a.names()).contains("llama"));
    }

    @Test
    void hyperParametersComeFromMetadata() {
        try (LanguageModel model = Models.load(gguf())) {
            assertThat(model).isInstanceOf(LlamaModel.class);
            LlamaConfig c = ((LlamaModel) model).config();
            assertThat(c).isEqualTo(new LlamaConfig(64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 10000f, 8, RopeMode.NORMAL));
            assertThat(model.name()).isEqualTo("stories260K");
            assertThat(model.vocabularySize()).isEqualTo(512);
            assertThat(model.parameterCount()).isBetween(250_000L, 270_000L);
        }
    }

    @Test
    void forwardIsDeterministicAndStatesAreIndependent() {
        try (LanguageModel model = Models.load(gguf())) {
            InferenceState a = model.newState(16);
            InferenceState b = model.newState(16);
            float[] first = model.forward(a, 1, 0, true).clone();
            model.forward(a, 403, 1, true);
            float[] again = model.forward(b, 1, 0, true);
            assertThat(again).containsExactly(first);
            assertThat(model.forward(a, 407, 2, false)).isNull();
        }
    }

    @Test
    void forwardRejectsPositionsAndTokensOutOfRange() {
        try (LanguageModel model = Models.load(gguf())) {
            InferenceState s = model.newState(4);
            assertThatThrownBy(() -> model.forward(s, 1, 4, true)).hasMessageContaining("position 4");
            assertThatThrownBy(() -> model.forward(s, 512, 0, true)).hasMessageContaining("token id 512");
            assertThatThrownBy(() -> model.newState(513)).hasMessageContaining("513");
        }
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> Models.load(Path.of("does-not-exist.gguf")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("does-not-exist.gguf: no such model file");
    }
}
