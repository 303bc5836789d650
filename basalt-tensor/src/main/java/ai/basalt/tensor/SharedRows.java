package ai.basalt.tensor;

import static ai.basalt.tensor.VectorDecoders.BLOCK;
import static ai.basalt.tensor.VectorDecoders.F;
import static ai.basalt.tensor.VectorDecoders.L;
import static ai.basalt.tensor.VectorDecoders.LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products of several inputs against one matrix, each weight row read from memory once for all of
 * them ({@link TensorOps#matmulEach}: one decode step of several sequences). Decode is bound by reading the weights;
 * {@code count} sequences served by one pass over them cost far less than {@code count} passes.
 *
 * <p>With four inputs or more, Q8_0, F32, BF16 and F16 rows go two at a time: each group of four inputs meets both
 * rows in one pass ({@code q8_0Pair4}, {@code elementsPair4}, {@code dotFloatsPair4}), so each input vector loaded
 * serves two rows. Eight inputs against one row need sixteen 64-byte input loads a block, and on the 2-core Zen 5 VM
 * those loads, not the multiply-adds, set the pace (an eight-input Q8_0 block took the same time with a third fewer
 * multiply-adds; DEVELOPERS.md "Speed work"). Q8_0 pairs' rows are first copied, {@link #ROW_RUN_BYTES} at a time,
 * into a per-thread buffer: one bulk copy keeps many cache lines in flight, where the kernel alone, some twenty
 * cycles a block, left memory latency exposed (eight Q8_0 inputs from memory: 1.09x the one-row kernel without the
 * copy, 1.34-1.46x with it, figures from kernel_ab.sh, whose A/A runs on that VM read 0.80-1.17; whole decode steps in
 * separate JVMs could not tell the two apart). F32 and BF16 rows are read in place: whole steps of batch 8 ran
 * 1.01-1.13x faster without the copy, in three of three alternating pairs. Otherwise each weight block is converted
 * once and multiplied into every input of a group of eight (Q8_0, Q4_0) or four, then two, then one input through
 * {@link TensorOps#dotRow}, with, per input, exactly the operations of the single-input kernel of
 * {@link VectorTensorOps} in the same order: {@code dotBlocks} for Q8_0,
 * {@code dotQ4_0}, {@code dotElements} for F32 and BF16, {@code dotF16} (the pair kernels too: an accumulator that
 * the single-input kernel keeps for the even lane groups runs in one loop, the odd groups' in another). So every
 * output is {@link TensorOps#dotRow}'s, bit for bit, whatever the batch around it: a request served in a batch gives
 * what it gives alone. A row's later groups read it again from L1. Types without a kernel here (the k-quants,
 * Q4_1, Q5_0, Q5_1, and Q8_0 and Q4_0 below 16 lanes) take each row's inputs one after another through the
 * single-row kernel: still one read from memory per row, the arithmetic per input unchanged.
 *
 * <p>The fused kernels read the inputs from a copy in 64-byte-aligned native memory ({@link #inputs}): a float[]'s
 * elements start 16 bytes into the object, so every 64-byte load of a heap input spans two cache lines, and with eight
 * inputs those split loads cost a third of a block's time (in cache, eight inputs ran at 0.65-0.72 the time of two
 * four-input passes over the heap arrays, copy included).
 *
 * <p>Written out per group size on purpose, as {@link RowStreams}: an array of accumulators or a loop over the inputs
 * inside the block loop is what C2 leaves as heap objects (DEVELOPERS.md "Speed work"). The eight-input kernels are
 * some 750 bytecodes; C2 compiles them whole (check {@code -XX:+PrintCompilation} when changing them).
 */
final class SharedRows {
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);
    private static final int HALF_CHUNK = VectorTensorOps.HALF_CHUNK;
    private static final ThreadLocal<float[]> HALF_BUFFER = ThreadLocal.withInitial(() -> new float[HALF_CHUNK]);
    /** The F16 row-pair path's two converted chunks, the second at {@link #HALF_CHUNK}. */
    private static final ThreadLocal<float[]> PAIR_BUFFER = ThreadLocal.withInitial(() -> new float[2 * HALF_CHUNK]);
    /** The calling thread's aligned copy of the inputs (see {@link #inputs}), grown as needed. */
    private static final ThreadLocal<MemorySegment> INPUTS = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    /**
     * Per-thread lanes of up to sixteen accumulators, input k's at [k·L, k·L + L) (see {@link #laneSums8}), and
     * eight sums after them ({@link #SUMS}).
     */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[16 * L + 8]);

    /** Bytes of Q8_0 weight rows copied at a time into {@link #ROWS} before the row-pair kernel reads them. */
    private static final long ROW_RUN_BYTES = 128 << 10;
    /** The calling thread's copy of the rows being multiplied (see {@link #rowRun}). */
    private static final ThreadLocal<MemorySegment> ROWS = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private SharedRows() {}

    /** This thread's 64-byte-aligned buffer of at least {@code bytes}, for a run of rows copied out of the weights. */
    private static MemorySegment rowRun(long bytes) {
        MemorySegment rows = ROWS.get();
        if (rows.byteSize() < bytes) {
            rows = Arena.ofAuto().allocate(bytes, 64);
            ROWS.set(rows);
        }
        return rows;
    }

    /**
     * The checks of {@link TensorOps#matmulEach}: enough inputs and outputs, each long enough, no output shared or
     * written over an input.
     */
    static void check(Tensor w, float[][] xs, int count, float[][] outs) {
        if (count < 0 || count > xs.length || count > outs.length) {
            throw new IllegalArgumentException(count + " products with " + xs.length + " inputs and " + outs.length
                    + " outputs for " + w);
        }
        for (int i = 0; i < count; i++) {
            if (xs[i].length < w.cols()) {
                throw new IllegalArgumentException("input " + i + " of length " + xs[i].length + " for " + w.cols() + " columns of " + w);
            }
            if (outs[i].length < w.rows()) {
                throw new IllegalArgumentException("output " + i + " of length " + outs[i].length + " for " + w.rows() + " rows of " + w);
            }
            for (int j = 0; j < count; j++) {
                if (j < i && outs[j] == outs[i]) throw new IllegalArgumentException("outputs " + j + " and " + i + " are one array, for " + w);
                if (xs[j] == outs[i]) throw new IllegalArgumentException("output " + i + " is input " + j + ", for " + w);
            }
        }
    }

    /** Whether this type has fused kernels here (else {@link #matmul} runs each input through the single-row kernel). */
    static boolean fused(DType type) {
        return switch (type) {
            case F16, F32, BF16 -> true;
            case Q8_0, Q4_0 -> L == 16;
            default -> false;
        };
    }

    /** Bytes between two inputs' copies in {@link #inputs}: a row of {@code cols} floats rounded up to 64. */
    static long inputStride(int cols) {
        return (cols * (long) Float.BYTES + 63) & -64;
    }

    /**
     * The first {@code cols} values of each of xs[0 .. count) copied into this thread's 64-byte-aligned native buffer,
     * {@link #inputStride} bytes apart (the exact floats: the products are unchanged), or null where the type's
     * kernels read the heap arrays (the unfused types, through dotRow).
     */
    static MemorySegment inputs(DType type, float[][] xs, int count, int cols) {
        if (!fused(type)) return null;
        long stride = inputStride(cols);
        MemorySegment in = INPUTS.get();
        if (in.byteSize() < stride * count) {
            in = Arena.ofAuto().allocate(stride * count, 64);
            INPUTS.set(in);
        }
        for (int i = 0; i < count; i++) MemorySegment.copy(xs[i], 0, in, ValueLayout.JAVA_FLOAT_UNALIGNED, i * stride, cols);
        return in;
    }

    /**
     * outs[i][r] = w[r] · xs[i] for i in [0, count) and r in [start, end). {@code in} is the inputs' aligned copy from
     * {@link #inputs} (null where that gives none); {@code sums} holds each input's run sums where the type's
     * single-row kernel folds offsets with them ({@link VectorTensorOps#sumRun}), else is null.
     */
    static void matmul(TensorOps single, Tensor w, float[][] xs, MemorySegment in, int count, float[][] outs, float[][] sums,
            int start, int end) {
        DType type = w.type();
        if (type == DType.F16) {
            f16(w, xs, in, count, outs, start, end);
            return;
        }
        if (in == null) {
            for (int r = start; r < end; r++) {
                for (int i = 0; i < count; i++) {
                    outs[i][r] = sums != null ? VectorTensorOps.dotRowWithSums(w, r, xs[i], 0, sums[i]) : single.dotRow(w, r, xs[i], 0);
                }
            }
            return;
        }
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes(), stride = inputStride(w.cols());
        int cols = w.cols(), blocks = cols / BLOCK;
        boolean elements = type == DType.F32 || type == DType.BF16;
        float[] lanes = LANES.get();
        int r = start;
        if (type != DType.Q4_0 && count >= 4) {
            int run = (int) Math.max(2, Math.min(end - start, ROW_RUN_BYTES / rowBytes) & ~1);
            boolean copy = type == DType.Q8_0;
            MemorySegment rows = copy ? rowRun(run * rowBytes) : seg;
            for (; r + 1 < end; r += 2) {
                if (copy && (r - start) % run == 0) {
                    MemorySegment.copy(seg, r * rowBytes, rows, 0, Math.min(run, end - r) * rowBytes);
                }
                long base = copy ? ((r - start) % run) * rowBytes : r * rowBytes;
                int i = 0;
                for (; i + 4 <= count; i += 4) {
                    if (type == DType.Q8_0) {
                        q8_0Pair4(rows, base, rowBytes, in, i * stride, stride, blocks, outs, i, r, lanes);
                    } else {
                        elementsPair4(type, rows, base, rowBytes, in, i * stride, stride, cols, xs, outs, i, r, lanes);
                    }
                }
                rest(single, w, type, rows, base, in, stride, cols, xs, count, i, outs, r, lanes);
                rest(single, w, type, rows, base + rowBytes, in, stride, cols, xs, count, i, outs, r + 1, lanes);
            }
        }
        for (; r < end; r++) {
            long base = r * rowBytes;
            int i = 0;
            for (; !elements && i + 8 <= count; i += 8) {
                if (type == DType.Q8_0) {
                    q8_0x8(seg, base, in, i * stride, stride, blocks, outs, i, r, lanes);
                } else {
                    q4_0x8(seg, base, in, i * stride, stride, blocks, outs, i, r, lanes);
                }
            }
            for (; i + 4 <= count; i += 4) {
                switch (type) {
                    case Q8_0 -> q8_0x4(seg, base, in, i * stride, stride, blocks, outs, i, r, lanes);
                    case Q4_0 -> q4_0x4(seg, base, in, i * stride, stride, blocks, outs, i, r, lanes);
                    default -> elementsX4(type, seg, base, in, i * stride, stride, cols, xs, outs, i, r, lanes);
                }
            }
            rest(single, w, type, seg, base, in, stride, cols, xs, count, i, outs, r, lanes);
        }
    }

    /** Inputs [i, count) of row r (at byte base), fewer than four: a pair through the two-input kernel, then one. */
    private static void rest(TensorOps single, Tensor w, DType type, MemorySegment seg, long base, MemorySegment in, long stride, int cols,
            float[][] xs, int count, int i, float[][] outs, int r, float[] lanes) {
        int blocks = cols / BLOCK;
        if (i + 2 <= count) {
            switch (type) {
                case Q8_0 -> q8_0x2(seg, base, in, i * stride, stride, blocks, outs, i, r, lanes);
                case Q4_0 -> q4_0x2(seg, base, in, i * stride, stride, blocks, outs, i, r, lanes);
                default -> elementsX2(type, seg, base, in, i * stride, stride, cols, xs, outs, i, r, lanes);
            }
            i += 2;
        }
        if (i < count) outs[i][r] = single.dotRow(w, r, xs[i], 0);
    }

    /*
     * The kernels below: inputs i .. i + g of the group at bytes at, at + stride, ... of the aligned copy; outputs to
     * outs[i + k][r]. Per input, the single-input kernel's operations in its order; each accumulator's lanes stored
     * side by side and summed in index order by laneSums (as VectorMath.sum sums the single-input kernels' lanes).
     */

    /**
     * As {@code VectorTensorOps.dotBlocks} for Q8_0 at 16 lanes (q · x per 16-lane half: a multiply, then a fused
     * multiply-add; then a fused multiply-add by the block's scale into the accumulator), for eight inputs: each block's
     * conversion (two widenings, two int-to-float conversions and the scale's) serves all eight.
     */
    private static void q8_0x8(MemorySegment seg, long base, MemorySegment in, long at, long stride, int blocks, float[][] outs,
            int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride, x4 = x3 + stride, x5 = x4 + stride, x6 = x5 + stride, x7 = x6 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 34, xb = (long) b * BLOCK * Float.BYTES;
            FloatVector lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromMemorySegment(F, in, x0 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x0 + xb, LE))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromMemorySegment(F, in, x1 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x1 + xb, LE))).fma(d, a1);
            a2 = hi.fma(FloatVector.fromMemorySegment(F, in, x2 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x2 + xb, LE))).fma(d, a2);
            a3 = hi.fma(FloatVector.fromMemorySegment(F, in, x3 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x3 + xb, LE))).fma(d, a3);
            a4 = hi.fma(FloatVector.fromMemorySegment(F, in, x4 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x4 + xb, LE))).fma(d, a4);
            a5 = hi.fma(FloatVector.fromMemorySegment(F, in, x5 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x5 + xb, LE))).fma(d, a5);
            a6 = hi.fma(FloatVector.fromMemorySegment(F, in, x6 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x6 + xb, LE))).fma(d, a6);
            a7 = hi.fma(FloatVector.fromMemorySegment(F, in, x7 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x7 + xb, LE))).fma(d, a7);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        laneSums8(lanes, outs, i, r);
    }

    /** {@link #q8_0x8} for four inputs. */
    private static void q8_0x4(MemorySegment seg, long base, MemorySegment in, long at, long stride, int blocks, float[][] outs,
            int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 34, xb = (long) b * BLOCK * Float.BYTES;
            FloatVector lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromMemorySegment(F, in, x0 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x0 + xb, LE))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromMemorySegment(F, in, x1 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x1 + xb, LE))).fma(d, a1);
            a2 = hi.fma(FloatVector.fromMemorySegment(F, in, x2 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x2 + xb, LE))).fma(d, a2);
            a3 = hi.fma(FloatVector.fromMemorySegment(F, in, x3 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x3 + xb, LE))).fma(d, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        laneSums4(lanes, outs, i, r);
    }

    /**
     * {@link #q8_0x4} for two rows at once, r at byte {@code base} and r + 1 a row further: each input's two loads per
     * block serve both rows, half the input reads of two passes (the eight-input kernel, one row at a time, waits on
     * its sixteen loads a block). Per row and input, dotBlocks' operations in its order.
     */
    private static void q8_0Pair4(MemorySegment seg, long base, long rowBytes, MemorySegment in, long at, long stride, int blocks,
            float[][] outs, int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 34, other = block + rowBytes, xb = (long) b * BLOCK * Float.BYTES;
            FloatVector l0 = FloatVector.fromMemorySegment(F, in, x0 + xb, LE), h0 = FloatVector.fromMemorySegment(F, in, x0 + xb + 4 * L, LE);
            FloatVector l1 = FloatVector.fromMemorySegment(F, in, x1 + xb, LE), h1 = FloatVector.fromMemorySegment(F, in, x1 + xb + 4 * L, LE);
            FloatVector l2 = FloatVector.fromMemorySegment(F, in, x2 + xb, LE), h2 = FloatVector.fromMemorySegment(F, in, x2 + xb + 4 * L, LE);
            FloatVector l3 = FloatVector.fromMemorySegment(F, in, x3 + xb, LE), h3 = FloatVector.fromMemorySegment(F, in, x3 + xb + 4 * L, LE);
            FloatVector lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(h0, lo.mul(l0)).fma(d, a0);
            a1 = hi.fma(h1, lo.mul(l1)).fma(d, a1);
            a2 = hi.fma(h2, lo.mul(l2)).fma(d, a2);
            a3 = hi.fma(h3, lo.mul(l3)).fma(d, a3);
            lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, other + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, other + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, other));
            c0 = hi.fma(h0, lo.mul(l0)).fma(d, c0);
            c1 = hi.fma(h1, lo.mul(l1)).fma(d, c1);
            c2 = hi.fma(h2, lo.mul(l2)).fma(d, c2);
            c3 = hi.fma(h3, lo.mul(l3)).fma(d, c3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        c0.intoArray(lanes, 4 * L);
        c1.intoArray(lanes, 5 * L);
        c2.intoArray(lanes, 6 * L);
        c3.intoArray(lanes, 7 * L);
        laneSumsPair4(lanes, outs, i, r);
    }

    /**
     * {@link #elementsX4} for two rows at once (r at byte {@code base}, r + 1 a row further): each input vector loaded
     * serves both rows. dotElements adds the even lane groups (and a last one left over) into one accumulator and the
     * odd ones into another, two chains that meet only at the end; here one loop runs the even groups and a second the
     * odd ones, so eight accumulators live at a time, and each keeps its order. (The two loops as one helper called
     * twice, as {@link #dotFloatsPair4} runs them, read 0.92-0.97x in {@code kernel_ab.sh} with COUNT=8, inside that
     * comparison's bias; left as it was.)
     */
    private static void elementsPair4(DType type, MemorySegment seg, long base, long rowBytes, MemorySegment in, long at, long stride,
            int n, float[][] xs, float[][] outs, int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride, other = base + rowBytes;
        int bytes = type.bytesPerBlock();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        for (int e = 0; e <= n - L; e += 2 * L) {
            long xe = (long) e * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(F, in, x0 + xe, LE), v1 = FloatVector.fromMemorySegment(F, in, x1 + xe, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(F, in, x2 + xe, LE), v3 = FloatVector.fromMemorySegment(F, in, x3 + xe, LE);
            FloatVector w0 = VectorDecoders.elements(type, seg, base + (long) e * bytes);
            FloatVector w1 = VectorDecoders.elements(type, seg, other + (long) e * bytes);
            a0 = w0.fma(v0, a0);
            a1 = w0.fma(v1, a1);
            a2 = w0.fma(v2, a2);
            a3 = w0.fma(v3, a3);
            c0 = w1.fma(v0, c0);
            c1 = w1.fma(v1, c1);
            c2 = w1.fma(v2, c2);
            c3 = w1.fma(v3, c3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        c0.intoArray(lanes, 4 * L);
        c1.intoArray(lanes, 5 * L);
        c2.intoArray(lanes, 6 * L);
        c3.intoArray(lanes, 7 * L);
        a0 = FloatVector.zero(F);
        a1 = a0;
        a2 = a0;
        a3 = a0;
        c0 = a0;
        c1 = a0;
        c2 = a0;
        c3 = a0;
        for (int e = L; e <= n - L; e += 2 * L) {
            long xe = (long) e * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(F, in, x0 + xe, LE), v1 = FloatVector.fromMemorySegment(F, in, x1 + xe, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(F, in, x2 + xe, LE), v3 = FloatVector.fromMemorySegment(F, in, x3 + xe, LE);
            FloatVector w0 = VectorDecoders.elements(type, seg, base + (long) e * bytes);
            FloatVector w1 = VectorDecoders.elements(type, seg, other + (long) e * bytes);
            a0 = w0.fma(v0, a0);
            a1 = w0.fma(v1, a1);
            a2 = w0.fma(v2, a2);
            a3 = w0.fma(v3, a3);
            c0 = w1.fma(v0, c0);
            c1 = w1.fma(v1, c1);
            c2 = w1.fma(v2, c2);
            c3 = w1.fma(v3, c3);
        }
        FloatVector.fromArray(F, lanes, 0).add(a0).intoArray(lanes, 0);
        FloatVector.fromArray(F, lanes, 1 * L).add(a1).intoArray(lanes, 1 * L);
        FloatVector.fromArray(F, lanes, 2 * L).add(a2).intoArray(lanes, 2 * L);
        FloatVector.fromArray(F, lanes, 3 * L).add(a3).intoArray(lanes, 3 * L);
        FloatVector.fromArray(F, lanes, 4 * L).add(c0).intoArray(lanes, 4 * L);
        FloatVector.fromArray(F, lanes, 5 * L).add(c1).intoArray(lanes, 5 * L);
        FloatVector.fromArray(F, lanes, 6 * L).add(c2).intoArray(lanes, 6 * L);
        FloatVector.fromArray(F, lanes, 7 * L).add(c3).intoArray(lanes, 7 * L);
        laneSumsPair4(lanes, outs, i, r);
        int e = n / L * L;
        for (int k = 0; k < 4; k++) {
            outs[i + k][r] = elementTail(type, seg, base, xs[i + k], e, n, outs[i + k][r]);
            outs[i + k][r + 1] = elementTail(type, seg, other, xs[i + k], e, n, outs[i + k][r + 1]);
        }
    }

    /** {@link #q8_0x8} for two inputs. */
    private static void q8_0x2(MemorySegment seg, long base, MemorySegment in, long at, long stride, int blocks, float[][] outs,
            int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 34, xb = (long) b * BLOCK * Float.BYTES;
            FloatVector lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromMemorySegment(F, in, x0 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x0 + xb, LE))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromMemorySegment(F, in, x1 + xb + 4 * L, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x1 + xb, LE))).fma(d, a1);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        laneSums2(lanes, outs, i, r);
    }

    /**
     * As {@code VectorTensorOps.dotQ4_0} for eight inputs: one 16-byte load per block widened to int lanes, both
     * nibbles from it; the unpacking (masks or shifts, subtractions, conversions) serves all eight.
     */
    private static void q4_0x8(MemorySegment seg, long base, MemorySegment in, long at, long stride, int blocks, float[][] outs,
            int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride, x4 = x3 + stride, x5 = x4 + stride, x6 = x5 + stride, x7 = x6 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18, xb = (long) b * BLOCK * Float.BYTES;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            FloatVector lo = (FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromMemorySegment(F, in, x0 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x0 + xb, LE))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromMemorySegment(F, in, x1 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x1 + xb, LE))).fma(d, a1);
            a2 = hi.fma(FloatVector.fromMemorySegment(F, in, x2 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x2 + xb, LE))).fma(d, a2);
            a3 = hi.fma(FloatVector.fromMemorySegment(F, in, x3 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x3 + xb, LE))).fma(d, a3);
            a4 = hi.fma(FloatVector.fromMemorySegment(F, in, x4 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x4 + xb, LE))).fma(d, a4);
            a5 = hi.fma(FloatVector.fromMemorySegment(F, in, x5 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x5 + xb, LE))).fma(d, a5);
            a6 = hi.fma(FloatVector.fromMemorySegment(F, in, x6 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x6 + xb, LE))).fma(d, a6);
            a7 = hi.fma(FloatVector.fromMemorySegment(F, in, x7 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x7 + xb, LE))).fma(d, a7);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        laneSums8(lanes, outs, i, r);
    }

    /** {@link #q4_0x8} for four inputs. */
    private static void q4_0x4(MemorySegment seg, long base, MemorySegment in, long at, long stride, int blocks, float[][] outs,
            int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18, xb = (long) b * BLOCK * Float.BYTES;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            FloatVector lo = (FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromMemorySegment(F, in, x0 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x0 + xb, LE))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromMemorySegment(F, in, x1 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x1 + xb, LE))).fma(d, a1);
            a2 = hi.fma(FloatVector.fromMemorySegment(F, in, x2 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x2 + xb, LE))).fma(d, a2);
            a3 = hi.fma(FloatVector.fromMemorySegment(F, in, x3 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x3 + xb, LE))).fma(d, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        laneSums4(lanes, outs, i, r);
    }

    /** {@link #q4_0x8} for two inputs. */
    private static void q4_0x2(MemorySegment seg, long base, MemorySegment in, long at, long stride, int blocks, float[][] outs,
            int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18, xb = (long) b * BLOCK * Float.BYTES;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            FloatVector lo = (FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromMemorySegment(F, in, x0 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x0 + xb, LE))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromMemorySegment(F, in, x1 + xb + 64, LE), lo.mul(FloatVector.fromMemorySegment(F, in, x1 + xb, LE))).fma(d, a1);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 1 * L);
        laneSums2(lanes, outs, i, r);
    }

    /**
     * As {@code VectorTensorOps.dotElements} (F32, BF16) for four inputs: two accumulators per input over 2L elements
     * a step, one more step of L, their sum in lane order, then the scalar tail from the heap input.
     */
    private static void elementsX4(DType type, MemorySegment seg, long base, MemorySegment in, long at, long stride, int n,
            float[][] xs, float[][] outs, int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
        int bytes = type.bytesPerBlock();
        FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        int e = 0;
        for (; e <= n - 2 * L; e += 2 * L) {
            long w = base + (long) e * bytes, xe = (long) e * Float.BYTES;
            FloatVector w0 = VectorDecoders.elements(type, seg, w), w1 = VectorDecoders.elements(type, seg, w + (long) L * bytes);
            a0 = w0.fma(FloatVector.fromMemorySegment(F, in, x0 + xe, LE), a0);
            b0 = w1.fma(FloatVector.fromMemorySegment(F, in, x0 + xe + 4 * L, LE), b0);
            a1 = w0.fma(FloatVector.fromMemorySegment(F, in, x1 + xe, LE), a1);
            b1 = w1.fma(FloatVector.fromMemorySegment(F, in, x1 + xe + 4 * L, LE), b1);
            a2 = w0.fma(FloatVector.fromMemorySegment(F, in, x2 + xe, LE), a2);
            b2 = w1.fma(FloatVector.fromMemorySegment(F, in, x2 + xe + 4 * L, LE), b2);
            a3 = w0.fma(FloatVector.fromMemorySegment(F, in, x3 + xe, LE), a3);
            b3 = w1.fma(FloatVector.fromMemorySegment(F, in, x3 + xe + 4 * L, LE), b3);
        }
        for (; e <= n - L; e += L) {
            long xe = (long) e * Float.BYTES;
            FloatVector w0 = VectorDecoders.elements(type, seg, base + (long) e * bytes);
            a0 = w0.fma(FloatVector.fromMemorySegment(F, in, x0 + xe, LE), a0);
            a1 = w0.fma(FloatVector.fromMemorySegment(F, in, x1 + xe, LE), a1);
            a2 = w0.fma(FloatVector.fromMemorySegment(F, in, x2 + xe, LE), a2);
            a3 = w0.fma(FloatVector.fromMemorySegment(F, in, x3 + xe, LE), a3);
        }
        a0.add(b0).intoArray(lanes, 0);
        a1.add(b1).intoArray(lanes, 1 * L);
        a2.add(b2).intoArray(lanes, 2 * L);
        a3.add(b3).intoArray(lanes, 3 * L);
        laneSums4(lanes, outs, i, r);
        outs[i][r] = elementTail(type, seg, base, xs[i], e, n, outs[i][r]);
        outs[i + 1][r] = elementTail(type, seg, base, xs[i + 1], e, n, outs[i + 1][r]);
        outs[i + 2][r] = elementTail(type, seg, base, xs[i + 2], e, n, outs[i + 2][r]);
        outs[i + 3][r] = elementTail(type, seg, base, xs[i + 3], e, n, outs[i + 3][r]);
    }

    /** {@link #elementsX4} for two inputs. */
    private static void elementsX2(DType type, MemorySegment seg, long base, MemorySegment in, long at, long stride, int n,
            float[][] xs, float[][] outs, int i, int r, float[] lanes) {
        long x0 = at, x1 = x0 + stride;
        int bytes = type.bytesPerBlock();
        FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0;
        int e = 0;
        for (; e <= n - 2 * L; e += 2 * L) {
            long w = base + (long) e * bytes, xe = (long) e * Float.BYTES;
            FloatVector w0 = VectorDecoders.elements(type, seg, w), w1 = VectorDecoders.elements(type, seg, w + (long) L * bytes);
            a0 = w0.fma(FloatVector.fromMemorySegment(F, in, x0 + xe, LE), a0);
            b0 = w1.fma(FloatVector.fromMemorySegment(F, in, x0 + xe + 4 * L, LE), b0);
            a1 = w0.fma(FloatVector.fromMemorySegment(F, in, x1 + xe, LE), a1);
            b1 = w1.fma(FloatVector.fromMemorySegment(F, in, x1 + xe + 4 * L, LE), b1);
        }
        for (; e <= n - L; e += L) {
            long xe = (long) e * Float.BYTES;
            FloatVector w0 = VectorDecoders.elements(type, seg, base + (long) e * bytes);
            a0 = w0.fma(FloatVector.fromMemorySegment(F, in, x0 + xe, LE), a0);
            a1 = w0.fma(FloatVector.fromMemorySegment(F, in, x1 + xe, LE), a1);
        }
        a0.add(b0).intoArray(lanes, 0);
        a1.add(b1).intoArray(lanes, 1 * L);
        laneSums2(lanes, outs, i, r);
        outs[i][r] = elementTail(type, seg, base, xs[i], e, n, outs[i][r]);
        outs[i + 1][r] = elementTail(type, seg, base, xs[i + 1], e, n, outs[i + 1][r]);
    }

    /**
     * outs[i + k][r] = the lanes t[k·L .. k·L + L) added in index order from 0, for k in [0, 8): {@link VectorMath#sum(float[])}
     * of each accumulator, the eight chains side by side. One after another, each sum a chain of L dependent additions
     * (some 64 cycles), they took a tenth of a step of eight sequences on a small model (smollm-135m: 576-element
     * rows, 18 blocks).
     */
    private static void laneSums8(float[] t, float[][] outs, int i, int r) {
        sums8(t);
        for (int k = 0; k < 8; k++) outs[i + k][r] = t[SUMS + k];
    }

    /** Where {@link #sums8} leaves its eight sums in the lanes array: after the sixteen accumulators' lanes. */
    private static final int SUMS = 16 * L;

    /**
     * The eight sums of {@link #laneSums8}, each the lanes t[k·L .. k·L + L) added in index order from 0, into
     * t[SUMS .. SUMS + 8).
     */
    private static void sums8(float[] t) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        for (int l = 0; l < L; l++) {
            s0 += t[l];
            s1 += t[1 * L + l];
            s2 += t[2 * L + l];
            s3 += t[3 * L + l];
            s4 += t[4 * L + l];
            s5 += t[5 * L + l];
            s6 += t[6 * L + l];
            s7 += t[7 * L + l];
        }
        t[SUMS] = s0;
        t[SUMS + 1] = s1;
        t[SUMS + 2] = s2;
        t[SUMS + 3] = s3;
        t[SUMS + 4] = s4;
        t[SUMS + 5] = s5;
        t[SUMS + 6] = s6;
        t[SUMS + 7] = s7;
    }

    /** {@link #laneSums8} for four inputs. */
    private static void laneSums4(float[] t, float[][] outs, int i, int r) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int l = 0; l < L; l++) {
            s0 += t[l];
            s1 += t[1 * L + l];
            s2 += t[2 * L + l];
            s3 += t[3 * L + l];
        }
        outs[i][r] = s0;
        outs[i + 1][r] = s1;
        outs[i + 2][r] = s2;
        outs[i + 3][r] = s3;
    }

    /** {@link #laneSums8} for four inputs and two rows: lanes 0-3 to row r of inputs i..i+3, lanes 4-7 to row r + 1. */
    private static void laneSumsPair4(float[] t, float[][] outs, int i, int r) {
        sums8(t);
        for (int k = 0; k < 4; k++) {
            outs[i + k][r] = t[SUMS + k];
            outs[i + k][r + 1] = t[SUMS + 4 + k];
        }
    }

    /** {@link #laneSums8} for two inputs. */
    private static void laneSums2(float[] t, float[][] outs, int i, int r) {
        float s0 = 0f, s1 = 0f;
        for (int l = 0; l < L; l++) {
            s0 += t[l];
            s1 += t[1 * L + l];
        }
        outs[i][r] = s0;
        outs[i + 1][r] = s1;
    }

    /** {@code sum} plus the elements [from, n) of the row times x, one at a time (dotElements' scalar tail). */
    private static float elementTail(DType type, MemorySegment seg, long base, float[] x, int from, int n, float sum) {
        int bytes = type.bytesPerBlock();
        for (int e = from; e < n; e++) sum += VectorDecoders.element(type, seg, base + (long) e * bytes) * x[e];
        return sum;
    }

    /**
     * {@code sums[i + k] += VectorTensorOps.dotFloats(a, 0, xs[i + k], c, len)} for k in [0, 4), bit for bit: each input
     * keeps dotFloats' two accumulators, order and tail, and the four inputs' chains run interleaved, so one load of
     * {@code a} serves four multiply-adds and eight independent chains hide the multiply-add latency (one input's two
     * chains alone wait on it). The vector part reads the inputs' aligned copy {@code in} (input i + k at
     * {@code at + k * stride}), as the other fused kernels do; the tail reads the heap arrays.
     */
    private static void dotFloats4(float[] a, MemorySegment in, long at, long stride, float[][] xs, int i, int c,
            int len, float[] sums) {
        long x0 = at + 4L * c, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
        FloatVector p0 = FloatVector.zero(F), q0 = p0, p1 = p0, q1 = p0, p2 = p0, q2 = p0, p3 = p0, q3 = p0;
        int e = 0;
        for (; e <= len - 2 * L; e += 2 * L) {
            long xe = 4L * e;
            FloatVector w0 = FloatVector.fromArray(F, a, e);
            FloatVector w1 = FloatVector.fromArray(F, a, e + L);
            p0 = w0.fma(FloatVector.fromMemorySegment(F, in, x0 + xe, LE), p0);
            q0 = w1.fma(FloatVector.fromMemorySegment(F, in, x0 + xe + 4 * L, LE), q0);
            p1 = w0.fma(FloatVector.fromMemorySegment(F, in, x1 + xe, LE), p1);
            q1 = w1.fma(FloatVector.fromMemorySegment(F, in, x1 + xe + 4 * L, LE), q1);
            p2 = w0.fma(FloatVector.fromMemorySegment(F, in, x2 + xe, LE), p2);
            q2 = w1.fma(FloatVector.fromMemorySegment(F, in, x2 + xe + 4 * L, LE), q2);
            p3 = w0.fma(FloatVector.fromMemorySegment(F, in, x3 + xe, LE), p3);
            q3 = w1.fma(FloatVector.fromMemorySegment(F, in, x3 + xe + 4 * L, LE), q3);
        }
        for (; e <= len - L; e += L) {
            long xe = 4L * e;
            FloatVector w0 = FloatVector.fromArray(F, a, e);
            p0 = w0.fma(FloatVector.fromMemorySegment(F, in, x0 + xe, LE), p0);
            p1 = w0.fma(FloatVector.fromMemorySegment(F, in, x1 + xe, LE), p1);
            p2 = w0.fma(FloatVector.fromMemorySegment(F, in, x2 + xe, LE), p2);
            p3 = w0.fma(FloatVector.fromMemorySegment(F, in, x3 + xe, LE), p3);
        }
        float[] x0a = xs[i], x1a = xs[i + 1], x2a = xs[i + 2], x3a = xs[i + 3];
        float s0 = VectorMath.sum(p0.add(q0));
        float s1 = VectorMath.sum(p1.add(q1));
        float s2 = VectorMath.sum(p2.add(q2));
        float s3 = VectorMath.sum(p3.add(q3));
        for (int t = e; t < len; t++) {
            s0 += a[t] * x0a[c + t];
            s1 += a[t] * x1a[c + t];
            s2 += a[t] * x2a[c + t];
            s3 += a[t] * x3a[c + t];
        }
        sums[i] += s0;
        sums[i + 1] += s1;
        sums[i + 2] += s2;
        sums[i + 3] += s3;
    }

    /**
     * {@link #dotFloats4} for two rows' chunks at once, converted side by side into {@code pair} (the first row's
     * {@code len} floats at 0, the second's at {@link #HALF_CHUNK}), each input vector loaded serving both: dotFloats'
     * even-group accumulator (with a last group left over) from one pass of {@link #floatsPairLoop}, its odd-group one
     * from another, then, per row and input, dotFloats' lane sum and tail added to the sums. (Reading the floats
     * as an F32 segment through {@link #elementsPair4}'s loops, from the heap array or a native copy, ran at
     * 0.70-0.81x.)
     */
    private static void dotFloatsPair4(float[] pair, MemorySegment in, long at, long stride, float[][] xs, int i, int c, int len,
            float[] sumsA, float[] sumsB, float[] lanes) {
        long x0 = at + 4L * c;
        floatsPairLoop(pair, in, x0, stride, len, 0, lanes, 0);
        floatsPairLoop(pair, in, x0, stride, len, L, lanes, 8 * L);
        int tail = len / L * L;
        for (int k = 0; k < 4; k++) {
            float sa = 0f, sb = 0f;
            for (int l = 0; l < L; l++) {
                sa += lanes[k * L + l] + lanes[(8 + k) * L + l];
                sb += lanes[(4 + k) * L + l] + lanes[(12 + k) * L + l];
            }
            float[] x = xs[i + k];
            for (int t = tail; t < len; t++) {
                sa += pair[t] * x[c + t];
                sb += pair[HALF_CHUNK + t] * x[c + t];
            }
            sumsA[i + k] += sa;
            sumsB[i + k] += sb;
        }
    }

    /**
     * One of dotFloats' two chains for two float rows, pair[0 ..) and pair[HALF_CHUNK ..), and four inputs at {@code x0},
     * {@code x0 + stride}, ...: the lane groups at first, first + 2L, ... (every one that fits in len), into
     * lanes[offset .. offset + 8L), lanes 0-3 the first row's.
     */
    private static void floatsPairLoop(float[] pair, MemorySegment in, long x0, long stride, int len, int first, float[] lanes,
            int offset) {
        long x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride;
        FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
        for (int e = first; e <= len - L; e += 2 * L) {
            long xe = 4L * e;
            FloatVector v0 = FloatVector.fromMemorySegment(F, in, x0 + xe, LE), v1 = FloatVector.fromMemorySegment(F, in, x1 + xe, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(F, in, x2 + xe, LE), v3 = FloatVector.fromMemorySegment(F, in, x3 + xe, LE);
            FloatVector wa = FloatVector.fromArray(F, pair, e), wb = FloatVector.fromArray(F, pair, HALF_CHUNK + e);
            p0 = wa.fma(v0, p0);
            p1 = wa.fma(v1, p1);
            p2 = wa.fma(v2, p2);
            p3 = wa.fma(v3, p3);
            q0 = wb.fma(v0, q0);
            q1 = wb.fma(v1, q1);
            q2 = wb.fma(v2, q2);
            q3 = wb.fma(v3, q3);
        }
        p0.intoArray(lanes, offset);
        p1.intoArray(lanes, offset + 1 * L);
        p2.intoArray(lanes, offset + 2 * L);
        p3.intoArray(lanes, offset + 3 * L);
        q0.intoArray(lanes, offset + 4 * L);
        q1.intoArray(lanes, offset + 5 * L);
        q2.intoArray(lanes, offset + 6 * L);
        q3.intoArray(lanes, offset + 7 * L);
    }

    /**
     * As {@code VectorTensorOps.dotF16}: each {@value #HALF_CHUNK}-element chunk of a row is converted once into a float
     * buffer, then dotted with every input's matching chunk and added to its sum.
     */
    private static void f16(Tensor w, float[][] xs, MemorySegment in, int count, float[][] outs, int start, int end) {
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes(), stride = inputStride(w.cols());
        int cols = w.cols();
        float[] buf = HALF_BUFFER.get();
        float[] sums = new float[count];
        int r = start;
        if (count >= 4) {
            float[] pair = PAIR_BUFFER.get();
            float[] lanes = LANES.get();
            float[] sums2 = new float[count];
            for (; r + 1 < end; r += 2) {
                long base = r * rowBytes;
                Arrays.fill(sums, 0f);
                Arrays.fill(sums2, 0f);
                for (int c = 0; c < cols; c += HALF_CHUNK) {
                    int len = Math.min(HALF_CHUNK, cols - c);
                    VectorTensorOps.halvesToFloats(seg, base + 2L * c, pair, 0, len);
                    VectorTensorOps.halvesToFloats(seg, base + rowBytes + 2L * c, pair, HALF_CHUNK, len);
                    int i = 0;
                    for (; i + 4 <= count; i += 4) dotFloatsPair4(pair, in, i * stride, stride, xs, i, c, len, sums, sums2, lanes);
                    for (; i < count; i++) {
                        sums[i] += VectorTensorOps.dotFloats(pair, 0, xs[i], c, len);
                        sums2[i] += VectorTensorOps.dotFloats(pair, HALF_CHUNK, xs[i], c, len);
                    }
                }
                for (int i = 0; i < count; i++) {
                    outs[i][r] = sums[i];
                    outs[i][r + 1] = sums2[i];
                }
            }
        }
        for (; r < end; r++) {
            long base = r * rowBytes;
            Arrays.fill(sums, 0f);
            for (int c = 0; c < cols; c += HALF_CHUNK) {
                int len = Math.min(HALF_CHUNK, cols - c);
                long at = base + 2L * c;
                VectorTensorOps.halvesToFloats(seg, at, buf, 0, len);
                int i = 0;
                for (; i + 4 <= count; i += 4) dotFloats4(buf, in, i * stride, stride, xs, i, c, len, sums);
                for (; i < count; i++) sums[i] += VectorTensorOps.dotFloats(buf, 0, xs[i], c, len);
            }
            for (int i = 0; i < count; i++) outs[i][r] = sums[i];
        }
    }
}
