package ai.basalt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.nn.Var;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped and resumed, by a finished shorter run, by an exception between steps or by {@code kill -9} of a
 * child JVM, ends with the very bits of a run that never stopped: parameters, losses, evaluations.
 */
class ResumeTest {
    static final long STEPS = 20;

    @TempDir
    static Path shared;
    static Path data;
    /** The uninterrupted run. */
    static TrainingResult reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void uninterrupted() {
        data = TrainingFixtures.prepare(shared.resolve("fixture"));
        reference = new Trainer(TrainingFixtures.config(data, shared.resolve("reference"), STEPS), BigramModel.factory(),
                TrainingListener.NONE).run(false);
    }

    static Map<ConfigKey, Object> flags(Path out) {
        Map<ConfigKey, Object> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.OUT, out);
        return flags;
    }

    @Test
    void halfThenResumeEqualsOneGo() {
        Path out = dir.resolve("halves");
        Map<ConfigKey, Object> first = TrainingFixtures.settings(data, out, STEPS / 2);
        first.put(ConfigKey.LR_DECAY_STEPS, STEPS); // the schedule of the whole run
        new Trainer(ConfigKey.resolve(first), BigramModel.factory(), TrainingListener.NONE).run(false);

        Map<ConfigKey, Object> more = flags(out);
        more.put(ConfigKey.STEPS, STEPS);
        TrainingConfig second = TrainingConfigs.load(null, more, true); // the rest comes from the checkpoint
        List<String> messages = new ArrayList<>();
        TrainingResult resumed = new Trainer(second, BigramModel.factory(), messages(messages)).run(true);

        assertSameRun(resumed, reference);
        assertThat(messages).contains("warning: resuming with changed settings: steps 10 -> 20", "resuming from "
                + out.resolve("checkpoint.bin") + " at step 10");
    }

    @Test
    void crashBetweenStepsResumesExactly() throws Exception {
        Path out = dir.resolve("crashed");
        TrainingConfig config = TrainingFixtures.config(data, out, STEPS);
        assertThatThrownBy(() -> new Trainer(config, BigramModel.factory(), new TrainingListener() {
            @Override
            public void step(StepMetrics m, boolean logged) {
                if (m.step() == 13) throw new IllegalStateException("simulated crash");
            }
        }).run(false)).hasMessage("simulated crash");
        // the crashed session logged steps past its last checkpoint (10); the resumed one rewrites them
        assertThat(steps(out.resolve(Trainer.METRICS_FILE))).endsWith(10L, 12L);
        assertThat(CheckpointFile.readHeader(out.resolve(Trainer.CHECKPOINT_FILE)).step()).isEqualTo(10);

        TrainingResult resumed = new Trainer(config, BigramModel.factory(), TrainingListener.NONE).run(true);
        assertSameRun(resumed, reference);
    }

    @Test
    void killedJvmResumesFromItsLastCompleteCheckpoint() throws Exception {
        Path out = dir.resolve("killed");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), data.toString(), out.toString(), Long.toString(STEPS), "40")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path checkpoint = out.resolve(Trainer.CHECKPOINT_FILE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(checkpoint) && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(checkpoint).as("child log: %s", readQuietly(log)).exists();
            Thread.sleep(60); // into the next steps, possibly into the next checkpoint's write
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            child.waitFor(30, TimeUnit.SECONDS);
        }
        long done = CheckpointFile.readHeader(out.resolve(Trainer.CHECKPOINT_FILE)).step();
        assertThat(done).as("killed mid-run").isBetween(5L, STEPS - 1);

        TrainingConfig config = TrainingConfigs.load(null, flags(out), true);
        TrainingResult resumed = new Trainer(config, BigramModel.factory(), TrainingListener.NONE).run(true);
        assertSameRun(resumed, reference);
    }

    static void assertSameRun(TrainingResult actual, TrainingResult expected) {
        List<Var> a = actual.model().parameters();
        List<Var> e = expected.model().parameters();
        assertThat(a).hasSameSizeAs(e);
        for (int i = 0; i < a.size(); i++) {
            assertThat(CheckpointFileTest.bits(java.util.Arrays.copyOf(a.get(i).data(), a.get(i).size())))
                    .as(a.get(i).name())
                    .isEqualTo(CheckpointFileTest.bits(java.util.Arrays.copyOf(e.get(i).data(), e.get(i).size())));
        }
        assertThat(actual.steps()).isEqualTo(expected.steps());
        assertThat(actual.evaluation()).isEqualTo(expected.evaluation());
        assertThat(actual.lastTrainLoss()).isEqualTo(expected.lastTrainLoss());
        assertThat(withoutTimings(actual.metrics())).isEqualTo(withoutTimings(expected.metrics()));
    }

    /** The metrics lines without throughput and time, which differ from run to run. */
    static List<ObjectNode> withoutTimings(Path metrics) {
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> out = new ArrayList<>();
        for (String line : readLines(metrics)) {
            try {
                ObjectNode n = (ObjectNode) json.readTree(line);
                n.remove("tokens_per_second");
                n.remove("elapsed_s");
                out.add(n);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return out;
    }

    static List<Long> steps(Path metrics) {
        return withoutTimings(metrics).stream().map(n -> n.get("step").asLong()).toList();
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(none)";
        }
    }

    static TrainingListener messages(List<String> into) {
        return new TrainingListener() {
            @Override
            public void message(String line) {
                into.add(line);
            }
        };
    }
}
