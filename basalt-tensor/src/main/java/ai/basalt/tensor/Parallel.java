package ai.basalt.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Row-parallel loops over one fixed pool of daemon threads.
 *
 * <p>Tuning knob, read once here: {@code -Dbasalt.threads=N} (default: the number of available
 * processors). {@link #setThreads(int)} changes it at run time (the {@code bench --threads} option).
 * Work smaller than {@link #MIN_PARALLEL_WORK} multiply-adds runs on the calling thread, where handing it
 * to the pool would cost more than it saves.
 */
public final class Parallel {
    /** Below this many multiply-adds a loop runs on the caller's thread. */
    public static final long MIN_PARALLEL_WORK = 1L << 18;

    /** A body that handles rows [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final String WORKER_NAME = "basalt-worker";

    private static volatile int threads = defaultThreads();
    private static volatile ExecutorService pool;

    private Parallel() {}

    private static int defaultThreads() {
        String p = System.getProperty("basalt.threads");
        int n = Runtime.getRuntime().availableProcessors();
        if (p != null && !p.isBlank()) {
            try {
                n = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("basalt.threads: '" + p + "' is not a whole number");
            }
        }
        if (n < 1) throw new IllegalArgumentException("basalt.threads: " + n + " must be at least 1");
        return n;
    }

    /** The number of threads parallel loops use. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads parallel loops use from now on. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count " + n + " must be at least 1");
        if (n != threads) {
            threads = n;
            ExecutorService old = pool;
            pool = null;
            if (old != null) old.shutdown();
        }
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    p = Executors.newFixedThreadPool(Math.max(1, threads - 1), r -> {
                        Thread t = new Thread(r, WORKER_NAME);
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    /**
     * Runs {@code body} over rows [0, rows) split into contiguous chunks, one per thread, the caller
     * taking the first. {@code workPerRow} (multiply-adds per row) decides whether splitting pays.
     */
    public static void forRows(int rows, long workPerRow, RangeBody body) {
        int n = threads;
        if (n == 1 || rows < 2 || rows * workPerRow < MIN_PARALLEL_WORK || isNested()) {
            body.run(0, rows);
            return;
        }
        int chunks = Math.min(n, rows);
        ExecutorService p = pool();
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) rows * c / chunks);
            int end = (int) ((long) rows * (c + 1) / chunks);
            futures.add(p.submit(() -> body.run(start, end)));
        }
        awaitAll(futures, () -> body.run(0, (int) ((long) rows / chunks)));
    }

    /**
     * Whether the current thread is one of the pool's workers, running some caller's loop body. Loops there run on
     * the worker alone (a worker waiting on its own pool could wait forever); kernels whose results do not depend
     * on the thread count give the same bits either way.
     */
    public static boolean isNested() {
        return Thread.currentThread().getName().equals(WORKER_NAME);
    }

    /** Runs {@code mine} here, then waits for every future; rethrows the first failure, suppressing later ones. */
    private static void awaitAll(List<Future<?>> futures, Runnable mine) {
        // The caller's chunk may throw; every submitted chunk is still awaited so that none outlives the
        // call and keeps writing into the caller's arrays. The first failure is rethrown, later ones suppressed.
        Throwable failure = null;
        try {
            mine.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                interrupted = true;
                failure = combine(failure, new IllegalStateException("interrupted while waiting for a parallel loop", e));
            } catch (ExecutionException e) {
                failure = combine(failure, e.getCause());
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException("a parallel loop failed", failure);
    }

    private static Throwable combine(Throwable first, Throwable next) {
        if (first == null) return next;
        if (first != next) first.addSuppressed(next);
        return first;
    }
}
