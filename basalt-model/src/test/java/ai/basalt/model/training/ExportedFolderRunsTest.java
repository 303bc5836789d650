package ai.basalt.model.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.training.BpeTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A trained model's two exports describe one model: the Hugging Face folder {@code writeHuggingFace} writes (its
 * own code for names, rotate-half rows and Conv1D transposes) runs in Basalt with the same logits, bit for bit, as
 * the GGUF file {@code writeGguf} writes.
 */
class ExportedFolderRunsTest {
    private static final ByteLevelBpeTokenizer TOKENIZER = new BpeTrainer(new BpeTrainer.Config(300, List.of("<|endoftext|>")))
            .train("the cat sat on the mat. the dog sat on the log. a cat and a dog. ".repeat(20));

    @TempDir
    Path dir;

    static Stream<ModelSpec> specs() {
        int v = TOKENIZER.vocabulary().size();
        return Stream.of(
                new ModelSpec("gpt2", 2, 4, 4, 32, 128, 24, v, 1e-5f, 10000f, true, 0f),
                new ModelSpec("gpt2", 1, 2, 2, 16, 40, 20, v, 1e-5f, 10000f, false, 0f),
                new ModelSpec("llama", 2, 4, 2, 32, 80, 24, v, 1e-5f, 10000f, false, 0f),
                new ModelSpec("llama", 1, 4, 1, 32, 48, 20, v, 1e-6f, 500000f, true, 0f));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theHuggingFaceFolderRunsAsTheGgufFile(ModelSpec spec) {
        TrainableModel model = GgufExportTest.randomized(spec, 21);
        Path file = dir.resolve("model.gguf");
        Path folder = dir.resolve("hf");
        model.writeGguf(file, TOKENIZER, "tiny");
        model.writeHuggingFace(folder, TOKENIZER);
        int[] tokens = TOKENIZER.encode("the cat sat on the mat");
        try (LanguageModel gguf = Models.load(file); LanguageModel hf = Models.load(folder)) {
            assertThat(hf.contextLength()).isEqualTo(spec.context());
            InferenceState a = gguf.newState(tokens.length);
            InferenceState b = hf.newState(tokens.length);
            for (int pos = 0; pos < tokens.length; pos++) {
                float[] want = gguf.forward(a, tokens[pos], pos, true).clone();
                assertThat(hf.forward(b, tokens[pos], pos, true)).as("position %d", pos).containsExactly(want);
            }
        }
    }
}
