package ai.basalt.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON object per logged step, appended as training goes:
 * <pre>{@code
 * {"step": 10, "train_loss": 2.91, "lr": 0.001, "grad_norm": 0.83, "tokens_per_second": 51234.5, "elapsed_s": 1.92,
 *  "eval_train_loss": 2.88, "val_loss": 2.95}
 * }</pre>
 * The last two appear on evaluated steps only ({@code val_loss} only where the validation shard holds a window).
 * A resumed run first drops the lines after its checkpoint's step, which the crashed session wrote and the resumed
 * one writes again, so the file reads as one uninterrupted run.
 */
final class MetricsLog implements AutoCloseable {
    private static final ObjectWriter LINE = TrainingConfigs.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final FileChannel channel;
    private final List<StepMetrics> history;

    private MetricsLog(Path file, FileChannel channel, List<StepMetrics> history) {
        this.file = file;
        this.channel = channel;
        this.history = history;
    }

    /** Opens {@code file} for a run that has done {@code doneSteps} steps, keeping only the lines up to then. */
    static MetricsLog open(Path file, long doneSteps) {
        List<StepMetrics> kept = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        if (doneSteps > 0) {
            List<String> lines = lines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                // a crash in the middle of an append leaves a partial last line, always after the checkpoint
                if (i == lines.size() - 1 && !parses(line)) break;
                StepMetrics m = parse(file, line);
                if (m.step() > doneSteps) break;
                kept.add(m);
                text.append(line).append('\n');
            }
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
        try {
            return new MetricsLog(file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND), kept);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open metrics log (" + e + ")", e);
        }
    }

    /** Appends the line of {@code m}. */
    void append(StepMetrics m) {
        try {
            ByteBuffer line = ByteBuffer.wrap((LINE.writeValueAsString(toJson(m)) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) channel.write(line);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append metrics (" + e + ")", e);
        }
        history.add(m);
    }

    /** Forces the lines written so far to disk (before a checkpoint names their step as done). */
    void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot sync metrics (" + e + ")", e);
        }
    }

    /** Every logged step of the run so far, earlier sessions included. */
    List<StepMetrics> history() {
        return List.copyOf(history);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot close metrics log (" + e + ")", e);
        }
    }

    static ObjectNode toJson(StepMetrics m) {
        ObjectNode n = TrainingConfigs.JSON.createObjectNode().put("step", m.step()).put("train_loss", m.trainLoss())
                .put("lr", m.lr()).put("grad_norm", m.gradNorm()).put("tokens_per_second", m.tokensPerSecond())
                .put("elapsed_s", m.elapsedSeconds());
        Evaluation e = m.evaluation();
        if (!e.isNone()) {
            n.put("eval_train_loss", e.trainLoss());
            if (!Float.isNaN(e.validationLoss())) n.put("val_loss", e.validationLoss());
        }
        return n;
    }

    /** The metrics of one line of {@code file}. */
    static StepMetrics parse(Path file, String line) {
        try {
            JsonNode n = TrainingConfigs.JSON.readTree(line);
            long step = n.path("step").asLong();
            Evaluation e = n.has("eval_train_loss")
                    ? new Evaluation(step, real(n, "eval_train_loss"), n.has("val_loss") ? real(n, "val_loss") : Float.NaN)
                    : Evaluation.NONE;
            return new StepMetrics(step, real(n, "train_loss"), n.path("lr").asDouble(), real(n, "grad_norm"),
                    n.path("tokens_per_second").asDouble(), n.path("elapsed_s").asDouble(), e);
        } catch (JacksonException e) {
            throw new IllegalStateException(file + ": malformed metrics line (" + e.getOriginalMessage() + "): " + line, e);
        }
    }

    private static boolean parses(String line) {
        try {
            TrainingConfigs.JSON.readTree(line);
            return true;
        } catch (JacksonException e) {
            return false;
        }
    }

    private static float real(JsonNode n, String key) {
        JsonNode v = n.path(key);
        return v.isNumber() ? Float.parseFloat(v.decimalValue().toString()) : Float.NaN;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read metrics log (" + e + ")", e);
        }
    }
}
