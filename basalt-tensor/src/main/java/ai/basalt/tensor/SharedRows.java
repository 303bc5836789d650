package ai.basalt.tensor;

import static ai.basalt.tensor.VectorDecoders.BLOCK;
import static ai.basalt.tensor.VectorDecoders.F;
import static ai.basalt.tensor.VectorDecoders.L;
import static ai.basalt.tensor.VectorDecoders.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products of several inputs against one matrix, each weight row read from memory once for all of
 * them ({@link TensorOps#matmulEach}: one decode step of several sequences). Decode is bound by reading the weights;
 * {@code count} sequences served by one pass over them cost little more than one.
 *
 * <p>Each weight block is converted once and multiplied into every input of a group of {@value #GROUP} (then a group
 * of two, then one input through {@link TensorOps#dotRow}), with, per input, exactly the operations of the
 * single-input kernel of {@link VectorTensorOps} in the same order: {@code dotBlocks} for Q8_0, {@code dotQ4_0},
 * {@code dotElements} for F32 and BF16, {@code dotF16}. So every output is {@link TensorOps#dotRow}'s, bit for bit,
 * whatever the batch around it: a request served in a batch gives what it gives alone. A row's later groups
 * read it again from L1. Types without a kernel here (the k-quants, Q4_1, Q5_0, Q5_1, and Q8_0 and Q4_0 below 16
 * lanes) take each row's inputs one after another through the single-input kernel: still one read from memory per
 * row, the arithmetic per input unchanged.
 *
 * <p>Written out per group size on purpose, as {@link RowStreams}: an array of accumulators or a loop over the inputs
 * inside the block loop is what C2 leaves as heap objects (DEVELOPERS.md "Speed work").
 */
final class SharedRows {
    /** Inputs per fused kernel call: four accumulators, two converted quant vectors and a scale stay in registers. */
    static final int GROUP = 4;

    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);
    private static final int HALF_CHUNK = VectorTensorOps.HALF_CHUNK;
    private static final ThreadLocal<float[]> HALF_BUFFER = ThreadLocal.withInitial(() -> new float[HALF_CHUNK]);

    private SharedRows() {}

    /** The checks of {@link TensorOps#matmulEach}: enough inputs and outputs, each long enough, no output shared or
     * written over an input. */
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

    /**
     * outs[i][r] = w[r] · xs[i] for i in [0, count) and r in [start, end). {@code sums} holds each input's run sums
     * where the type's single-row kernel folds offsets with them ({@link VectorTensorOps#sumRun}), else is null.
     */
    static void matmul(TensorOps single, Tensor w, float[][] xs, int count, float[][] outs, float[][] sums, int start,
            int end) {
        DType type = w.type();
        if (type == DType.F16) {
            f16(w, xs, count, outs, start, end);
            return;
        }
        if (!fused(type)) {
            for (int r = start; r < end; r++) {
                for (int i = 0; i < count; i++) {
                    outs[i][r] = sums != null ? VectorTensorOps.dotRowWithSums(w, r, xs[i], 0, sums[i]) : single.dotRow(w, r, xs[i], 0);
                }
            }
            return;
        }
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        int cols = w.cols();
        float[] lanes = VectorTensorOps.LANES.get();
        for (int r = start; r < end; r++) {
            long base = r * rowBytes;
            int i = 0;
            for (; i + GROUP <= count; i += GROUP) {
                switch (type) {
                    case Q8_0 -> q8_0x4(seg, base, xs, i, cols / BLOCK, outs, r, lanes);
                    case Q4_0 -> q4_0x4(seg, base, xs, i, cols / BLOCK, outs, r, lanes);
                    default -> elementsX4(type, seg, base, xs, i, cols, outs, r, lanes);
                }
            }
            if (i + 2 <= count) {
                switch (type) {
                    case Q8_0 -> q8_0x2(seg, base, xs, i, cols / BLOCK, outs, r, lanes);
                    case Q4_0 -> q4_0x2(seg, base, xs, i, cols / BLOCK, outs, r, lanes);
                    default -> elementsX2(type, seg, base, xs, i, cols, outs, r, lanes);
                }
                i += 2;
            }
            if (i < count) outs[i][r] = single.dotRow(w, r, xs[i], 0);
        }
    }

    /** As {@code VectorTensorOps.dotBlocks} for Q8_0 at 16 lanes, for inputs xs[i .. i + 4). */
    private static void q8_0x4(MemorySegment seg, long base, float[][] xs, int i, int blocks, float[][] outs, int r, float[] lanes) {
        float[] x0 = xs[i], x1 = xs[i + 1], x2 = xs[i + 2], x3 = xs[i + 3];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 34;
            int xb = b * BLOCK;
            FloatVector lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromArray(F, x0, xb + L), lo.mul(FloatVector.fromArray(F, x0, xb))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromArray(F, x1, xb + L), lo.mul(FloatVector.fromArray(F, x1, xb))).fma(d, a1);
            a2 = hi.fma(FloatVector.fromArray(F, x2, xb + L), lo.mul(FloatVector.fromArray(F, x2, xb))).fma(d, a2);
            a3 = hi.fma(FloatVector.fromArray(F, x3, xb + L), lo.mul(FloatVector.fromArray(F, x3, xb))).fma(d, a3);
        }
        a0.intoArray(lanes, 0);
        outs[i][r] = VectorMath.sum(lanes);
        a1.intoArray(lanes, 0);
        outs[i + 1][r] = VectorMath.sum(lanes);
        a2.intoArray(lanes, 0);
        outs[i + 2][r] = VectorMath.sum(lanes);
        a3.intoArray(lanes, 0);
        outs[i + 3][r] = VectorMath.sum(lanes);
    }

    /** {@link #q8_0x4} for two inputs. */
    private static void q8_0x2(MemorySegment seg, long base, float[][] xs, int i, int blocks, float[][] outs, int r, float[] lanes) {
        float[] x0 = xs[i], x1 = xs[i + 1];
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 34;
            int xb = b * BLOCK;
            FloatVector lo = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector hi = (FloatVector) ByteVector.fromMemorySegment(BYTES, seg, block + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromArray(F, x0, xb + L), lo.mul(FloatVector.fromArray(F, x0, xb))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromArray(F, x1, xb + L), lo.mul(FloatVector.fromArray(F, x1, xb))).fma(d, a1);
        }
        a0.intoArray(lanes, 0);
        outs[i][r] = VectorMath.sum(lanes);
        a1.intoArray(lanes, 0);
        outs[i + 1][r] = VectorMath.sum(lanes);
    }

    /** As {@code VectorTensorOps.dotQ4_0}: one 16-byte load per block widened to int lanes, both nibbles from it. */
    private static void q4_0x4(MemorySegment seg, long base, float[][] xs, int i, int blocks, float[][] outs, int r, float[] lanes) {
        float[] x0 = xs[i], x1 = xs[i + 1], x2 = xs[i + 2], x3 = xs[i + 3];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18;
            int xb = b * BLOCK;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            FloatVector lo = (FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromArray(F, x0, xb + 16), lo.mul(FloatVector.fromArray(F, x0, xb))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromArray(F, x1, xb + 16), lo.mul(FloatVector.fromArray(F, x1, xb))).fma(d, a1);
            a2 = hi.fma(FloatVector.fromArray(F, x2, xb + 16), lo.mul(FloatVector.fromArray(F, x2, xb))).fma(d, a2);
            a3 = hi.fma(FloatVector.fromArray(F, x3, xb + 16), lo.mul(FloatVector.fromArray(F, x3, xb))).fma(d, a3);
        }
        a0.intoArray(lanes, 0);
        outs[i][r] = VectorMath.sum(lanes);
        a1.intoArray(lanes, 0);
        outs[i + 1][r] = VectorMath.sum(lanes);
        a2.intoArray(lanes, 0);
        outs[i + 2][r] = VectorMath.sum(lanes);
        a3.intoArray(lanes, 0);
        outs[i + 3][r] = VectorMath.sum(lanes);
    }

    /** {@link #q4_0x4} for two inputs. */
    private static void q4_0x2(MemorySegment seg, long base, float[][] xs, int i, int blocks, float[][] outs, int r, float[] lanes) {
        float[] x0 = xs[i], x1 = xs[i + 1];
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18;
            int xb = b * BLOCK;
            IntVector q = (IntVector) ByteVector.fromMemorySegment(BYTES, seg, block + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            FloatVector lo = (FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block));
            a0 = hi.fma(FloatVector.fromArray(F, x0, xb + 16), lo.mul(FloatVector.fromArray(F, x0, xb))).fma(d, a0);
            a1 = hi.fma(FloatVector.fromArray(F, x1, xb + 16), lo.mul(FloatVector.fromArray(F, x1, xb))).fma(d, a1);
        }
        a0.intoArray(lanes, 0);
        outs[i][r] = VectorMath.sum(lanes);
        a1.intoArray(lanes, 0);
        outs[i + 1][r] = VectorMath.sum(lanes);
    }

    /**
     * As {@code VectorTensorOps.dotElements} (F32, BF16) for inputs xs[i .. i + 4): two accumulators per input over
     * 2L elements a step, one more step of L, their sum in lane order, then the scalar tail.
     */
    private static void elementsX4(DType type, MemorySegment seg, long base, float[][] xs, int i, int n, float[][] outs, int r,
            float[] lanes) {
        float[] x0 = xs[i], x1 = xs[i + 1], x2 = xs[i + 2], x3 = xs[i + 3];
        int bytes = type.bytesPerBlock();
        FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        int e = 0;
        for (; e <= n - 2 * L; e += 2 * L) {
            long at = base + (long) e * bytes;
            FloatVector w0 = VectorDecoders.elements(type, seg, at), w1 = VectorDecoders.elements(type, seg, at + (long) L * bytes);
            a0 = w0.fma(FloatVector.fromArray(F, x0, e), a0);
            b0 = w1.fma(FloatVector.fromArray(F, x0, e + L), b0);
            a1 = w0.fma(FloatVector.fromArray(F, x1, e), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x1, e + L), b1);
            a2 = w0.fma(FloatVector.fromArray(F, x2, e), a2);
            b2 = w1.fma(FloatVector.fromArray(F, x2, e + L), b2);
            a3 = w0.fma(FloatVector.fromArray(F, x3, e), a3);
            b3 = w1.fma(FloatVector.fromArray(F, x3, e + L), b3);
        }
        for (; e <= n - L; e += L) {
            FloatVector w0 = VectorDecoders.elements(type, seg, base + (long) e * bytes);
            a0 = w0.fma(FloatVector.fromArray(F, x0, e), a0);
            a1 = w0.fma(FloatVector.fromArray(F, x1, e), a1);
            a2 = w0.fma(FloatVector.fromArray(F, x2, e), a2);
            a3 = w0.fma(FloatVector.fromArray(F, x3, e), a3);
        }
        a0.add(b0).intoArray(lanes, 0);
        outs[i][r] = elementTail(type, seg, base, x0, e, n, VectorMath.sum(lanes));
        a1.add(b1).intoArray(lanes, 0);
        outs[i + 1][r] = elementTail(type, seg, base, x1, e, n, VectorMath.sum(lanes));
        a2.add(b2).intoArray(lanes, 0);
        outs[i + 2][r] = elementTail(type, seg, base, x2, e, n, VectorMath.sum(lanes));
        a3.add(b3).intoArray(lanes, 0);
        outs[i + 3][r] = elementTail(type, seg, base, x3, e, n, VectorMath.sum(lanes));
    }

    /** {@link #elementsX4} for two inputs. */
    private static void elementsX2(DType type, MemorySegment seg, long base, float[][] xs, int i, int n, float[][] outs, int r,
            float[] lanes) {
        float[] x0 = xs[i], x1 = xs[i + 1];
        int bytes = type.bytesPerBlock();
        FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0;
        int e = 0;
        for (; e <= n - 2 * L; e += 2 * L) {
            long at = base + (long) e * bytes;
            FloatVector w0 = VectorDecoders.elements(type, seg, at), w1 = VectorDecoders.elements(type, seg, at + (long) L * bytes);
            a0 = w0.fma(FloatVector.fromArray(F, x0, e), a0);
            b0 = w1.fma(FloatVector.fromArray(F, x0, e + L), b0);
            a1 = w0.fma(FloatVector.fromArray(F, x1, e), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x1, e + L), b1);
        }
        for (; e <= n - L; e += L) {
            FloatVector w0 = VectorDecoders.elements(type, seg, base + (long) e * bytes);
            a0 = w0.fma(FloatVector.fromArray(F, x0, e), a0);
            a1 = w0.fma(FloatVector.fromArray(F, x1, e), a1);
        }
        a0.add(b0).intoArray(lanes, 0);
        outs[i][r] = elementTail(type, seg, base, x0, e, n, VectorMath.sum(lanes));
        a1.add(b1).intoArray(lanes, 0);
        outs[i + 1][r] = elementTail(type, seg, base, x1, e, n, VectorMath.sum(lanes));
    }

    /** {@code sum} plus the elements [from, n) of the row times x, one at a time (dotElements' scalar tail). */
    private static float elementTail(DType type, MemorySegment seg, long base, float[] x, int from, int n, float sum) {
        int bytes = type.bytesPerBlock();
        for (int e = from; e < n; e++) sum += VectorDecoders.element(type, seg, base + (long) e * bytes) * x[e];
        return sum;
    }

    /**
     * As {@code VectorTensorOps.dotF16}: each {@value #HALF_CHUNK}-element chunk of a row is converted once into a float
     * buffer, then dotted with every input's matching chunk and added to its sum.
     */
    private static void f16(Tensor w, float[][] xs, int count, float[][] outs, int start, int end) {
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        int cols = w.cols();
        float[] buf = HALF_BUFFER.get();
        float[] sums = new float[count];
        for (int r = start; r < end; r++) {
            long base = r * rowBytes;
            java.util.Arrays.fill(sums, 0f);
            for (int c = 0; c < cols; c += HALF_CHUNK) {
                int len = Math.min(HALF_CHUNK, cols - c);
                long at = base + 2L * c;
                for (int e = 0; e < len; e++) buf[e] = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, at + 2L * e));
                for (int i = 0; i < count; i++) sums[i] += VectorTensorOps.dotFloats(buf, 0, xs[i], c, len);
            }
            for (int i = 0; i < count; i++) outs[i][r] = sums[i];
        }
    }
}
