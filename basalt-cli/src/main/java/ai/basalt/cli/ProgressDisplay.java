package ai.basalt.cli;

import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error (me.tongfei progressbar: count, rate, elapsed time and ETA) when standard error
 * is a terminal; otherwise (pipes, log files, tests) nothing, and the commands print plain lines instead.
 */
final class ProgressDisplay implements AutoCloseable {
    /** How often the bar is redrawn. */
    private static final int REFRESH_MILLIS = 250;

    private final ProgressBar bar;
    private final PrintStream err;
    private boolean closed;

    private ProgressDisplay(ProgressBar bar, PrintStream err) {
        this.bar = bar;
        this.err = err;
    }

    /** Whether the process writes to a terminal that can redraw a line ({@code TERM=dumb} cannot). */
    static boolean interactive() {
        Console console = System.console();
        return console != null && console.isTerminal() && !"dumb".equals(System.getenv("TERM"));
    }

    /**
     * A bar counting to {@code max} (-1: unknown) in {@code unit}s of {@code unitSize}, already at {@code start}
     * after {@code elapsed}; a silent display when {@code show} is false.
     */
    static ProgressDisplay start(PrintStream err, boolean show, String task, long max, String unit, long unitSize,
            long start, Duration elapsed) {
        if (!show) return new ProgressDisplay(null, err);
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(REFRESH_MILLIS)
                .setConsumer(new ConsoleProgressBarConsumer(err)).setUnit(unit, unitSize).showSpeed()
                .startsFrom(start, elapsed);
        return new ProgressDisplay(b.build(), err);
    }

    /** A display of bytes, counted in MB from 10 MB on, else in KB. */
    static ProgressDisplay bytes(PrintStream err, boolean show, String task, long totalBytes) {
        boolean large = totalBytes >= 10_000_000;
        return start(err, show, task, totalBytes, large ? " MB" : " KB", large ? 1_000_000 : 1_000, 0, Duration.ZERO);
    }

    void stepTo(long n) {
        if (bar != null) bar.stepTo(n);
    }

    void maxHint(long max) {
        if (bar != null) bar.maxHint(max);
    }

    void extraMessage(String message) {
        if (bar != null) bar.setExtraMessage(message);
    }

    /** Prints {@code line} above the bar (or plainly, without one). */
    void println(String line) {
        if (bar != null) err.print("\r\033[2K");
        err.println(line);
        if (bar != null) bar.refresh();
    }

    /** Finishes the bar's line; closing again does nothing. */
    @Override
    public void close() {
        if (bar != null && !closed) bar.close();
        closed = true;
    }
}
