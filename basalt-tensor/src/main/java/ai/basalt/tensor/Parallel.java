package ai.basalt.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Row-parallel loops over one fixed pool of daemon threads, as llama.cpp's thread pool runs them: a loop is
 * published to the workers through one shared slot (no task objects, no queue), the caller runs the first chunk
 * itself, and workers that have just finished spin for a short while ({@link #SPIN_NANOS}) before they park, so
 * that the next loop of a decoding step (some ten per layer, each a few tens of microseconds) starts at once
 * rather than after a thread wake-up (an executor hand-off cost 10-15 µs a loop here, a sixth of a small model's
 * token).
 *
 * <p>Tuning knob, read once here: {@code -Dbasalt.threads=N} (default: the number of available
 * processors). {@link #setThreads(int)} changes it at run time (the {@code bench --threads} option).
 * Work smaller than {@link #MIN_PARALLEL_WORK} multiply-adds runs on the calling thread, where handing it
 * to the pool would cost more than it saves. One loop runs on the pool at a time: a loop started while another
 * holds it (another thread's, or one inside the caller's own chunk) runs on its own caller's thread (the same
 * rows, the same results).
 */
public final class Parallel {
    /** Below this many multiply-adds a loop runs on the caller's thread. */
    public static final long MIN_PARALLEL_WORK = 1L << 18;
    /** How long an idle worker spins for the next loop before it parks. */
    static final long SPIN_NANOS = 200_000;

    /** A body that handles rows [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final String WORKER_NAME = "basalt-worker";

    private static volatile int threads = defaultThreads();
    private static volatile Pool pool;

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
            Pool old = pool;
            pool = null;
            if (old != null) old.shutdown();
        }
    }

    private static Pool pool() {
        Pool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    p = new Pool(Math.max(1, threads - 1));
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
        pool().run(rows, Math.min(n, rows), false, body);
    }

    /**
     * As {@link #forRows(int, long, RangeBody)}, but cut into about {@value #CHUNKS_PER_THREAD} chunks per thread of at
     * least {@code minRows} rows, which the threads take in turn as each finishes its last: a thread slowed down
     * (a busy host, another process on its core) takes fewer chunks instead of holding up the others at the end.
     * For loops of many independent rows that each cost the same, such as decode's matrix-vector products; the
     * results do not depend on which thread runs which chunk.
     */
    public static void forRowChunks(int rows, long workPerRow, int minRows, RangeBody body) {
        int n = threads;
        if (n == 1 || rows < 2 || rows * workPerRow < MIN_PARALLEL_WORK || isNested()) {
            body.run(0, rows);
            return;
        }
        int chunks = Math.max(Math.min(n, rows), Math.min(n * CHUNKS_PER_THREAD, rows / Math.max(1, minRows)));
        pool().run(rows, chunks, true, body);
    }

    /** Chunks per thread in {@link #forRowChunks}. */
    static final int CHUNKS_PER_THREAD = 8;

    /** Where chunk c of rows [0, rows) cut into {@code chunks} contiguous chunks starts (and chunk c − 1 ends). */
    private static int boundary(int rows, int chunks, int c) {
        return (int) ((long) rows * c / chunks);
    }

    /**
     * Whether the current thread is one of the pool's workers, running some caller's loop body. Loops there run on
     * the worker alone (a worker waiting on its own pool could wait forever); kernels whose results do not depend
     * on the thread count give the same bits either way.
     */
    public static boolean isNested() {
        return Thread.currentThread().getName().equals(WORKER_NAME);
    }

    /**
     * The workers and the one slot through which a loop reaches them. A loop is published by writing its fields,
     * then bumping {@code generation} (a volatile write: the fields are visible to every worker that reads the new
     * generation); each worker runs its chunk, if the loop has one for it, then counts itself off {@code pending}
     * (whose last decrement makes the workers' writes visible to the caller, which waits for zero).
     */
    private static final class Pool {
        private final Worker[] workers;
        /** Held by the loop on the pool; not reentrant, so a loop inside the caller's own chunk runs on the caller. */
        private final AtomicBoolean inUse = new AtomicBoolean();
        private final AtomicInteger pending = new AtomicInteger();
        /** The next chunk not yet taken: every thread of a loop takes chunks until none is left. */
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile long generation;
        private volatile boolean stopped;
        private RangeBody body;
        private int rows;
        private int chunks;
        /** Whether the loop's chunks go to whichever thread asks next, or chunk i to thread i (the caller is 0). */
        private boolean shared;

        Pool(int count) {
            workers = new Worker[count];
            for (int i = 0; i < count; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(int rows, int chunks, boolean shared, RangeBody body) {
            if (!inUse.compareAndSet(false, true)) {
                body.run(0, rows); // another loop holds the pool: another thread's, or this caller's own
                return;
            }
            try {
                this.body = body;
                this.rows = rows;
                this.chunks = chunks;
                this.shared = shared;
                next.set(0);
                failure.set(null);
                pending.set(workers.length);
                generation++;
                for (Worker w : workers) {
                    if (w.parked) LockSupport.unpark(w);
                }
                try {
                    if (shared) {
                        runChunks(body, rows, chunks);
                    } else {
                        body.run(0, boundary(rows, chunks, 1));
                    }
                } catch (RuntimeException | Error e) {
                    record(e);
                }
                // every chunk is awaited, even after a failure here, so that none outlives the call and keeps
                // writing into the caller's arrays
                for (int spins = 0; pending.get() > 0; spins++) {
                    if (spins < 1 << 16) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                this.body = null;
                Throwable t = failure.getAndSet(null);
                if (t instanceof RuntimeException re) throw re;
                if (t instanceof Error err) throw err;
                if (t != null) throw new IllegalStateException("a parallel loop failed", t);
            } finally {
                inUse.set(false);
            }
        }

        /** Takes chunks of the published loop until none is left. */
        void runChunks(RangeBody body, int rows, int chunks) {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                body.run(boundary(rows, chunks, c), boundary(rows, chunks, c + 1));
            }
        }

        /** Keeps the first failure; later ones are added to it as suppressed. */
        void record(Throwable t) {
            if (!failure.compareAndSet(null, t)) {
                Throwable first = failure.get();
                if (first != t) first.addSuppressed(t);
            }
        }

        /**
         * Stops the workers once no loop is in flight (a worker that left before seeing a published loop would
         * leave its caller waiting forever), keeping the pool held so that a caller still holding it runs alone.
         */
        void shutdown() {
            while (!inUse.compareAndSet(false, true)) Thread.onSpinWait();
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        /** This worker's chunk of every loop (the caller takes chunk 0). */
        private final int chunk;
        volatile boolean parked;

        Worker(Pool pool, int chunk) {
            super(WORKER_NAME);
            this.pool = pool;
            this.chunk = chunk;
            setDaemon(true);
        }

        @Override
        public void run() {
            // the pool's generation when it made this worker: no loop yet, however late this thread starts
            long seen = 0;
            long idleSince = System.nanoTime();
            for (int spins = 0; !pool.stopped; spins++) {
                long g = pool.generation;
                if (g != seen) {
                    seen = g;
                    try {
                        if (pool.shared) {
                            pool.runChunks(pool.body, pool.rows, pool.chunks);
                        } else if (chunk < pool.chunks) {
                            pool.body.run(boundary(pool.rows, pool.chunks, chunk),
                                    boundary(pool.rows, pool.chunks, chunk + 1));
                        }
                    } catch (RuntimeException | Error e) {
                        pool.record(e);
                    }
                    pool.pending.decrementAndGet();
                    idleSince = System.nanoTime();
                    spins = 0;
                } else if ((spins & 63) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // announce the park, then look once more: a caller that bumped the generation before seeing
                    // parked == true has published a loop this check finds; one that sees it will unpark us
                    parked = true;
                    if (pool.generation == seen && !pool.stopped) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
