package ai.basalt.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Hears how a {@link Trainer} is doing, on the training thread. The CLI shows a progress bar through it; {@link
 * #plainLines} prints a line per logged step, for logs, pipes and tests. A listener that throws stops the run, as a
 * crash would: what the last checkpoint holds survives.
 */
public interface TrainingListener {
    /** A listener that hears nothing. */
    TrainingListener NONE = new TrainingListener() {};

    /** Training (re)starts after {@code doneSteps} of {@code steps}, for a model of {@code parameters} values. */
    default void started(long doneSteps, long steps, long parameters) {}

    /** After every step; {@code logged} says whether it was written to {@code metrics.jsonl}. */
    default void step(StepMetrics metrics, boolean logged) {}

    /** A one-line notice: resumed, checkpoint written, a warning, an artifact written. */
    default void message(String line) {}

    /** Plain lines on {@code out}: one per logged step with loss, rate and time left, and every message. */
    static TrainingListener plainLines(PrintStream out) {
        return new TrainingListener() {
            private long steps;
            private long firstStep;
            private long startNanos;

            @Override
            public void started(long doneSteps, long totalSteps, long parameters) {
                steps = totalSteps;
                firstStep = doneSteps;
                startNanos = System.nanoTime();
                out.printf(Locale.ROOT, "training %,d parameters, steps %d to %d%n", parameters, doneSteps + 1, totalSteps);
            }

            @Override
            public void step(StepMetrics m, boolean logged) {
                if (!logged) return;
                double perStep = (System.nanoTime() - startNanos) / 1e9 / Math.max(1, m.step() - firstStep);
                out.println(describe(m, steps) + String.format(Locale.ROOT, " | eta %s",
                        duration(perStep * (steps - m.step()))));
            }

            @Override
            public void message(String line) {
                out.println(line);
            }
        };
    }

    /** {@code "step 10/100 | loss 2.3456 | lr 1.00e-03 | 1234 tok/s"} and the evaluation, if any. */
    static String describe(StepMetrics m, long steps) {
        String line = String.format(Locale.ROOT, "step %d/%d | loss %.4f | lr %.2e | %.0f tok/s", m.step(), steps,
                m.trainLoss(), m.lr(), m.tokensPerSecond());
        Evaluation e = m.evaluation();
        if (!e.isNone()) {
            line += String.format(Locale.ROOT, " | eval train %.4f", e.trainLoss());
            if (!Float.isNaN(e.validationLoss())) line += String.format(Locale.ROOT, " val %.4f", e.validationLoss());
        }
        return line;
    }

    /** Seconds as {@code 1h02m03s}, {@code 2m03s} or {@code 3s}. */
    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
