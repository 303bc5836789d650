package ai.basalt.tensor;

import static ai.basalt.tensor.VectorGemmKernel.L;
import static ai.basalt.tensor.VectorGemmKernel.MR;
import static ai.basalt.tensor.VectorGemmKernel.NR;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cache-blocked, multi-threaded SGEMM over the Vector API, after Goto and BLIS: op(B) is packed a panel of
 * columns at a time, over the whole depth (cut into blocks of at most {@link #KC}), into one buffer all
 * threads read; then C is cut into work items of whole register tiles, which the threads take in turn. An
 * item packs its rows of op(A) one k block at a time (they stay in L2), or reads them in place when the item
 * is too narrow to repay packing, and sweeps them with the register-tile micro-kernels of
 * {@link VectorGemmKernel}, each B sliver (kept in L1) against every A sliver.
 *
 * <p>Threads never split the depth k: every element of C is computed by one thread as a fixed sequence of
 * fused multiply-adds whose order depends only on k (blocks of {@link #depthBlock(int)}), whichever thread
 * takes its item, so results are bit-identical run to run and for any thread count or vector width. Items
 * are taken from a shared counter rather than dealt out in advance, so that a core slowed by some other
 * process hands its share to the others. Problems under {@link #PARALLEL_WORK} multiply-adds stay on the
 * calling thread.
 */
final class VectorGemm implements Gemm {
    /** Most rows of op(A) per work item: MC·KC packed floats (384 KiB) stay in L2 while B slivers pass. */
    static final int MC = 384;
    /** Most depth per block: the KC·NR-float B sliver (32 KiB at 512 bits) stays in L1. */
    static final int KC = 256;
    /** Most floats in a packed B panel (8 MiB, the whole depth times some columns), read from L3. */
    static final int PANEL = 1 << 21;
    /** Below this many multiply-adds (some 30 µs on one core) the pool's hand-off costs more than it saves. */
    static final long PARALLEL_WORK = 1L << 21;
    /** Items at most this many B slivers wide read whole slivers of an untransposed A unpacked. */
    static final int DIRECT_SLIVERS = 4;
    /** Work items per thread, when parallel: enough to even out threads that run at different speeds. */
    static final int ITEMS_PER_THREAD = 4;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * One thread's buffers, grown on demand and kept, so that steady-state calls allocate none. A vector of
     * slack past the last sliver keeps the masked stores of packing on their fast path.
     */
    private static final class Buffers {
        /** The packed B panel of the calls this thread makes, read by every thread that helps. */
        float[] panel = new float[0];
        /** The packed rows of op(A) of the item this thread works on. */
        float[] a = new float[0];
        /** One MR × NR register tile, on its way to C. */
        final float[] tile = new float[MR * NR];
        /** Gather offsets for packing transposed operands, a whole number of vectors long. */
        final int[] offsets = new int[ceilDiv(Math.max(MR, NR), L) * L];

        float[] panel(int size) {
            if (panel.length < size + L) panel = new float[size + L];
            return panel;
        }

        float[] a(int size) {
            if (a.length < size + L) a = new float[size + L];
            return a;
        }
    }

    /** The arguments of one call, shared read-only by the threads that work on it. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {}

    /**
     * Depth [p0, p0 + depth) and columns [jc, jc + nc) of op(B), packed in {@code data}: the k block at
     * depth pc starts at {@code (pc − p0) · ncPad} and holds {@code ncPad / NR} slivers of {@code kc · NR} floats.
     */
    private record Panel(float[] data, int p0, int depth, int jc, int nc, int ncPad) {}

    private VectorGemm() {}

    /** The Vector API GEMM, or an exception where the preferred species is narrower than 128 bits. */
    static Gemm create() {
        if (L < 4) {
            throw new UnsupportedOperationException("preferred float species " + VectorGemmKernel.F + " has " + L
                    + " lanes, expected at least 4");
        }
        return new VectorGemm();
    }

    @Override
    public String name() {
        return "vector" + VectorGemmKernel.F.vectorBitSize();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes m=" + m + ", n=" + n + ", k=" + k + ": expected >= 0");
        }
        checkMatrix("A", a.length, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b.length, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c.length, cOff, ldc, m, n);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            // As BLAS: op(A)·op(B) is not formed, so only beta·C remains.
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        Problem pr = new Problem(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        int threads = Parallel.threads();
        // A GEMM inside some caller's parallel loop body (say one attention head each) stays on its thread: a
        // worker that waited on its own pool's queue could wait forever. GemmContractTest nests calls to check it.
        int workers = threads > 1 && (long) m * n * k >= PARALLEL_WORK && !Parallel.isNested() ? threads : 1;
        // A panel spans the whole depth unless k is so deep (> PANEL / NR) that even one sliver would not fit;
        // cutting it between k blocks changes nothing in the arithmetic.
        int kcMax = depthBlock(k);
        int depthMax = Math.min(k, Math.max(1, PANEL / NR / kcMax) * kcMax);
        for (int p0 = 0; p0 < k; p0 += depthMax) {
            int depth = Math.min(depthMax, k - p0);
            int ncMax = evenBlock(n, Math.max(NR, PANEL / depth / NR * NR), NR);
            float[] data = BUFFERS.get().panel(depth * ncMax);
            for (int jc = 0; jc < n; jc += ncMax) {
                int nc = Math.min(ncMax, n - jc);
                Panel panel = new Panel(data, p0, depth, jc, nc, ceilDiv(nc, NR) * NR);
                computePanel(pr, panel, workers);
            }
        }
    }

    /** The depth of each k block: k split into equal blocks of at most {@link #KC}; a function of k alone. */
    static int depthBlock(int k) {
        return ceilDiv(k, ceilDiv(k, KC));
    }

    private static void packSlivers(Problem pr, Panel panel, int s0, int s1, int[] offsets) {
        int kcMax = depthBlock(pr.k);
        int cols = Math.min(s1 * NR, panel.nc) - s0 * NR;
        for (int pc = panel.p0; pc < panel.p0 + panel.depth; pc += kcMax) {
            int kc = Math.min(kcMax, pr.k - pc);
            VectorGemmKernel.packB(pr.transB, pr.b, pr.bOff, pr.ldb, pc, kc, panel.jc + s0 * NR, cols,
                    panel.data, (pc - panel.p0) * panel.ncPad + s0 * NR * kc, offsets);
        }
    }

    /**
     * C[:, panel columns] ← alpha · op(A) · panel + beta · C[:, panel columns]: packs the panel, then computes
     * the items of the grid {@link #items} lays out. With several workers this is one hand-off to the pool:
     * each worker takes the next few B slivers to pack until none is left, waits (spinning: only workers
     * already running hold slivers, so the wait is short) until all are packed, then takes the next item
     * until none is left. A worker that starts late finds the panel packed and goes straight to the items.
     */
    private static void computePanel(Problem pr, Panel panel, int workers) {
        int slivers = panel.ncPad / NR;
        Items grid = items(pr.m, panel.nc, workers);
        if (workers == 1 || grid.count == 1) {
            packSlivers(pr, panel, 0, slivers, BUFFERS.get().offsets);
            for (int item = 0; item < grid.count; item++) multiplyItem(pr, panel, grid, item);
            return;
        }
        int chunk = Math.max(1, slivers / (ITEMS_PER_THREAD * workers));
        Progress progress = new Progress();
        Parallel.forRows(workers, (long) pr.m * panel.nc * pr.k / workers, (w0, w1) -> {
            int[] offsets = BUFFERS.get().offsets;
            try {
                for (int s0 = progress.claimed.getAndAdd(chunk); s0 < slivers;
                        s0 = progress.claimed.getAndAdd(chunk)) {
                    int s1 = Math.min(slivers, s0 + chunk);
                    packSlivers(pr, panel, s0, s1, offsets);
                    progress.packed.addAndGet(s1 - s0);
                }
            } catch (RuntimeException | Error e) {
                progress.failed = true;
                throw e;
            }
            for (int spins = 0; progress.packed.get() < slivers; spins++) {
                if (progress.failed) throw new IllegalStateException("another worker failed packing B");
                if (spins < 1 << 12) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            for (int item = progress.items.getAndIncrement(); item < grid.count;
                    item = progress.items.getAndIncrement()) {
                multiplyItem(pr, panel, grid, item);
            }
        });
    }

    /** Shared counters of one parallel panel: B slivers claimed and packed, items taken. */
    private static final class Progress {
        final AtomicInteger claimed = new AtomicInteger();
        final AtomicInteger packed = new AtomicInteger();
        final AtomicInteger items = new AtomicInteger();
        volatile boolean failed;
    }

    /** Work items of {@code mc × nc} elements of C (whole tiles), {@code rows} of them down each column. */
    private record Items(int mc, int nc, int rows, int count) {}

    /**
     * Cuts m × nc into items of at most MC rows; for several workers, into some {@link #ITEMS_PER_THREAD}
     * items per worker, rows first, but no smaller than 4 × 6 tiles while the shape allows at least one item
     * per worker: thinner items would repack A for every few columns and reload each B sliver for every
     * few rows.
     */
    private static Items items(int m, int n, int workers) {
        int rowTiles = ceilDiv(m, MR);
        int colTiles = ceilDiv(n, NR);
        int rowItems = ceilDiv(m, MC);
        int colItems = 1;
        if (workers > 1) {
            int wanted = ITEMS_PER_THREAD * workers;
            rowItems = Math.max(rowItems, Math.min(wanted, rowTiles / 4));
            int even = ceilDiv(rowItems, workers) * workers;
            if (even <= rowTiles / 4) rowItems = even;
            colItems = Math.max(1, Math.min(ceilDiv(wanted, rowItems), colTiles / 6));
            if (rowItems * colItems < workers) colItems = Math.min(colTiles, ceilDiv(workers, rowItems));
            if (rowItems * colItems < workers) rowItems = Math.min(rowTiles, ceilDiv(workers, colItems));
        }
        int mc = ceilDiv(rowTiles, rowItems) * MR;
        int nc = ceilDiv(colTiles, colItems) * NR;
        int rows = ceilDiv(m, mc);
        return new Items(mc, nc, rows, rows * ceilDiv(n, nc));
    }

    /**
     * Computes one item of C, clipped to C, over the panel's depth. Where op(A) is A and the item is at most
     * {@link #DIRECT_SLIVERS} B slivers wide, packing A would cost more than it saves: its whole slivers are
     * read where they lie, and only a last partial one is packed.
     */
    private static void multiplyItem(Problem pr, Panel panel, Items grid, int item) {
        Buffers buf = BUFFERS.get();
        int kcMax = depthBlock(pr.k);
        int i0 = item % grid.rows * grid.mc;
        int c0 = item / grid.rows * grid.nc;
        int rows = Math.min(grid.mc, pr.m - i0);
        int cols = Math.min(grid.nc, panel.nc - c0);
        int direct = !pr.transA && cols <= DIRECT_SLIVERS * NR ? rows / MR * MR : 0;
        float[] pa = buf.a(kcMax * grid.mc);
        for (int pc = panel.p0; pc < panel.p0 + panel.depth; pc += kcMax) {
            int kc = Math.min(kcMax, pr.k - pc);
            // The first block applies beta; later blocks add to what the earlier ones left in C.
            float beta = pc == 0 ? pr.beta : 1f;
            if (direct < rows) {
                VectorGemmKernel.packA(pr.transA, pr.a, pr.aOff, pr.lda, i0 + direct, rows - direct, pc, kc, pa,
                        buf.offsets);
            }
            sweep(pr, buf, i0, direct, rows, pc, kc, panel.data, (pc - panel.p0) * panel.ncPad + c0 * kc, cols, beta,
                    pr.cOff + i0 * pr.ldc + panel.jc + c0);
        }
    }

    /**
     * C block (rows × cols at {@code cAt}) ← alpha · op(A) rows [i0, i0 + rows) · packed B (from
     * {@code pb[bAt]}) + beta · C block, each B sliver against every A sliver so that it is reused from L1.
     * The first {@code direct} rows are read from A as stored, the others from their packing in {@code buf.a}.
     */
    private static void sweep(Problem pr, Buffers buf, int i0, int direct, int rows, int pc, int kc, float[] pb,
            int bAt, int cols, float beta, int cAt) {
        float[] pa = buf.a;
        for (int jr = 0; jr < cols; jr += NR) {
            int nr = Math.min(NR, cols - jr);
            for (int ir = 0; ir < rows; ir += MR) {
                if (ir < direct) {
                    int aAt = pr.aOff + (i0 + ir) * pr.lda + pc;
                    if (nr > L) {
                        VectorGemmKernel.multiplyDirect(kc, pr.a, aAt, pr.lda, pb, bAt + jr * kc, buf.tile);
                    } else {
                        VectorGemmKernel.multiplyNarrowDirect(kc, pr.a, aAt, pr.lda, pb, bAt + jr * kc, buf.tile);
                    }
                } else if (nr > L) {
                    VectorGemmKernel.multiply(kc, pa, (ir - direct) * kc, pb, bAt + jr * kc, buf.tile);
                } else {
                    VectorGemmKernel.multiplyNarrow(kc, pa, (ir - direct) * kc, pb, bAt + jr * kc, buf.tile);
                }
                int mr = Math.min(MR, rows - ir);
                VectorGemmKernel.update(buf.tile, mr, nr, pr.alpha, beta, pr.c, cAt + ir * pr.ldc + jr, pr.ldc);
            }
        }
    }

    /** Splits {@code length} into equal blocks of at most {@code most}, rounded up to a multiple of {@code unit}. */
    private static int evenBlock(int length, int most, int unit) {
        return ceilDiv(ceilDiv(length, ceilDiv(length, most)), unit) * unit;
    }

    /** C ← beta · C; beta == 0 writes zeros without reading C. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int at = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[at + j] = beta == 0f ? 0f : beta * c[at + j];
        }
    }

    /** Checks that a (rows, cols) matrix with leading dimension ld lies inside an array of the given length. */
    private static void checkMatrix(String name, int length, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) {
            throw new IllegalArgumentException("gemm " + name + ": leading dimension " + ld + " < row length " + cols);
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || end > length) {
            throw new IndexOutOfBoundsException("gemm " + name + ": (" + rows + ", " + cols + ") at offset " + off
                    + " with leading dimension " + ld + " needs elements [" + off + ", " + end
                    + ") of an array of length " + length);
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
