package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Row-parallel loops do the sequential loop's work, once per row, and report failures from any thread. */
class ParallelTest {
    private static final long HEAVY = Parallel.MIN_PARALLEL_WORK;
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    static Stream<Arguments> threadsAndRows() {
        return IntStream.of(1, 2, 3, 8).boxed().flatMap(t -> IntStream.of(0, 1, 2, 7, 100, 1001).mapToObj(r -> arguments(t, r)));
    }

    @ParameterizedTest(name = "threads={0} rows={1}")
    @MethodSource("threadsAndRows")
    void visitsEveryRowOnceAndMatchesTheSequentialLoop(int threads, int rows) {
        Parallel.setThreads(threads);
        AtomicIntegerArray visits = new AtomicIntegerArray(rows);
        double[] parallel = new double[rows];
        double[] sequential = new double[rows];
        for (int r = 0; r < rows; r++) sequential[r] = Math.sin(r) * r;

        Parallel.forRows(rows, HEAVY, (start, end) -> {
            for (int r = start; r < end; r++) {
                visits.incrementAndGet(r);
                parallel[r] = Math.sin(r) * r;
            }
        });

        for (int r = 0; r < rows; r++) assertThat(visits.get(r)).as("visits of row %d", r).isEqualTo(1);
        assertThat(parallel).containsExactly(sequential);
    }

    @Test
    void splitsIntoOneContiguousChunkPerThread() {
        Parallel.setThreads(3);
        List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());

        Parallel.forRows(10, HEAVY, (start, end) -> chunks.add(new int[] {start, end}));

        assertThat(chunks).hasSize(3);
        List<int[]> sorted = new ArrayList<>(chunks);
        sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
        assertThat(sorted.get(0)[0]).isZero();
        for (int i = 1; i < sorted.size(); i++) assertThat(sorted.get(i)[0]).isEqualTo(sorted.get(i - 1)[1]);
        assertThat(sorted.get(2)[1]).isEqualTo(10);
    }

    @ParameterizedTest(name = "threads={0} rows={1}")
    @MethodSource("threadsAndRows")
    void sharedChunksVisitEveryRowOnce(int threads, int rows) {
        Parallel.setThreads(threads);
        AtomicIntegerArray visits = new AtomicIntegerArray(rows);
        List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());

        Parallel.forRowChunks(rows, HEAVY, 4, (start, end) -> {
            chunks.add(new int[] {start, end});
            for (int r = start; r < end; r++) visits.incrementAndGet(r);
        });

        for (int r = 0; r < rows; r++) assertThat(visits.get(r)).as("visits of row %d", r).isEqualTo(1);
        if (threads > 1 && rows >= 2) {
            // at most CHUNKS_PER_THREAD per thread, none below the minimum unless that leaves fewer than threads
            assertThat(chunks).hasSizeLessThanOrEqualTo(threads * Parallel.CHUNKS_PER_THREAD);
            if (rows / 4 >= threads) assertThat(chunks).allSatisfy(c -> assertThat(c[1] - c[0]).isGreaterThanOrEqualTo(4));
        }
    }

    @Test
    void aSlowThreadTakesFewerSharedChunks() {
        Parallel.setThreads(2);
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
        Thread caller = Thread.currentThread();

        Parallel.forRowChunks(1600, HEAVY, 100, (start, end) -> {
            ran.add(Thread.currentThread());
            if (Thread.currentThread() == caller) sleepMillis(200); // the caller's first chunk outlasts all the rest
        });

        assertThat(ran).hasSize(16);
        assertThat(ran.stream().filter(t -> t == caller).count()).isLessThan(8);
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void smallWorkStaysOnTheCallersThread() {
        Parallel.setThreads(4);
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());

        Parallel.forRows(100, 1, (start, end) -> ran.add(Thread.currentThread()));

        assertThat(ran).containsExactly(Thread.currentThread());
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void aLoopInsideALoopBodyRunsOnThatThreadInsteadOfWaitingOnTheBusyPool() {
        Parallel.setThreads(2);
        long[] sums = new long[2];
        Parallel.forRows(2, Parallel.MIN_PARALLEL_WORK, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int row = r;
                boolean nested = Parallel.isNested();
                Parallel.forRows(1000, Parallel.MIN_PARALLEL_WORK, (i0, i1) -> {
                    for (int i = i0; i < i1; i++) sums[row] += i;
                });
                assertThat(nested).as("row %d on a worker", row).isEqualTo(row == 1);
            }
        });
        assertThat(sums).containsExactly(499_500L, 499_500L);
        assertThat(Parallel.isNested()).isFalse();
    }

    @Test
    void loopsFromSeveralThreadsAtOnceEachDoTheirOwnRows() throws Exception {
        Parallel.setThreads(3);
        int callers = 4, loops = 300, rows = 97;
        long[][] sums = new long[callers][loops];
        Thread[] threads = new Thread[callers];
        AtomicBoolean failed = new AtomicBoolean();
        for (int t = 0; t < callers; t++) {
            int caller = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int l = 0; l < loops; l++) {
                        int loop = l;
                        AtomicIntegerArray visits = new AtomicIntegerArray(rows);
                        Parallel.forRows(rows, HEAVY, (start, end) -> {
                            for (int r = start; r < end; r++) visits.addAndGet(r, caller + loop + 1);
                        });
                        long sum = 0;
                        for (int r = 0; r < rows; r++) sum += visits.get(r);
                        sums[caller][loop] = sum;
                    }
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join(60_000);
        for (Thread t : threads) assertThat(t.isAlive()).as("a caller still waiting after a minute").isFalse();
        assertThat(failed).isFalse();
        for (int c = 0; c < callers; c++) {
            for (int l = 0; l < loops; l++) assertThat(sums[c][l]).as("caller %d loop %d", c, l).isEqualTo((long) rows * (c + l + 1));
        }
    }

    @Test
    void workersThatParkedWakeForTheNextLoop() throws InterruptedException {
        Parallel.setThreads(2);
        for (int round = 0; round < 3; round++) {
            Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 20); // long enough for the worker to stop spinning and park
            List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
            // a lost wake-up would hang here: fail instead
            assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> Parallel.forRows(2, HEAVY, (start, end) -> ran.add(Thread.currentThread())));
            assertThat(ran).hasSize(2).doesNotHaveDuplicates();
        }
    }

    @Test
    void aFailureInAWorkerReachesTheCaller() {
        Parallel.setThreads(4);

        assertThatThrownBy(() -> Parallel.forRows(8, HEAVY, (start, end) -> {
            if (start > 0) throw new IllegalStateException("chunk " + start + " failed");
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("failed");
    }

    @Test
    void anErrorInAWorkerIsRethrownAsItself() {
        Parallel.setThreads(2);

        assertThatThrownBy(() -> Parallel.forRows(8, HEAVY, (start, end) -> {
            if (start > 0) throw new AssertionError("worker");
        })).isInstanceOf(AssertionError.class).hasMessage("worker");
    }

    @Test
    void whenTheCallersChunkFailsTheOtherChunksHaveFinishedBeforeItReturns() {
        Parallel.setThreads(2);
        AtomicBoolean workerDone = new AtomicBoolean();

        assertThatThrownBy(() -> Parallel.forRows(2, HEAVY, (start, end) -> {
            if (start == 0) throw new IllegalArgumentException("caller");
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workerDone.set(true);
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("caller");

        assertThat(workerDone).isTrue();
    }

    @Test
    void threadCountsBelowOneAreRefused() {
        assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        Parallel.setThreads(5);
        assertThat(Parallel.threads()).isEqualTo(5);
    }
}
