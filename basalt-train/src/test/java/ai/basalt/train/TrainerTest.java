package ai.basalt.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    static Path dir;

    static TrainingResult result;
    static List<String> messages = new ArrayList<>();
    static List<Long> heardSteps = new ArrayList<>();

    @BeforeAll
    static void train() {
        Path data = TrainingFixtures.prepare(dir.resolve("fixture"));
        TrainingConfig config = TrainingFixtures.config(data, dir.resolve("run"), 12);
        result = new Trainer(config, BigramModel.factory(), new TrainingListener() {
            @Override
            public void step(StepMetrics m, boolean logged) {
                heardSteps.add(m.step());
            }

            @Override
            public void message(String line) {
                messages.add(line);
            }
        }).run(false);
    }

    @Test
    void everyStepIsHeardAndCheckpointsAreAnnounced() {
        assertThat(heardSteps).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(messages).anyMatch(m -> m.startsWith("step 5: wrote ") && m.endsWith("checkpoint.bin"))
                .anyMatch(m -> m.startsWith("step 12: wrote "));
        assertThat(result.steps()).isEqualTo(12);
    }

    @Test
    void metricsLinesParseAndHoldTheirFields() throws Exception {
        List<String> lines = Files.readAllLines(result.metrics(), StandardCharsets.UTF_8);
        List<Long> steps = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            steps.add(n.get("step").asLong());
            assertThat(n.get("train_loss").isNumber()).isTrue();
            assertThat(n.get("train_loss").asDouble()).isPositive().isFinite();
            assertThat(n.get("lr").asDouble()).isPositive();
            assertThat(n.get("grad_norm").asDouble()).isPositive();
            assertThat(n.get("tokens_per_second").asDouble()).isPositive();
            assertThat(n.get("elapsed_s").asDouble()).isNotNegative();
            boolean evaluated = n.get("step").asLong() % 5 == 0 || n.get("step").asLong() == 12;
            assertThat(n.has("val_loss")).as(line).isEqualTo(evaluated);
            assertThat(n.has("eval_train_loss")).as(line).isEqualTo(evaluated);
        }
        // logged every 2 steps, evaluated every 5 and at the end
        assertThat(steps).containsExactly(2L, 4L, 5L, 6L, 8L, 10L, 12L);
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("lr").asDouble()).isEqualTo(3e-2 * 2 / 3); // warm-up step 1 of 2: lr·(1+1)/(2+1)
    }

    @Test
    void trainingLowersTheLoss() throws Exception {
        List<String> lines = Files.readAllLines(result.metrics(), StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        double firstVal = json.readTree(lines.get(2)).get("val_loss").asDouble();
        double lastVal = json.readTree(lines.get(lines.size() - 1)).get("val_loss").asDouble();
        assertThat(lastVal).isLessThan(firstVal);
        assertThat(result.evaluation().validationLoss()).isEqualTo((float) lastVal);
    }

    @Test
    void lossPlotIsAPngOfTheExpectedSize() throws Exception {
        byte[] png = Files.readAllBytes(result.plot());
        assertThat(png).startsWith(PNG_SIGNATURE);
        ByteBuffer b = ByteBuffer.wrap(png);
        assertThat(new String(png, 12, 4, StandardCharsets.US_ASCII)).isEqualTo("IHDR");
        assertThat(b.getInt(16)).isEqualTo(LossPlot.WIDTH);
        assertThat(b.getInt(20)).isEqualTo(LossPlot.HEIGHT);
        assertThat(png.length).isGreaterThan(5_000); // axes, labels and three series, not a blank image
        assertThat(new String(png, png.length - 8, 4, StandardCharsets.US_ASCII)).isEqualTo("IEND");
    }

    @Test
    void exportsTheModelAndTheResolvedConfig() throws Exception {
        try (GgufFile gguf = GgufFile.open(result.gguf())) {
            assertThat(gguf.architecture()).isEqualTo("bigram");
            assertThat(gguf.metadata().getString("general.name")).isEqualTo("run");
        }
        assertThat(result.huggingFace().resolve("config.json")).isRegularFile();
        assertThat(result.huggingFace().resolve("model.safetensors")).isRegularFile();
        Path resolved = result.out().resolve(Trainer.CONFIG_FILE);
        assertThat(TrainingConfigs.load(resolved, Map.of(), false))
                .isEqualTo(TrainingFixtures.config(dir.resolve("fixture/data"), dir.resolve("run"), 12));
    }

    @Test
    void modelCardDescribesTheRun() throws Exception {
        String card = Files.readString(result.modelCard(), StandardCharsets.UTF_8);
        long parameters = result.model().parameters().stream().mapToLong(p -> p.size()).sum();
        assertThat(parameters).isEqualTo(30 * 8 * 2 + 30); // V = 30 characters, C = 8
        assertThat(card).startsWith("# run\n").contains("| parameters | " + parameters + " |")
                .contains("## Data").contains("train.tokens: ").contains("## Tokenizer").contains("CharTokenizer")
                .contains("| `lr` | 0.03 |").contains("| steps | 12 |").contains("final validation loss")
                .contains("```sh\nbasalt train --data " + dir.resolve("fixture/data").toAbsolutePath())
                .contains(" --seed 1337 ").contains(" --threads 2 ").contains("## Samples")
                // the engine has no "bigram" architecture: the card says so instead of failing the run
                .contains("Samples could not be generated: ").contains("bigram");
    }
}
