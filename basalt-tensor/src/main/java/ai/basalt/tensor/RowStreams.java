package ai.basalt.tensor;

import static ai.basalt.tensor.VectorDecoders.BLOCK;
import static ai.basalt.tensor.VectorDecoders.F;
import static ai.basalt.tensor.VectorDecoders.L;
import static ai.basalt.tensor.VectorDecoders.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products (decode: one token's activations against every weight row) that read
 * {@value #STREAMS} rows at once, one from each quarter of a worker's rows, so that four sequential streams
 * through memory are in flight where a row-by-row loop has one.
 *
 * <p>Why: a decode step reads every weight once, from memory, and a core's out-of-order window holds the
 * misses of only some dozens of blocks ahead; one stream leaves most of the memory bandwidth unused (a 34-byte
 * Q8_0 block costs some fifteen instructions, where a bare read of the same bytes costs two). With four
 * distant streams four times as many lines are requested in that window, and each page's hardware prefetcher
 * runs alongside the others: Q8_0 on 2 threads went from 9.2 to 12.5–13.8 GB/s in the same minutes (adjacent
 * rows sharing the x loads, one stream, gave 5%). Each row's arithmetic is exactly that of the single-row
 * kernel in {@link VectorTensorOps} (same operations in the same order), so the results are bit-identical to
 * {@link TensorOps#dotRow}.
 *
 * <p>For Q8_0 and F16, whose kernels outrun one stream ({@code DecodeBenchmark}, docs/BENCHMARKS.md). Not for Q4_0
 * or the k-quants: their kernels are bound by arithmetic, and four rows of Q4_0 measured slower than one (5.6–6.2
 * against 6.7–7.8 GB/s on 2 threads); four rows of Q6_K or Q4_K make a loop past what C2 compiles with its
 * vectors in registers (C1 gives up on it, C2 leaves calls in it: 0.05 GB/s).
 *
 * <p>Written out four times per type on purpose: an array of accumulators, a loop over the four rows or a
 * helper taking vectors are what C2 leaves as heap objects inside these loops (see DEVELOPERS.md "Speed work").
 */
final class RowStreams {
    /** Rows read at once, one per stream. */
    static final int STREAMS = 4;

    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    /** Halves per row converted at a time: the single-row kernel's chunk, so that the sums are the same. */
    private static final int HALF_CHUNK = VectorTensorOps.HALF_CHUNK;
    private static final ThreadLocal<float[][]> HALF_BUFFERS = ThreadLocal.withInitial(() -> new float[STREAMS][HALF_CHUNK]);

    private RowStreams() {}

    /** Whether {@link #matmul} has a four-stream kernel for this type on this machine's vectors. */
    static boolean supports(DType type) {
        return L == 16 && (type == DType.Q8_0 || type == DType.F16);
    }

    /**
     * out[r] = w[r] · x for r in [start, end): rows {@code start + i + k·n} for k in [0, 4) together, n = a
     * quarter of the range; the rest (fewer than four rows) one at a time through {@code single}.
     */
    static void matmul(TensorOps single, Tensor w, float[] x, float[] out, int start, int end) {
        int n = (end - start) / STREAMS;
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes(), stride = n * rowBytes;
        int cols = w.cols();
        DType type = w.type();
        float[] lanes = VectorTensorOps.LANES.get();
        for (int i = 0; i < n; i++) {
            int r = start + i;
            long base = r * rowBytes;
            switch (type) {
                case Q8_0 -> q8_0(seg, base, stride, x, cols / BLOCK, out, r, n, lanes);
                case F16 -> f16(seg, base, stride, x, cols, out, r, n);
                default -> throw VectorDecoders.unsupported(type);
            }
        }
        for (int r = start + STREAMS * n; r < end; r++) out[r] = single.dotRow(w, r, x, 0);
    }

    /** As {@code VectorTensorOps.dotBlocks} for Q8_0 at 16 lanes, on rows base + k·stride. */
    private static void q8_0(MemorySegment seg, long base, long stride, float[] x, int blocks, float[] out, int r, int n, float[] lanes) {
        long b0 = base, b1 = base + stride, b2 = base + 2 * stride, b3 = base + 3 * stride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            long o = (long) b * 34;
            FloatVector x0 = FloatVector.fromArray(F, x, b * BLOCK), x1 = FloatVector.fromArray(F, x, b * BLOCK + L);
            FloatVector q;
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b0 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b0 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, q);
            a0 = q.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, b0 + o)), a0);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b1 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b1 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, q);
            a1 = q.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, b1 + o)), a1);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b2 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b2 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, q);
            a2 = q.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, b2 + o)), a2);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b3 + o + 2, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            q = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, b3 + o + 18, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, q);
            a3 = q.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, b3 + o)), a3);
        }
        a0.intoArray(lanes, 0);
        out[r] = VectorMath.sum(lanes);
        a1.intoArray(lanes, 0);
        out[r + n] = VectorMath.sum(lanes);
        a2.intoArray(lanes, 0);
        out[r + 2 * n] = VectorMath.sum(lanes);
        a3.intoArray(lanes, 0);
        out[r + 3 * n] = VectorMath.sum(lanes);
    }




    /**
     * As {@code VectorTensorOps.dotF16}: the four rows' halves converted {@value #HALF_CHUNK} at a time in one
     * plain loop (which C2 compiles to hardware conversions), then each dotted as the single-row kernel does.
     */
    private static void f16(MemorySegment seg, long base, long stride, float[] x, int cols, float[] out, int r, int n) {
        float[][] bufs = HALF_BUFFERS.get();
        float[] h0 = bufs[0], h1 = bufs[1], h2 = bufs[2], h3 = bufs[3];
        long b0 = base, b1 = base + stride, b2 = base + 2 * stride, b3 = base + 3 * stride;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int c = 0; c < cols; c += HALF_CHUNK) {
            int len = Math.min(HALF_CHUNK, cols - c);
            long at = 2L * c;
            for (int i = 0; i < len; i++) {
                h0[i] = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, b0 + at + 2L * i));
                h1[i] = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, b1 + at + 2L * i));
                h2[i] = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, b2 + at + 2L * i));
                h3[i] = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, b3 + at + 2L * i));
            }
            s0 += VectorTensorOps.dotFloats(h0, 0, x, c, len);
            s1 += VectorTensorOps.dotFloats(h1, 0, x, c, len);
            s2 += VectorTensorOps.dotFloats(h2, 0, x, c, len);
            s3 += VectorTensorOps.dotFloats(h3, 0, x, c, len);
        }
        out[r] = s0;
        out[r + n] = s1;
        out[r + 2 * n] = s2;
        out[r + 3 * n] = s3;
    }
}
