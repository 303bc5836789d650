package ai.basalt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingConfigsTest {
    @TempDir
    Path dir;

    private Path file(String json) throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void flagsOverrideTheFileWhichOverridesDefaults() throws Exception {
        Path f = file("""
                {"data": "shards", "tokenizer": "tok/chars.json", "layers": 3, "heads": 2, "dim": 64,
                 "lr": 0.01, "steps": 500, "dropout": 0.2}
                """);
        Map<ConfigKey, Object> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.LR, 0.02);
        flags.put(ConfigKey.HEADS, 4);
        TrainingConfig c = TrainingConfigs.load(f, flags, false);

        assertThat(c.lr()).isEqualTo(0.02); // flag beats file
        assertThat(c.heads()).isEqualTo(4);
        assertThat(c.layers()).isEqualTo(3); // file beats default
        assertThat(c.dim()).isEqualTo(64);
        assertThat(c.dropout()).isEqualTo(0.2f);
        assertThat(c.steps()).isEqualTo(500);
        assertThat(c.batch()).isEqualTo(16); // defaults
        assertThat(c.beta2()).isEqualTo(0.95);
        assertThat(c.eps()).isEqualTo(1e-8);
        assertThat(c.kvHeads()).isEqualTo(4); // derived from the effective heads
        assertThat(c.ffn()).isEqualTo(4 * 64);
        assertThat(c.minLr()).isEqualTo(0.02 / 10);
        assertThat(c.warmup()).isEqualTo(50);
        assertThat(c.lrDecaySteps()).isEqualTo(500);
        assertThat(c.checkpointInterval()).isEqualTo(c.evalInterval());
        // paths in a file are relative to the file's folder
        assertThat(c.data()).isEqualTo(dir.resolve("shards").toAbsolutePath());
        assertThat(c.tokenizer()).isEqualTo(dir.resolve("tok/chars.json").toAbsolutePath());
    }

    @Test
    void llamaDefaultsItsMlpWidth() {
        Map<ConfigKey, Object> v = new EnumMap<>(ConfigKey.class);
        v.put(ConfigKey.DATA, dir);
        v.put(ConfigKey.TOKENIZER, dir.resolve("t.json"));
        v.put(ConfigKey.ARCH, "llama");
        v.put(ConfigKey.DIM, 96);
        assertThat(ConfigKey.resolve(v).ffn()).isEqualTo(256); // 2/3 * 384 = 256
    }

    @Test
    void biasesDefaultByArchitectureAndLlamaRefusesThem() {
        Map<ConfigKey, Object> v = new EnumMap<>(ConfigKey.class);
        v.put(ConfigKey.DATA, dir);
        v.put(ConfigKey.TOKENIZER, dir.resolve("t.json"));
        TrainingConfig gpt2 = ConfigKey.resolve(v);
        assertThat(gpt2.bias()).isTrue();
        assertThat(gpt2.decayEmbeddings()).isFalse();
        assertThat(gpt2.modelSpec(65).bias()).isTrue();
        v.put(ConfigKey.BIAS, false);
        v.put(ConfigKey.DECAY_EMBEDDINGS, true);
        assertThat(ConfigKey.resolve(v).modelSpec(65).bias()).isFalse();
        assertThat(ConfigKey.resolve(v).decayEmbeddings()).isTrue();
        v.remove(ConfigKey.BIAS);
        v.put(ConfigKey.ARCH, "llama");
        assertThat(ConfigKey.resolve(v).bias()).isFalse();
        v.put(ConfigKey.BIAS, true);
        assertThatThrownBy(() -> ConfigKey.resolve(v)).isInstanceOf(ConfigException.class)
                .hasMessage("llama has no biases: bias must be false");
    }

    @Test
    void writtenConfigReadsBackExactly() throws Exception {
        Map<ConfigKey, Object> v = TrainingFixtures.settings(dir.resolve("d"), dir.resolve("o"), 7);
        v.put(ConfigKey.NORM_EPSILON, 1e-6f);
        v.put(ConfigKey.ROPE_THETA, 500000f);
        v.put(ConfigKey.LR, 6e-4);
        v.put(ConfigKey.DROPOUT, 0.1f);
        TrainingConfig c = ConfigKey.resolve(v);
        Path f = dir.resolve("written.json");
        TrainingConfigs.write(c, f);
        assertThat(TrainingConfigs.load(f, Map.of(), false)).isEqualTo(c);
        assertThat(TrainingConfigs.commandLine(c)).startsWith("basalt train --data ").contains(" --kv-heads 2 ")
                .contains(" --dropout 0.1 ").contains(" --lr 6.0E-4 ");
    }

    @Test
    void everyKeyHasAFlagAndADescription() {
        for (ConfigKey k : ConfigKey.values()) {
            assertThat(k.flag()).startsWith("--").doesNotContain("_");
            assertThat(k.description()).isNotBlank();
            assertThat(ConfigKey.ofKey(k.key())).isSameAs(k);
        }
        assertThat(ConfigKey.KV_HEADS.flag()).isEqualTo("--kv-heads");
    }

    @Test
    void unknownSettingIsNamedWithTheFile() throws Exception {
        Path f = file("{\"data\": \"d\", \"tokenizer\": \"t.json\", \"layer\": 3}");
        assertThatThrownBy(() -> TrainingConfigs.load(f, Map.of(), false)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("unknown setting 'layer'")
                .hasMessageContaining("layers");
    }

    @Test
    void mistypedValueIsNamed() throws Exception {
        Path f = file("{\"data\": \"d\", \"tokenizer\": \"t.json\", \"layers\": \"four\"}");
        assertThatThrownBy(() -> TrainingConfigs.load(f, Map.of(), false)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ": 'layers' must be a 32-bit integer, found \"four\"");
    }

    @Test
    void malformedJsonIsOneLineNamingTheFile() throws Exception {
        Path f = file("{\"data\": \"d\",\n \"layers\": }");
        assertThatThrownBy(() -> TrainingConfigs.load(f, Map.of(), false)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": not valid JSON").hasMessageContaining("line 2")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Path array = file("[1, 2]");
        assertThatThrownBy(() -> TrainingConfigs.load(array, Map.of(), false))
                .hasMessage(array + ": a JSON object of settings expected, found array");
        assertThatThrownBy(() -> TrainingConfigs.load(dir.resolve("missing.json"), Map.of(), false))
                .hasMessageEndingWith("missing.json: no such config file");
    }

    @Test
    void missingRequiredSettingsAndContradictionsAreExplained() {
        assertThatThrownBy(() -> TrainingConfigs.load(null, Map.of(), false)).isInstanceOf(ConfigException.class)
                .hasMessage("no data given: pass --data DIR or set \"data\" in the config file");
        Map<ConfigKey, Object> v = TrainingFixtures.settings(dir, dir, 10);
        v.put(ConfigKey.DIM, 10);
        v.put(ConfigKey.HEADS, 3);
        v.remove(ConfigKey.KV_HEADS);
        assertThatThrownBy(() -> ConfigKey.resolve(v)).isInstanceOf(ConfigException.class)
                .hasMessage("dim 10 must be a multiple of heads 3");
        v.put(ConfigKey.HEADS, 2);
        v.put(ConfigKey.WARMUP, 20L);
        assertThatThrownBy(() -> ConfigKey.resolve(v)).hasMessage("lr_decay_steps 10 must be greater than warmup 20");
        v.put(ConfigKey.WARMUP, 2L);
        v.put(ConfigKey.BETA2, 1.0);
        assertThatThrownBy(() -> ConfigKey.resolve(v)).hasMessage("beta2 1.0 must be in [0, 1)");
    }
}
