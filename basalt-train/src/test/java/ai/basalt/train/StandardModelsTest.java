package ai.basalt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer with basalt-model's transformers: a crash and resume with dropout on is bit-identical (the model's
 * own dropout generator is checkpointed), and the exported GGUF runs in Basalt's engine, which writes the card's
 * samples.
 */
class StandardModelsTest {
    static final long STEPS = 10;

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void prepare() {
        data = TrainingFixtures.prepare(dir.resolve("fixture"));
    }

    static TrainingConfig config(String arch, Path out) {
        Map<ConfigKey, Object> s = TrainingFixtures.settings(data, out, STEPS);
        s.put(ConfigKey.ARCH, arch);
        s.put(ConfigKey.LAYERS, 2);
        s.put(ConfigKey.HEADS, 2);
        s.put(ConfigKey.KV_HEADS, arch.equals("llama") ? 1 : 2);
        s.put(ConfigKey.DIM, 16);
        s.put(ConfigKey.DROPOUT, 0.1f);
        s.put(ConfigKey.LR, 1e-2);
        return ConfigKey.resolve(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void resumeAfterACrashIsExactAndTheExportRuns(String arch) throws Exception {
        TrainingResult reference = new Trainer(config(arch, dir.resolve(arch + "-ref")), ModelFactory.standard(),
                TrainingListener.NONE).run(false);

        TrainingResult resumed = crashAtStep7ThenResume(config(arch, dir.resolve(arch + "-crash")));
        ResumeTest.assertSameRun(resumed, reference);

        try (LanguageModel model = Models.load(resumed.gguf())) {
            assertThat(model.architecture()).isEqualTo(arch);
            assertThat(model.contextLength()).isEqualTo(16);
            String greedy = new Session(model, 16).generate(new int[] {1, 2, 3}, GenerationParams.greedy(8),
                    TokenListener.NONE).text();
            String card = Files.readString(resumed.modelCard(), StandardCharsets.UTF_8);
            assertThat(card).contains("Greedy:").contains("Sampled (temperature 0.8").doesNotContain("could not");
            assertThat(greedy).isNotEmpty();
        }
        assertThat(resumed.huggingFace().resolve("config.json")).isRegularFile();
    }

    /**
     * PyTorch's stream: the model starts from nanoGPT's draws (not Basalt's), and a crash and resume replays the
     * shared generator from its saved draw count, so the run is still bit-identical to an uninterrupted one.
     */
    @org.junit.jupiter.api.Test
    void torchStreamRunsResumeExactly() throws Exception {
        Map<ConfigKey, Object> s = TrainingFixtures.settings(data, dir.resolve("torch-ref"), STEPS);
        s.put(ConfigKey.LAYERS, 2);
        s.put(ConfigKey.HEADS, 2);
        s.put(ConfigKey.DIM, 16);
        s.put(ConfigKey.LR, 1e-2);
        s.put(ConfigKey.RNG, "torch");
        List<String> messages = new java.util.ArrayList<>();
        TrainingResult reference = new Trainer(ConfigKey.resolve(s), ModelFactory.standard(), new TrainingListener() {
            @Override
            public void message(String line) {
                messages.add(line);
            }
        }).run(false);
        assertThat(messages).anyMatch(m -> m.matches("step 0: train loss \\d\\.\\d{4}, val loss \\d\\.\\d{4}"));

        s.put(ConfigKey.OUT, dir.resolve("torch-crash"));
        ResumeTest.assertSameRun(crashAtStep7ThenResume(ConfigKey.resolve(s)), reference);

        s.put(ConfigKey.OUT, dir.resolve("basalt-stream"));
        s.put(ConfigKey.RNG, "basalt");
        TrainingResult basalt = new Trainer(ConfigKey.resolve(s), ModelFactory.standard(), TrainingListener.NONE).run(false);
        assertThat(basalt.evaluation().validationLoss()).as("another stream, another run")
                .isNotEqualTo(reference.evaluation().validationLoss());
    }

    @org.junit.jupiter.api.Test
    void torchStreamIsRefusedForLlama() {
        Map<ConfigKey, Object> s = TrainingFixtures.settings(data, dir.resolve("llama-torch"), STEPS);
        s.put(ConfigKey.ARCH, "llama");
        s.put(ConfigKey.RNG, "torch");
        assertThatThrownBy(() -> ConfigKey.resolve(s)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("architecture llama has no PyTorch reference");
        s.put(ConfigKey.RNG, "numpy");
        s.put(ConfigKey.ARCH, "gpt2");
        assertThatThrownBy(() -> ConfigKey.resolve(s)).hasMessage("rng 'numpy' must be basalt or torch");
    }

    /** A run of {@code config} that fails after step 7, then the same run resumed from its checkpoint. */
    private static TrainingResult crashAtStep7ThenResume(TrainingConfig config) {
        assertThatThrownBy(() -> new Trainer(config, ModelFactory.standard(), new TrainingListener() {
            @Override
            public void step(StepMetrics m, boolean logged) {
                if (m.step() == 7) throw new IllegalStateException("simulated crash");
            }
        }).run(false)).hasMessage("simulated crash");
        return new Trainer(config, ModelFactory.standard(), TrainingListener.NONE).run(true);
    }
}
