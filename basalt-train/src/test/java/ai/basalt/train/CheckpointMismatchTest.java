package ai.basalt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.tokenizer.CharTokenizer;
import ai.basalt.train.data.DataPreparer;
import ai.basalt.train.data.PrepareOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming is refused, in one line naming the file and what differs, unless the checkpoint fits the run. */
class CheckpointMismatchTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path out;
    static Path checkpoint;

    @BeforeAll
    static void trainFiveSteps() {
        data = TrainingFixtures.prepare(dir.resolve("fixture"));
        out = dir.resolve("run");
        new Trainer(TrainingFixtures.config(data, out, 5), BigramModel.factory(), TrainingListener.NONE).run(false);
        checkpoint = out.resolve(Trainer.CHECKPOINT_FILE);
    }

    private static Map<ConfigKey, Object> settings() {
        return TrainingFixtures.settings(data, out, 10);
    }

    private static TrainingResult resume(Map<ConfigKey, Object> settings) {
        return new Trainer(ConfigKey.resolve(settings), BigramModel.factory(), TrainingListener.NONE).run(true);
    }

    @Test
    void anotherModelIsRefused() {
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.DIM, 16);
        s.put(ConfigKey.LAYERS, 2);
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessage(checkpoint + ": the checkpoint's model differs from this run's: layers 1 in the checkpoint, 2 "
                        + "now; dim 8 in the checkpoint, 16 now; ffn 32 in the checkpoint, 64 now");
    }

    @Test
    void anotherTokenizerIsRefused() throws Exception {
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        String text = TrainingFixtures.CORPUS + "XYZ\n";
        Files.writeString(other.resolve("corpus.txt"), text);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        tokenizer.save(other.resolve("chars.json"));
        new DataPreparer(tokenizer, PrepareOptions.defaults().withThreads(1))
                .prepare(List.of(other.resolve("corpus.txt")), other.resolve("data"), DataPreparer.Progress.NONE);
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.DATA, other.resolve("data"));
        s.put(ConfigKey.TOKENIZER, other.resolve("chars.json"));
        // same model shape needs the same vocabulary size: the spec check would fire first otherwise
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(checkpoint + ": the checkpoint's model differs from this run's: "
                        + "vocabulary_size 30 in the checkpoint, 33 now");
    }

    @Test
    void sameVocabularySizeButAnotherTokenizerIsRefused() throws Exception {
        Path other = dir.resolve("permuted");
        Files.createDirectories(other);
        // the same characters with one replaced: 30 tokens, another fingerprint
        String text = TrainingFixtures.CORPUS.replace('z', 'Z');
        Files.writeString(other.resolve("corpus.txt"), text);
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        assertThat(tokenizer.vocabulary().size()).isEqualTo(30);
        tokenizer.save(other.resolve("chars.json"));
        new DataPreparer(tokenizer, PrepareOptions.defaults().withThreads(1))
                .prepare(List.of(other.resolve("corpus.txt")), other.resolve("data"), DataPreparer.Progress.NONE);
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.DATA, other.resolve("data"));
        s.put(ConfigKey.TOKENIZER, other.resolve("chars.json"));
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(checkpoint + ": the checkpoint was trained with another tokenizer (fingerprint ")
                .hasMessageContaining(other.resolve("chars.json") + " has ");
    }

    @Test
    void otherDataIsRefused() throws Exception {
        Path other = dir.resolve("otherdata");
        Files.createDirectories(other);
        String[] lines = TrainingFixtures.CORPUS.split("\n");
        Arrays.sort(lines); // same characters, other text
        Files.writeString(other.resolve("corpus.txt"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        CharTokenizer tokenizer = CharTokenizer.load(TrainingFixtures.tokenizer(data));
        new DataPreparer(tokenizer, PrepareOptions.defaults().withThreads(1))
                .prepare(List.of(other.resolve("corpus.txt")), other.resolve("data"), DataPreparer.Progress.NONE);
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.DATA, other.resolve("data"));
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(checkpoint + ": the training data differs: train.tokens had ")
                .hasMessageContaining(" when the checkpoint was written, it has ");
    }

    @Test
    void corruptAndTruncatedCheckpointsAreRefused() throws Exception {
        Path copy = dir.resolve("corrupt");
        Files.createDirectories(copy);
        byte[] bytes = Files.readAllBytes(checkpoint);
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.OUT, copy);
        byte[] flipped = bytes.clone();
        flipped[flipped.length / 2] ^= 1;
        Files.write(copy.resolve(Trainer.CHECKPOINT_FILE), flipped);
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(copy.resolve(Trainer.CHECKPOINT_FILE) + ": checksum mismatch");
        Files.write(copy.resolve(Trainer.CHECKPOINT_FILE), Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(copy.resolve(Trainer.CHECKPOINT_FILE) + ": ").hasMessageEndingWith("(truncated)");
    }

    @Test
    void fewerStepsThanTheCheckpointHasDoneIsRefused() {
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.STEPS, 3L);
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessage(checkpoint + ": the checkpoint is at step 5, past steps 3; raise --steps to train on");
    }

    @Test
    void startingAfreshOverACheckpointOrResumingWithoutOneIsRefused() {
        assertThatThrownBy(() -> new Trainer(ConfigKey.resolve(settings()), BigramModel.factory(), TrainingListener.NONE)
                .run(false)).isInstanceOf(CheckpointException.class)
                .hasMessage(checkpoint + ": holds the checkpoint of an earlier run; resume it with --resume or choose "
                        + "another --out");
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.OUT, dir.resolve("empty"));
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessage(dir.resolve("empty").resolve(Trainer.CHECKPOINT_FILE) + ": no such checkpoint");
        assertThatThrownBy(() -> TrainingConfigs.load(null, Map.of(ConfigKey.OUT, dir.resolve("empty")), true))
                .hasMessageStartingWith(dir.resolve("empty").resolve(Trainer.CHECKPOINT_FILE)
                        + ": no checkpoint to resume from");
    }

    @Test
    void switchingToPyTorchsStreamIsRefused() {
        Map<ConfigKey, Object> s = settings();
        s.put(ConfigKey.RNG, "torch");
        assertThatThrownBy(() -> resume(s)).isInstanceOf(CheckpointException.class)
                .hasMessage(checkpoint + ": the checkpoint was trained with rng basalt and seed 1337, this run has rng "
                        + "torch and seed 1337; PyTorch's stream is replayed from its seed, so both must stay");
    }
}
