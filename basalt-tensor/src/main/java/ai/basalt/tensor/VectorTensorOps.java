package ai.basalt.tensor;

import static ai.basalt.tensor.VectorDecoders.BLOCK;
import static ai.basalt.tensor.VectorDecoders.F;
import static ai.basalt.tensor.VectorDecoders.L;
import static ai.basalt.tensor.VectorDecoders.LE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels over {@link FloatVector#SPECIES_PREFERRED}: each loop steps by {@code L =
 * SPECIES.length()} lanes and finishes its tail with scalar code, so one body serves every SIMD width from
 * 128 to 512 bits. Weights are decoded in registers straight from their {@link MemorySegment} by the
 * per-type decoders of {@link VectorDecoders}; {@link #dotRow} allocates nothing.
 *
 * <p>Reductions differ from {@link ScalarTensorOps} only in summation order (lane-wise partial sums, fused
 * multiply-adds); sums of squares and softmax denominators are accumulated in double like ggml. Element-wise
 * kernels round exactly as the scalar ones do, except where they call {@code exp}.
 */
final class VectorTensorOps implements TensorOps {
    private static final VectorSpecies<Double> D = F.withLanes(double.class);
    /** Elements per k-quant super-block. */
    private static final int QK_K = ScalarTensorOps.QK_K;

    /** For RoPE NORMAL: lane i reads pair i/2, and swaps with its neighbour in the pair. */
    private static final int[] PAIR_OF_LANE = new int[L];
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);
    /** −1 on the first element of each pair, +1 on the second: x0' = x0·c − x1·s, x1' = x1·c + x0·s. */
    private static final FloatVector PAIR_SIGNS;

    static {
        float[] signs = new float[L];
        for (int i = 0; i < L; i++) {
            PAIR_OF_LANE[i] = i / 2;
            signs[i] = i % 2 == 0 ? -1f : 1f;
        }
        PAIR_SIGNS = FloatVector.fromArray(F, signs, 0);
    }

    private VectorTensorOps() {}

    /**
     * The Vector API kernels, or an exception where the preferred species does not fit them: the quantized
     * decoders need 4 to 16 float lanes (128- to 512-bit vectors) so that a lane group divides a block.
     */
    static TensorOps create() {
        if (L < 4 || L > BLOCK / 2) {
            throw new UnsupportedOperationException("preferred float species " + F + " has " + L
                    + " lanes, expected 4 to " + BLOCK / 2);
        }
        return new VectorTensorOps();
    }

    @Override
    public String name() {
        return "vector" + F.vectorBitSize();
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return dotFloats(a, aOff, b, bOff, n);
    }

    static float dotFloats(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
        }
        for (; i <= n - L; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = VectorMath.sum(acc0.add(acc1));
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /**
     * One input against every row: four rows at a time in four streams through memory ({@link RowStreams}) for
     * the types it has kernels for, bit-identical to {@link #dotRow} row by row.
     */
    @Override
    public void matmul(Tensor w, float[] x, float[] out) {
        int run = sumRun(w.type());
        if (!(RowStreams.supports(w.type()) || run > 0) || out.length < w.rows() || x.length < w.cols()) {
            TensorOps.super.matmul(w, x, out); // its checks name a mismatch
            return;
        }
        if (run > 0) {
            // the input's run sums once for every row (dotRow makes them per call)
            float[] xs = inputSums(x, 0, w.cols(), run);
            Parallel.forRowChunks(w.rows(), (long) w.cols(), MIN_CHUNK_ROWS, (start, end) -> {
                for (int r = start; r < end; r++) out[r] = dotRowWithSums(w, r, x, 0, xs);
            });
            return;
        }
        Parallel.forRowChunks(w.rows(), (long) w.cols(), MIN_CHUNK_ROWS, (start, end) -> RowStreams.matmul(this, w, x, out, start, end));
    }

    /**
     * Several inputs against every row, each row read from memory once for all of them ({@link SharedRows}), each
     * output bit-identical to {@link #dotRow}; a single input is {@link #matmul(Tensor, float[], float[])} (four row
     * streams).
     */
    @Override
    public void matmulEach(Tensor w, float[][] xs, int count, float[][] outs) {
        SharedRows.check(w, xs, count, outs);
        if (count <= 1) {
            if (count == 1) matmul(w, xs[0], outs[0]);
            return;
        }
        int run = sumRun(w.type());
        float[][] sums = null;
        if (run > 0) {
            // each input's run sums once for every row (dotRow makes them per call)
            sums = new float[count][];
            for (int i = 0; i < count; i++) sums[i] = runSums(xs[i], 0, w.cols(), run, new float[0]);
        }
        float[][] inputSums = sums;
        MemorySegment in = SharedRows.inputs(w.type(), xs, count, w.cols());
        Parallel.forRowChunks(w.rows(), (long) w.cols() * count, MIN_CHUNK_ROWS,
                (start, end) -> SharedRows.matmul(this, w, xs, in, count, outs, inputSums, start, end));
    }

    /** The fewest rows of a chunk of the one-input product ({@link Parallel#forRowChunks}): four per stream. */
    private static final int MIN_CHUNK_ROWS = 4 * RowStreams.STREAMS;

    /** {@link #runSums} into this thread's buffer. */
    private static float[] inputSums(float[] x, int xOff, int n, int size) {
        float[] sums = runSums(x, xOff, n, size, RUN_SUMS.get());
        RUN_SUMS.set(sums);
        return sums;
    }

    /**
     * Batched products from {@link #BATCH_GEMM} inputs on run as a matrix-matrix product: each thread takes chunks
     * of the weight rows, dequantizes them a panel at a time (exact: every stored value is a float) into its own float
     * buffer, and {@link Gemm} multiplies that by all n inputs on the same thread, so that each weight is read from
     * memory once per batch instead of once per input, and the products run at the GEMM's pace. The panel is the GEMM's A, which its direct path reads in
     * place when the batch is a few slivers wide: packing it (a gather per element) took 16% of a 128-token
     * prompt, and this orientation made prefill some 25% faster (Q8_0 llama-3.2-1b, 2 threads).
     */
    @Override
    public void matmul(Tensor w, float[] x, int n, float[] out) {
        if (n < BATCH_GEMM) {
            TensorOps.super.matmul(w, x, n, out);
            return;
        }
        int rows = w.rows(), cols = w.cols();
        if ((long) n * cols > x.length || (long) n * rows > out.length) {
            TensorOps.super.matmul(w, x, n, out); // its checks name the mismatch
            return;
        }
        int panelRows = Math.max(1, Math.min(rows, PANEL_FLOATS / cols));
        Parallel.forRowChunks(rows, (long) n * cols, panelRows, (start, end) -> {
            float[] panel = PANEL.get();
            if (panel.length < panelRows * cols) {
                panel = new float[panelRows * cols];
                PANEL.set(panel);
            }
            float[] product = PRODUCT.get();
            if (product.length < panelRows * n) {
                product = new float[panelRows * n];
                PRODUCT.set(product);
            }
            for (int first = start; first < end; first += panelRows) {
                int count = Math.min(panelRows, end - first);
                for (int r = 0; r < count; r++) dequantizeRow(w, first + r, panel, r * cols);
                // (panel rows, n) = panel · xᵀ on this thread (a GEMM inside a parallel loop runs on its caller): the
                // weights are op(A), read in place by the GEMM's direct path, so only the small batch is packed; then
                // transposed into out
                GEMM.gemm(false, true, count, n, cols, 1f, panel, 0, cols, x, 0, cols, 0f, product, 0, n);
                for (int i = 0; i < n; i++) {
                    for (int r = 0; r < count; r++) out[i * rows + first + r] = product[r * n + i];
                }
            }
        });
    }

    /** From {@link #BATCH_GEMM} inputs on, every product is the GEMM's, whose elements depend on the depth alone. */
    @Override
    public int matmulStableFrom() {
        return BATCH_GEMM;
    }

    /** Inputs from which {@link #matmul(Tensor, float[], int, float[])} multiplies matrices (below: rows). */
    static final int BATCH_GEMM = 4;
    /**
     * Floats in each thread's dequantized weight panel (8 MiB). Each thread dequantizes its own rows and multiplies
     * them by itself, one parallel loop per product, where one shared panel was converted and then multiplied in two
     * parallel passes: llama-3.2-1b prefill on 2 threads 1.27-1.45x faster at 25 tokens and 1.13-1.21x at 128 (BF16
     * and Q8_0, {@code tools/bench/prefill_ab.sh}). Per-thread panels of 2 and 4 MiB were slower, of 256 KiB 2x slower
     * (each GEMM call packs the inputs again).
     */
    private static final int PANEL_FLOATS = 1 << 21;
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PRODUCT = ThreadLocal.withInitial(() -> new float[0]);
    private static final Gemm GEMM = VectorGemm.create();

    @Override
    public float dotRow(Tensor w, int row, float[] x, int xOff) {
        MemorySegment seg = w.data();
        long base = row * w.rowBytes();
        int cols = w.cols();
        DType type = w.type();
        return switch (type) {
            case F16 -> dotF16(seg, base, x, xOff, cols);
            case F32, BF16 -> dotElements(type, seg, base, x, xOff, cols);
            case Q8_0 -> dotBlocks(type, seg, base, x, xOff, cols / BLOCK);
            case Q4_0 -> L == 16 ? dotQ4_0(seg, base, x, xOff, cols / BLOCK)
                    : dotBlocks(type, seg, base, x, xOff, cols / BLOCK);
            case Q4_1, Q5_0, Q5_1 -> dotNibbleBlocks(type, seg, base, x, xOff, cols / BLOCK);
            case Q4_K, Q5_K, Q6_K -> dotSuperBlocks(type, seg, base, x, xOff, cols / QK_K);
            default -> throw new UnsupportedOperationException("no kernel for tensor type " + type + " (" + w + ")");
        };
    }

    /**
     * F16 through a float buffer, {@link #HALF_CHUNK} elements at a time: a plain loop of
     * {@link Float#float16ToFloat} is one the JIT turns into hardware half-to-float conversions (vcvtph2ps), where
     * the Vector API has no such conversion and its bit-level emulation costs some eight operations a vector.
     */
    private static float dotF16(MemorySegment seg, long base, float[] x, int xOff, int n) {
        float[] buf = HALF_BUFFER.get();
        float sum = 0f;
        for (int c = 0; c < n; c += HALF_CHUNK) {
            int len = Math.min(HALF_CHUNK, n - c);
            halvesToFloats(seg, base + 2L * c, buf, 0, len);
            sum += dotFloats(buf, 0, x, xOff + c, len);
        }
        return sum;
    }

    /**
     * n F16 values from {@code at} into {@code out}: a plain loop of {@link Float#float16ToFloat}, which C2
     * vectorizes with the hardware conversion (kept scalar-shaped on purpose: that is what it recognises).
     */
    static void halvesToFloats(MemorySegment seg, long at, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, at + 2L * i));
    }

    static final int HALF_CHUNK = 1024;
    /** Scratch for lane-ordered sums of an accumulator (see {@link VectorMath#sum(float[])}). */
    static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);
    private static final ThreadLocal<float[]> HALF_BUFFER = ThreadLocal.withInitial(() -> new float[HALF_CHUNK]);

    private static float dotElements(DType type, MemorySegment seg, long base, float[] x, int xOff, int n) {
        int bytes = type.bytesPerBlock();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            long at = base + (long) i * bytes;
            acc0 = VectorDecoders.elements(type, seg, at).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = VectorDecoders.elements(type, seg, at + (long) L * bytes).fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
        }
        for (; i <= n - L; i += L) {
            acc0 = VectorDecoders.elements(type, seg, base + (long) i * bytes).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = VectorMath.sum(acc0.add(acc1));
        for (; i < n; i++) sum += VectorDecoders.element(type, seg, base + (long) i * bytes) * x[xOff + i];
        return sum;
    }

    private static final VectorSpecies<Byte> NIBBLES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);

    /**
     * Q4_0 at 16 lanes: one 16-byte load per block serves both halves (low nibbles are elements 0-15, high
     * nibbles 16-31), where the shared block loop loads it twice, widened once to int lanes: x86 has no byte
     * shifts, and the JIT emulates each with several instructions (the nibbles split in bytes ran at half the
     * speed).
     */
    private static float dotQ4_0(MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18;
            int xb = xOff + b * BLOCK;
            IntVector w = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            FloatVector lo = (FloatVector) w.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) w.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector qx = hi.fma(FloatVector.fromArray(F, x, xb + 16), lo.mul(FloatVector.fromArray(F, x, xb)));
            acc = qx.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block)), acc);
        }
        return VectorMath.sum(acc);
    }

    /** Σ over blocks of d · (q · x): the quants are dotted with x in float lanes, then scaled once per block. */
    private static float dotBlocks(DType type, MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        int bytes = type.bytesPerBlock();
        int groups = BLOCK / L;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * bytes;
            int xb = xOff + b * BLOCK;
            FloatVector qx = VectorDecoders.blockQuants(type, seg, block, 0).mul(FloatVector.fromArray(F, x, xb));
            for (int c = 1; c < groups; c++) {
                qx = VectorDecoders.blockQuants(type, seg, block, c).fma(FloatVector.fromArray(F, x, xb + c * L), qx);
            }
            acc = qx.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block)), acc);
        }
        return VectorMath.sum(acc);
    }

    /** Σ over blocks of d · (q · x) + m · Σx, for q4_1, q5_0 and q5_1 (whose m is 0). */
    private static float dotNibbleBlocks(DType type, MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        int bytes = type.bytesPerBlock();
        int groups = BLOCK / L;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * bytes;
            int xb = xOff + b * BLOCK;
            FloatVector sx = FloatVector.fromArray(F, x, xb);
            FloatVector qx = VectorDecoders.nibbleQuants(type, seg, block, 0).mul(sx);
            for (int c = 1; c < groups; c++) {
                FloatVector xv = FloatVector.fromArray(F, x, xb + c * L);
                qx = VectorDecoders.nibbleQuants(type, seg, block, c).fma(xv, qx);
                sx = sx.add(xv);
            }
            acc = qx.fma(FloatVector.broadcast(F, VectorDecoders.blockScale(seg, block)), acc);
            acc = sx.fma(FloatVector.broadcast(F, VectorDecoders.blockMin(type, seg, block)), acc);
        }
        return VectorMath.sum(acc);
    }

    /**
     * Σ over the sub-blocks of the k-quant super-blocks of scale · (q · x) − min · Σx: the quants are dotted
     * with x in float lanes, then scaled and offset once per sub-block. One loop per type, each calling its own
     * decoder: a loop shared by the three types through a decoder switch grew past what C2 inlines, and every
     * vector crossing the calls left was boxed (Q4_K decoded at 0.5 GB/s, allocating 100 GB per benchmark).
     */
    private static float dotSuperBlocks(DType type, MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        return switch (type) {
            case Q4_K -> L == 16 ? dotQ4K16(seg, base, x, xOff, inputSums(x, xOff, blocks * QK_K, 32), blocks)
                    : dotQ4K(seg, base, x, xOff, blocks);
            case Q5_K -> L == 16 ? dotQ5K16(seg, base, x, xOff, inputSums(x, xOff, blocks * QK_K, 32), blocks)
                    : dotQ5K(seg, base, x, xOff, blocks);
            case Q6_K -> L == 16 ? dotQ6K16(seg, base, x, xOff, inputSums(x, xOff, blocks * QK_K, 16), blocks)
                    : dotQ6K(seg, base, x, xOff, blocks);
            default -> throw VectorDecoders.unsupported(type);
        };
    }

    private static float dotQ4K(MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 144;
            for (int s = 0; s < QK_K / 32; s++) {
                int xs = xOff + b * QK_K + s * 32;
                FloatVector qx = FloatVector.zero(F), sx = qx;
                for (int e = 0; e < 32; e += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xs + e);
                    qx = VectorDecoders.superFloats(VectorDecoders.q4K(seg, block, s * 32 + e), s * 32 + e).fma(xv, qx);
                    sx = sx.add(xv);
                }
                acc = qx.fma(FloatVector.broadcast(F, VectorDecoders.subScale(DType.Q4_K, seg, block, s)), acc);
                acc = sx.fma(FloatVector.broadcast(F, -VectorDecoders.subMin(DType.Q4_K, seg, block, s)), acc);
            }
        }
        return VectorMath.sum(acc);
    }

    /**
     * Q4_K at 16 lanes, a super-block per step: its eight 6-bit scales and mins are unpacked once into floats
     * d · scale (read below as broadcasts from memory), and the mins' term Σ dmin · min · Σx is summed apart from
     * the input's 32-element sums {@code xs} ({@link #runSums}), so the main loop is only the quants' products.
     * Then four 64-element groups (two sub-blocks sharing 32 bytes of nibbles; a 16-byte load serves a low-nibble
     * and a high-nibble sub-block half), their addresses advancing by constants (the flat loop over groups it
     * replaces, shared with Q5_K, recomputed every address from the group's index and unpacked scales per group).
     */
    private static float dotQ4K16(MemorySegment seg, long base, float[] x, int xOff, float[] xs, int blocks) {
        float[] sc = SCALES.get();
        FloatVector acc = FloatVector.zero(F), off = acc;
        long block = base;
        int xl = xOff;
        for (int b = 0; b < blocks; b++, block += 144) {
            // lanes 0-7 the sub-blocks' d · scale, lanes 8-15 their dmin · min (see K_SCALE_LOW and its kin)
            IntVector packed = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 4, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector six = packed.rearrange(K_SCALE_LOW).lanewise(VectorOperators.LSHR, K_SCALE_SHIFT).and(K_SCALE_MASK)
                    .or(packed.rearrange(K_SCALE_HIGH).lanewise(VectorOperators.LSHR, 6).and(K_SCALE_HIGH_MASK)
                            .lanewise(VectorOperators.LSHL, 4));
            FloatVector factors = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block)))
                    .blend(Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block + 2)), K_MIN_LANES);
            FloatVector scaled = ((FloatVector) six.convert(VectorOperators.I2F, 0)).mul(factors);
            scaled.intoArray(sc, 0);
            // Σ dmin · min · Σx over the eight sub-blocks: the mins moved to lanes 0-7 against the input's sums
            off = scaled.rearrange(SWAP_HALVES).fma(FloatVector.fromArray(F, xs, 8 * b, LOW_HALF), off);
            for (int j = 0; j < 4; j++, xl += 64) {
                long at = block + 16 + 32L * j;
                // one widening serves both nibbles of a byte
                IntVector p0 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, at, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                IntVector p1 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, at + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                FloatVector lo = ((FloatVector) p1.and(0x0F).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, x, xl + 16),
                                ((FloatVector) p0.and(0x0F).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xl)));
                FloatVector hi = ((FloatVector) p1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, x, xl + 48),
                                ((FloatVector) p0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                                        .mul(FloatVector.fromArray(F, x, xl + 32)));
                acc = lo.fma(FloatVector.broadcast(F, sc[2 * j]), acc);
                acc = hi.fma(FloatVector.broadcast(F, sc[2 * j + 1]), acc);
            }
        }
        float[] lanes = LANES.get(); // in lane order (reduceLanes differs between JIT tiers), not boxed through a call
        acc.sub(off).intoArray(lanes, 0);
        return VectorMath.sum(lanes);
    }

    /**
     * Q5_K at 16 lanes: {@link #dotQ4K16} with each group's fifth bits from the super-block's 32 qh bytes. The scale
     * unpacking is written out in both kernels on purpose: as a shared helper (arrays in, nothing boxed) both ran
     * at 0.83–0.86× from memory, the same in cache (in-JVM A/B).
     */
    private static float dotQ5K16(MemorySegment seg, long base, float[] x, int xOff, float[] xs, int blocks) {
        float[] sc = SCALES.get();
        FloatVector acc = FloatVector.zero(F), off = acc;
        long block = base;
        int xl = xOff;
        for (int b = 0; b < blocks; b++, block += 176) {
            // lanes 0-7 the sub-blocks' d · scale, lanes 8-15 their dmin · min (see K_SCALE_LOW and its kin)
            IntVector packed = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 4, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector six = packed.rearrange(K_SCALE_LOW).lanewise(VectorOperators.LSHR, K_SCALE_SHIFT).and(K_SCALE_MASK)
                    .or(packed.rearrange(K_SCALE_HIGH).lanewise(VectorOperators.LSHR, 6).and(K_SCALE_HIGH_MASK)
                            .lanewise(VectorOperators.LSHL, 4));
            FloatVector factors = FloatVector.broadcast(F, Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block)))
                    .blend(Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block + 2)), K_MIN_LANES);
            FloatVector scaled = ((FloatVector) six.convert(VectorOperators.I2F, 0)).mul(factors);
            scaled.intoArray(sc, 0);
            // Σ dmin · min · Σx over the eight sub-blocks: the mins moved to lanes 0-7 against the input's sums
            off = scaled.rearrange(SWAP_HALVES).fma(FloatVector.fromArray(F, xs, 8 * b, LOW_HALF), off);
            for (int j = 0; j < 4; j++, xl += 64) {
                long at = block + 48 + 32L * j;
                // one widening serves both nibbles of a byte
                IntVector p0 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, at, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                IntVector p1 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, at + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                // bit 2j of each of the 32 qh bytes is the fifth bit of the low-nibble sub-block's element, bit 2j + 1
                // the high one's (elements 0-15 in the first 16 bytes, 16-31 in the next)
                IntVector f0 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                IntVector f1 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                IntVector l0 = p0.and(0x0F).or(f0.lanewise(VectorOperators.LSHR, 2 * j).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector l1 = p1.and(0x0F).or(f1.lanewise(VectorOperators.LSHR, 2 * j).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector h0 = p0.lanewise(VectorOperators.LSHR, 4)
                        .or(f0.lanewise(VectorOperators.LSHR, 2 * j + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector h1 = p1.lanewise(VectorOperators.LSHR, 4)
                        .or(f1.lanewise(VectorOperators.LSHR, 2 * j + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                FloatVector lo = ((FloatVector) l1.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xl + 16),
                        ((FloatVector) l0.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xl)));
                FloatVector hi = ((FloatVector) h1.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xl + 48),
                        ((FloatVector) h0.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xl + 32)));
                acc = lo.fma(FloatVector.broadcast(F, sc[2 * j]), acc);
                acc = hi.fma(FloatVector.broadcast(F, sc[2 * j + 1]), acc);
            }
        }
        float[] lanes = LANES.get(); // in lane order (reduceLanes differs between JIT tiers), not boxed through a call
        acc.sub(off).intoArray(lanes, 0);
        return VectorMath.sum(lanes);
    }

    /*
     * Unpacking a Q4_K super-block's twelve scale bytes (widened to int lanes 0-15) into its eight 6-bit scales
     * (lanes 0-7) and mins (lanes 8-15) in one pass, as ScalarTensorOps.kScale/kMin read them: lane o takes the low
     * bits of byte K_SCALE_LOW[o] shifted right by K_SCALE_SHIFT[o], masked by K_SCALE_MASK[o], or'ed with the top
     * two bits of byte K_SCALE_HIGH[o] as bits 4-5 where sub-block 4-7 has them (K_SCALE_HIGH_MASK 3, else 0).
     */
    private static final VectorShuffle<Integer> K_SCALE_LOW, K_SCALE_HIGH;
    private static final IntVector K_SCALE_SHIFT, K_SCALE_MASK, K_SCALE_HIGH_MASK;
    private static final VectorMask<Float> K_MIN_LANES, LOW_HALF;
    private static final VectorShuffle<Float> SWAP_HALVES;

    static {
        int n = INTS.length();
        int[] low = new int[n], high = new int[n], shift = new int[n], mask = new int[n], highMask = new int[n];
        boolean[] mins = new boolean[n], lowHalf = new boolean[n];
        for (int o = 0; o < (n == 16 ? n : 0); o++) { // the kernel runs at 16 lanes only
            int j = o & 7;
            boolean min = o >= 8;
            mins[o] = min;
            lowHalf[o] = o < 8;
            if (j < 4) {
                low[o] = min ? j + 4 : j;
                mask[o] = 63;
            } else {
                low[o] = j + 4;
                shift[o] = min ? 4 : 0;
                mask[o] = 0x0F;
                high[o] = min ? j : j - 4;
                highMask[o] = 3;
            }
        }
        K_SCALE_LOW = VectorShuffle.fromArray(INTS, low, 0);
        K_SCALE_HIGH = VectorShuffle.fromArray(INTS, high, 0);
        K_SCALE_SHIFT = IntVector.fromArray(INTS, shift, 0);
        K_SCALE_MASK = IntVector.fromArray(INTS, mask, 0);
        K_SCALE_HIGH_MASK = IntVector.fromArray(INTS, highMask, 0);
        K_MIN_LANES = VectorMask.fromArray(F, mins, 0);
        LOW_HALF = VectorMask.fromArray(F, lowHalf, 0);
        SWAP_HALVES = VectorShuffle.fromOp(F, i -> (i + L / 2) % L);
    }

    /**
     * Q6_K at 16 lanes, in the order ggml's dequantize_row_q6_K walks a half super-block: three 16-byte loads
     * (two of low nibbles, one of high bit pairs) make four 16-element sub-blocks, each with its own int8 scale.
     * A super-block per step: its sixteen scales become floats d · scale with one vector (instead of a scalar
     * conversion and a broadcast per sub-block), read below as broadcasts from memory, and the quants' offset of 32
     * folds into 32 · Σ d · scale · Σx over the sub-blocks, from the input's 16-element sums {@code xs} (made once
     * per input: {@link #runSums}), so the inner loops multiply stored quants. Those loops (2 halves × 2 quarters,
     * addresses advancing by constants) stay within what C2 inlines; the flat loop over quarters they replace
     * recomputed every address from the quarter's index, and that scalar work competed with the vector work.
     */
    private static float dotQ6K16(MemorySegment seg, long base, float[] x, int xOff, float[] xs, int blocks) {
        float[] sc = SCALES.get();
        FloatVector acc = FloatVector.zero(F), off = acc;
        long block = base;
        int xl = xOff;
        for (int b = 0; b < blocks; b++, block += 210) {
            // the sixteen sub-block scales d · scale as floats, read below as broadcasts from memory
            float d = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block + 208));
            FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 192, LE)
                    .convertShape(VectorOperators.B2I, INTS, 0).convert(VectorOperators.I2F, 0)).mul(d);
            scales.intoArray(sc, 0);
            off = scales.fma(FloatVector.fromArray(F, xs, 16 * b), off);
            // each half super-block (128 elements: two 32-byte runs of low nibbles, one of high bit pairs) in two
            // quarters; the addresses advance by constants
            for (int h = 0; h < 2; h++, xl += 128) {
                long ql = block + (h << 6), qh = block + 128 + (h << 5);
                for (int lh = 0; lh < 2; lh++) {
                    // bytes widened to int lanes first (x86 has no byte shifts)
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, ql + 16 * lh, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, ql + 16 * lh + 32, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                    IntVector hv = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, qh + 16 * lh, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                    IntVector q1 = a.and(0x0F).or(hv.and(3).lanewise(VectorOperators.LSHL, 4));
                    IntVector q2 = c.and(0x0F).or(hv.and(0x0C).lanewise(VectorOperators.LSHL, 2));
                    IntVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hv.and(0x30));
                    IntVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(hv.lanewise(VectorOperators.LSHR, 2).and(0x30));
                    // q · x for each of the four sub-blocks (sub-block 8h + lh + 2k, scale at the same index)
                    int xq = xl + 16 * lh, sq = 8 * h + lh;
                    FloatVector s1 = ((FloatVector) q1.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xq));
                    FloatVector s2 = ((FloatVector) q2.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xq + 32));
                    FloatVector s3 = ((FloatVector) q3.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xq + 64));
                    FloatVector s4 = ((FloatVector) q4.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xq + 96));
                    FloatVector q = s1.mul(sc[sq]).add(s2.mul(sc[sq + 2]));
                    q = s3.fma(FloatVector.broadcast(F, sc[sq + 4]), q);
                    acc = s4.fma(FloatVector.broadcast(F, sc[sq + 6]), q.add(acc));
                }
            }
        }
        float[] lanes = LANES.get(); // in lane order (reduceLanes differs between JIT tiers), not boxed through a call
        acc.sub(off.mul(32f)).intoArray(lanes, 0);
        return VectorMath.sum(lanes);
    }

    /** Per-thread scales of one super-block as floats (see {@link #dotQ6K16}). */
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[L]);
    /** Per-thread sums of runs of an input, for {@link #dotRow} (a product of many rows makes them once). */
    private static final ThreadLocal<float[]> RUN_SUMS = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * The elements of x summed in runs of {@code size} ({@code n / size} sums into {@code out}, which grows as needed
     * and is returned), each run in order: the same bits in every JIT tier, so that a product of many rows, which
     * sums its input once, equals {@link #dotRow} row by row.
     */
    static float[] runSums(float[] x, int xOff, int n, int size, float[] out) {
        int runs = n / size;
        if (out.length < runs) out = new float[runs];
        for (int r = 0, i = xOff; r < runs; r++) {
            float s = 0f;
            for (int j = 0; j < size; j++) s += x[i++];
            out[r] = s;
        }
        return out;
    }

    /** Elements per run of the input sums a 16-lane kernel of this type folds its offsets with, or 0 for none. */
    static int sumRun(DType type) {
        if (L != 16) return 0;
        return switch (type) {
            case Q6_K -> 16;
            case Q4_K, Q5_K -> 32;
            default -> 0;
        };
    }

    /** One row's product with x given x's {@link #runSums} of {@link #sumRun} elements. */
    static float dotRowWithSums(Tensor w, int row, float[] x, int xOff, float[] xs) {
        MemorySegment seg = w.data();
        long base = row * w.rowBytes();
        return switch (w.type()) {
            case Q6_K -> dotQ6K16(seg, base, x, xOff, xs, w.cols() / QK_K);
            case Q4_K -> dotQ4K16(seg, base, x, xOff, xs, w.cols() / QK_K);
            case Q5_K -> dotQ5K16(seg, base, x, xOff, xs, w.cols() / QK_K);
            default -> throw VectorDecoders.unsupported(w.type());
        };
    }

    /** Where a Q4_K or Q5_K super-block's nibbles start: Q5_K's after its 32 bytes of fifth bits. */
    private static int kNibbles(DType type) {
        return type == DType.Q5_K ? 48 : 16;
    }

    /** Where a Q5_K super-block's fifth bits start (after d, dmin and the 12 scale bytes); −1 for Q4_K, which has none. */
    private static int kFifthBits(DType type) {
        return type == DType.Q5_K ? 16 : -1;
    }

    /** The 6-bit scale of sub-block j from the 12 packed bytes (bytes 0-7 in lo8, 8-11 in hi4). */
    private static int kScale(long lo8, int hi4, int j) {
        return j < 4 ? (int) (lo8 >>> 8 * j) & 63
                : (hi4 >>> 8 * (j - 4)) & 0x0F | ((int) (lo8 >>> 8 * (j - 4)) & 0xFF) >> 6 << 4;
    }

    /** The 6-bit min of sub-block j, packed as {@link #kScale} reads it. */
    private static int kMin(long lo8, int hi4, int j) {
        return j < 4 ? (int) (lo8 >>> 8 * (j + 4)) & 63
                : (hi4 >>> 8 * (j - 4) & 0xFF) >> 4 | ((int) (lo8 >>> 8 * j) & 0xFF) >> 6 << 4;
    }

    private static float dotQ5K(MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 176;
            for (int s = 0; s < QK_K / 32; s++) {
                int xs = xOff + b * QK_K + s * 32;
                FloatVector qx = FloatVector.zero(F), sx = qx;
                for (int e = 0; e < 32; e += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, xs + e);
                    qx = VectorDecoders.superFloats(VectorDecoders.q5K(seg, block, s * 32 + e), s * 32 + e).fma(xv, qx);
                    sx = sx.add(xv);
                }
                acc = qx.fma(FloatVector.broadcast(F, VectorDecoders.subScale(DType.Q5_K, seg, block, s)), acc);
                acc = sx.fma(FloatVector.broadcast(F, -VectorDecoders.subMin(DType.Q5_K, seg, block, s)), acc);
            }
        }
        return VectorMath.sum(acc);
    }

    private static float dotQ6K(MemorySegment seg, long base, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 210;
            for (int s = 0; s < QK_K / 16; s++) {
                int xs = xOff + b * QK_K + s * 16;
                FloatVector qx = FloatVector.zero(F);
                for (int e = 0; e < 16; e += L) {
                    qx = VectorDecoders.superFloats(VectorDecoders.q6K(seg, block, s * 16 + e), s * 16 + e)
                            .fma(FloatVector.fromArray(F, x, xs + e), qx);
                }
                acc = qx.fma(FloatVector.broadcast(F, VectorDecoders.subScale(DType.Q6_K, seg, block, s)), acc);
            }
        }
        return VectorMath.sum(acc);
    }

    @Override
    public void dequantizeRow(Tensor w, int row, float[] out, int outOff) {
        MemorySegment seg = w.data();
        long base = row * w.rowBytes();
        int cols = w.cols();
        DType type = w.type();
        switch (type) {
            case F16 -> halvesToFloats(seg, base, out, outOff, cols);
            case F32, BF16 -> decodeElements(type, seg, base, out, outOff, cols);
            case Q4_0 -> {
                if (L == 16) {
                    decodeQ4_0(seg, base, out, outOff, cols / BLOCK);
                } else {
                    decodeBlocks(type, seg, base, out, outOff, cols / BLOCK);
                }
            }
            case Q8_0 -> decodeBlocks(type, seg, base, out, outOff, cols / BLOCK);
            case Q4_1, Q5_0, Q5_1 -> decodeNibbleBlocks(type, seg, base, out, outOff, cols / BLOCK);
            case Q4_K, Q5_K, Q6_K -> decodeSuperBlocks(type, seg, base, out, outOff, cols / QK_K);
            default -> throw new UnsupportedOperationException("no kernel for tensor type " + type + " (" + w + ")");
        }
    }

    /*
     * The 16-lane decoders below unpack the quants as dotQ4_0, dotQ4K16 and dotQ6K16 do (int lanes, one flat loop,
     * no helper calls; see there), and round as the scalar decoder: (scale · q) − min with scale and min formed
     * in float first, so that a batched product sees exactly the weights a row-by-row one does. The unpacking is
     * written twice on purpose: a shared helper returning vectors is a call C2 leaves in these large loops (and
     * boxes every vector through), and dot products taken as decode-into-a-buffer then dot ran 1.6-1.75x slower
     * than the fused kernels (JMH dotRows 4096, Q4_K and Q6_K, 2026-11-29).
     */

    private static void decodeQ4_0(MemorySegment seg, long base, float[] out, int outOff, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * 18;
            float d = VectorDecoders.blockScale(seg, block);
            IntVector w = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            int o = outOff + b * BLOCK;
            ((FloatVector) w.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(out, o);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                    .intoArray(out, o + 16);
        }
    }

    private static void decodeK16(DType type, MemorySegment seg, long base, float[] out, int outOff, int blocks) {
        int bytes = type.bytesPerBlock(), qs = kNibbles(type), qh = kFifthBits(type);
        for (int g = 0; g < 4 * blocks; g++) {
            int b = g >> 2, j = g & 3;
            long block = base + (long) b * bytes;
            float d = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block));
            float dmin = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block + 2));
            long lo8 = seg.get(ScalarTensorOps.I64, block + 4);
            int hi4 = seg.get(ScalarTensorOps.I32, block + 12);
            int s0 = 2 * j, s1 = 2 * j + 1;
            long at = block + qs + 32L * j;
            IntVector p0 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, at, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector p1 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, at + 16, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector l0 = p0.and(0x0F), l1 = p1.and(0x0F);
            IntVector h0 = p0.lanewise(VectorOperators.LSHR, 4), h1 = p1.lanewise(VectorOperators.LSHR, 4);
            if (qh >= 0) {
                IntVector f0 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + qh, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                IntVector f1 = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, block + qh + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
                l0 = l0.or(f0.lanewise(VectorOperators.LSHR, s0).and(1).lanewise(VectorOperators.LSHL, 4));
                l1 = l1.or(f1.lanewise(VectorOperators.LSHR, s0).and(1).lanewise(VectorOperators.LSHL, 4));
                h0 = h0.or(f0.lanewise(VectorOperators.LSHR, s1).and(1).lanewise(VectorOperators.LSHL, 4));
                h1 = h1.or(f1.lanewise(VectorOperators.LSHR, s1).and(1).lanewise(VectorOperators.LSHL, 4));
            }
            float sc0 = d * kScale(lo8, hi4, s0), m0 = dmin * kMin(lo8, hi4, s0);
            float sc1 = d * kScale(lo8, hi4, s1), m1 = dmin * kMin(lo8, hi4, s1);
            int o = outOff + b * QK_K + 64 * j;
            ((FloatVector) l0.convert(VectorOperators.I2F, 0)).mul(sc0).sub(m0).intoArray(out, o);
            ((FloatVector) l1.convert(VectorOperators.I2F, 0)).mul(sc0).sub(m0).intoArray(out, o + 16);
            ((FloatVector) h0.convert(VectorOperators.I2F, 0)).mul(sc1).sub(m1).intoArray(out, o + 32);
            ((FloatVector) h1.convert(VectorOperators.I2F, 0)).mul(sc1).sub(m1).intoArray(out, o + 48);
        }
    }

    /** Q6_K's min is 0, and x − 0 is x for every float (−0 included): the products are stored as they are. */
    private static void decodeQ6K16(MemorySegment seg, long base, float[] out, int outOff, int blocks) {
        for (int g = 0; g < 4 * blocks; g++) {
            int b = g >> 2, h = (g >> 1) & 1, lh = g & 1;
            long block = base + (long) b * 210;
            float d = Float.float16ToFloat(seg.get(ScalarTensorOps.I16, block + 208));
            long scales = seg.get(ScalarTensorOps.I64, block + 192 + 8L * h);
            long ql = block + 64L * h + 16 * lh;
            long qh = block + 128 + 32L * h + 16 * lh;
            IntVector a = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, ql, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector c = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, ql + 32, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector hv = (IntVector) ByteVector.fromMemorySegment(NIBBLES, seg, qh, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
            IntVector q1 = a.and(0x0F).or(hv.and(3).lanewise(VectorOperators.LSHL, 4));
            IntVector q2 = c.and(0x0F).or(hv.and(0x0C).lanewise(VectorOperators.LSHL, 2));
            IntVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hv.and(0x30));
            IntVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(hv.lanewise(VectorOperators.LSHR, 2).and(0x30));
            int o = outOff + b * QK_K + 128 * h + 16 * lh;
            ((FloatVector) q1.sub(32).convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales >>> 8 * lh))
                    .intoArray(out, o);
            ((FloatVector) q2.sub(32).convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales >>> 8 * (lh + 2)))
                    .intoArray(out, o + 32);
            ((FloatVector) q3.sub(32).convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales >>> 8 * (lh + 4)))
                    .intoArray(out, o + 64);
            ((FloatVector) q4.sub(32).convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales >>> 8 * (lh + 6)))
                    .intoArray(out, o + 96);
        }
    }

    private static void decodeElements(DType type, MemorySegment seg, long base, float[] out, int outOff, int n) {
        int bytes = type.bytesPerBlock();
        int i = 0;
        for (; i <= n - L; i += L) VectorDecoders.elements(type, seg, base + (long) i * bytes).intoArray(out, outOff + i);
        for (; i < n; i++) out[outOff + i] = VectorDecoders.element(type, seg, base + (long) i * bytes);
    }

    private static void decodeBlocks(DType type, MemorySegment seg, long base, float[] out, int outOff, int blocks) {
        int bytes = type.bytesPerBlock();
        int groups = BLOCK / L;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * bytes;
            float d = VectorDecoders.blockScale(seg, block);
            for (int c = 0; c < groups; c++) VectorDecoders.blockQuants(type, seg, block, c).mul(d).intoArray(out, outOff + b * BLOCK + c * L);
        }
    }

    /**
     * q · d + m per element for q4_1 and q5_1, q · d for q5_0 (adding its m of 0 would turn −0 into +0),
     * rounded as the scalar decoder rounds.
     */
    private static void decodeNibbleBlocks(DType type, MemorySegment seg, long base, float[] out, int outOff, int blocks) {
        int bytes = type.bytesPerBlock();
        boolean affine = type != DType.Q5_0;
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * bytes;
            float d = VectorDecoders.blockScale(seg, block);
            float m = VectorDecoders.blockMin(type, seg, block);
            for (int c = 0; c < BLOCK / L; c++) {
                FloatVector v = VectorDecoders.nibbleQuants(type, seg, block, c).mul(d);
                (affine ? v.add(m) : v).intoArray(out, outOff + b * BLOCK + c * L);
            }
        }
    }

    /** (scale · q) − min per element, rounded twice as the scalar decoder rounds; at 16 lanes, the decoders above. */
    private static void decodeSuperBlocks(DType type, MemorySegment seg, long base, float[] out, int outOff, int blocks) {
        if (L == 16) {
            if (type == DType.Q6_K) {
                decodeQ6K16(seg, base, out, outOff, blocks);
            } else {
                decodeK16(type, seg, base, out, outOff, blocks);
            }
            return;
        }
        int bytes = type.bytesPerBlock();
        int sub = VectorDecoders.subBlockSize(type);
        for (int b = 0; b < blocks; b++) {
            long block = base + (long) b * bytes;
            for (int s = 0; s < QK_K / sub; s++) {
                float scale = VectorDecoders.subScale(type, seg, block, s);
                float min = VectorDecoders.subMin(type, seg, block, s);
                int at = outOff + b * QK_K + s * sub;
                for (int e = 0; e < sub; e += L) {
                    VectorDecoders.superQuants(type, seg, block, s * sub + e).mul(scale).sub(min).intoArray(out, at + e);
                }
            }
        }
    }

    @Override
    public void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        // squares are rounded to float, then summed in double, as ggml_compute_forward_rms_norm_f32 does
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            acc = acc.add(widenedSum(v.mul(v)));
        }
        double sum = VectorMath.sum(acc);
        for (; i < n; i++) sum += (double) (x[xOff + i] * x[xOff + i]);
        float mean = (float) (sum / n);
        float scale = (float) (1.0 / Math.sqrt(mean + eps));
        for (i = 0; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i).mul(scale);
            v.mul(FloatVector.fromArray(F, weight, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = (x[xOff + i] * scale) * weight[i];
    }

    @Override
    public void layernorm(float[] out, int outOff, float[] x, int xOff, float[] weight, float[] bias, int n, float eps) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i <= n - L; i += L) acc = acc.add(widenedSum(FloatVector.fromArray(F, x, xOff + i)));
        double sum = VectorMath.sum(acc);
        for (; i < n; i++) sum += x[xOff + i];
        float mean = (float) (sum / n);
        DoubleVector sqAcc = DoubleVector.zero(D);
        for (i = 0; i <= n - L; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, xOff + i).sub(mean);
            sqAcc = sqAcc.add(widenedSum(d.mul(d)));
        }
        double sq = VectorMath.sum(sqAcc);
        for (; i < n; i++) {
            float d = x[xOff + i] - mean;
            sq += (double) (d * d);
        }
        float scale = (float) (1.0 / Math.sqrt((float) (sq / n) + eps));
        for (i = 0; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i).sub(mean).mul(scale);
            v.mul(FloatVector.fromArray(F, weight, i)).add(FloatVector.fromArray(F, bias, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = (x[xOff + i] - mean) * scale * weight[i] + bias[i];
    }

    /** The lanes of {@code v} widened to double, two halves added: an exact, order-free partial sum. */
    private static DoubleVector widenedSum(FloatVector v) {
        DoubleVector lo = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
        DoubleVector hi = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
        return lo.add(hi);
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        FloatVector maxLanes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) maxLanes = maxLanes.max(FloatVector.fromArray(F, x, off + i));
        float max = maxLanes.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, x[off + i]);

        double sum = VectorMath.expShiftedSum(x, off, n, max);
        scale(x, off, n, (float) (1.0 / sum));
    }

    @Override
    public void rope(float[] x, int off, int nDims, float[] cos, float[] sin, RopeMode mode) {
        int half = nDims / 2;
        int i = 0;
        if (mode == RopeMode.NORMAL) {
            // L/2 adjacent pairs per step; each pair's cos and sin are gathered into both of its lanes
            for (; i <= half - L / 2; i += L / 2) {
                FloatVector v = FloatVector.fromArray(F, x, off + 2 * i);
                FloatVector c = FloatVector.fromArray(F, cos, i, PAIR_OF_LANE, 0);
                FloatVector s = FloatVector.fromArray(F, sin, i, PAIR_OF_LANE, 0).mul(PAIR_SIGNS);
                v.mul(c).add(v.rearrange(SWAP_PAIRS).mul(s)).intoArray(x, off + 2 * i);
            }
        } else {
            for (; i <= half - L; i += L) {
                FloatVector x0 = FloatVector.fromArray(F, x, off + i);
                FloatVector x1 = FloatVector.fromArray(F, x, off + half + i);
                FloatVector c = FloatVector.fromArray(F, cos, i);
                FloatVector s = FloatVector.fromArray(F, sin, i);
                x0.mul(c).sub(x1.mul(s)).intoArray(x, off + i);
                x0.mul(s).add(x1.mul(c)).intoArray(x, off + half + i);
            }
        }
        ScalarTensorOps.ropePairs(x, off, nDims, cos, sin, mode, i);
    }

    @Override
    public void silu(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            v.div(VectorMath.exp(v.neg()).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = x[off + i] / (VectorMath.exp(-x[off + i]) + 1f);
    }

    @Override
    public void gelu(float[] x, int off, int n) {
        // 0.5·x·(1 + tanh(u)) = x·σ(2u) = x / (1 + e^(−2u)), without tanh's cancellation for negative x
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            FloatVector u2 = v.mul(v).mul(0.044715f).mul(v).add(v).mul(-2f * ScalarTensorOps.GELU_K);
            v.div(VectorMath.exp(u2).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            x[off + i] = v / (VectorMath.exp((v * v * 0.044715f * v + v) * (-2f * ScalarTensorOps.GELU_K)) + 1f);
        }
    }

    @Override
    public void mul(float[] a, float[] b, int n) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(a, i);
        for (; i < n; i++) a[i] *= b[i];
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector ax = FloatVector.fromArray(F, x, xOff + i).mul(alpha);
            FloatVector.fromArray(F, y, yOff + i).add(ax).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** Lanes over the outputs j, four vectors (64 positions at 512 bits) per pass so that each x[i] is broadcast once for four. */
    @Override
    public void dotColumns(float[] x, int xOff, float[] m, int mOff, int stride, int k, int n, float scale, float[] out,
            int outOff) {
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < k; i++) {
                FloatVector xi = FloatVector.broadcast(F, x[xOff + i]);
                int at = mOff + i * stride + j;
                a0 = FloatVector.fromArray(F, m, at).fma(xi, a0);
                a1 = FloatVector.fromArray(F, m, at + L).fma(xi, a1);
                a2 = FloatVector.fromArray(F, m, at + 2 * L).fma(xi, a2);
                a3 = FloatVector.fromArray(F, m, at + 3 * L).fma(xi, a3);
            }
            a0.mul(scale).intoArray(out, outOff + j);
            a1.mul(scale).intoArray(out, outOff + j + L);
            a2.mul(scale).intoArray(out, outOff + j + 2 * L);
            a3.mul(scale).intoArray(out, outOff + j + 3 * L);
        }
        for (; j + L <= n; j += L) {
            FloatVector a = FloatVector.zero(F);
            for (int i = 0; i < k; i++) a = FloatVector.fromArray(F, m, mOff + i * stride + j).fma(FloatVector.broadcast(F, x[xOff + i]), a);
            a.mul(scale).intoArray(out, outOff + j);
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int i = 0; i < k; i++) s = Math.fma(x[xOff + i], m[mOff + i * stride + j], s);
            out[outOff + j] = s * scale;
        }
    }

    /** Lanes over the outputs i, accumulated in registers across all n rows (no store per row). */
    @Override
    public void sumRows(float[] w, int wOff, int n, float[] m, int mOff, int stride, int k, float[] out, int outOff,
            boolean accumulate) {
        int i = 0;
        for (; i + 4 * L <= k; i += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < n; j++) {
                FloatVector wj = FloatVector.broadcast(F, w[wOff + j]);
                int at = mOff + j * stride + i;
                a0 = FloatVector.fromArray(F, m, at).fma(wj, a0);
                a1 = FloatVector.fromArray(F, m, at + L).fma(wj, a1);
                a2 = FloatVector.fromArray(F, m, at + 2 * L).fma(wj, a2);
                a3 = FloatVector.fromArray(F, m, at + 3 * L).fma(wj, a3);
            }
            store(a0, out, outOff + i, accumulate);
            store(a1, out, outOff + i + L, accumulate);
            store(a2, out, outOff + i + 2 * L, accumulate);
            store(a3, out, outOff + i + 3 * L, accumulate);
        }
        for (; i + L <= k; i += L) {
            FloatVector a = FloatVector.zero(F);
            for (int j = 0; j < n; j++) a = FloatVector.fromArray(F, m, mOff + j * stride + i).fma(FloatVector.broadcast(F, w[wOff + j]), a);
            store(a, out, outOff + i, accumulate);
        }
        for (; i < k; i++) {
            float s = 0f;
            for (int j = 0; j < n; j++) s = Math.fma(w[wOff + j], m[mOff + j * stride + i], s);
            out[outOff + i] = accumulate ? out[outOff + i] + s : s;
        }
    }

    /**
     * Up to four queries at a time share each load of m (a key page read once per group of query heads, not once per
     * head); a run of two or three repeats its last query and does not store the repeats, a single query is the
     * single-query kernel. Each score is the same
     * chain of fused multiply-adds over i as in {@link #dotColumns(float[], int, float[], int, int, int, int, float,
     * float[], int)}, so the results are identical.
     */
    @Override
    public void dotColumns(int g, float[] x, int xOff, int xStride, float[] m, int mOff, int stride, int k, int n,
            float scale, float[][] outs, int outFirst, int outOff) {
        for (int q0 = 0; q0 < g; q0 += 4) {
            int c = Math.min(4, g - q0);
            if (c == 1) { // one query (multi-head attention, or a group's last): no repeats to compute
                dotColumns(x, xOff + q0 * xStride, m, mOff, stride, k, n, scale, outs[outFirst + q0], outOff);
                continue;
            }
            int xa = xOff + q0 * xStride, xb = xa + Math.min(1, c - 1) * xStride;
            int xc = xa + Math.min(2, c - 1) * xStride, xd = xa + Math.min(3, c - 1) * xStride;
            float[] oa = outs[outFirst + q0], ob = outs[outFirst + q0 + Math.min(1, c - 1)];
            float[] oc = outs[outFirst + q0 + Math.min(2, c - 1)], od = outs[outFirst + q0 + Math.min(3, c - 1)];
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
                for (int i = 0; i < k; i++) {
                    int at = mOff + i * stride + j;
                    FloatVector m0 = FloatVector.fromArray(F, m, at), m1 = FloatVector.fromArray(F, m, at + L);
                    FloatVector xv = FloatVector.broadcast(F, x[xa + i]);
                    a0 = m0.fma(xv, a0);
                    a1 = m1.fma(xv, a1);
                    xv = FloatVector.broadcast(F, x[xb + i]);
                    b0 = m0.fma(xv, b0);
                    b1 = m1.fma(xv, b1);
                    xv = FloatVector.broadcast(F, x[xc + i]);
                    c0 = m0.fma(xv, c0);
                    c1 = m1.fma(xv, c1);
                    xv = FloatVector.broadcast(F, x[xd + i]);
                    d0 = m0.fma(xv, d0);
                    d1 = m1.fma(xv, d1);
                }
                a0.mul(scale).intoArray(oa, outOff + j);
                a1.mul(scale).intoArray(oa, outOff + j + L);
                if (c > 1) {
                    b0.mul(scale).intoArray(ob, outOff + j);
                    b1.mul(scale).intoArray(ob, outOff + j + L);
                }
                if (c > 2) {
                    c0.mul(scale).intoArray(oc, outOff + j);
                    c1.mul(scale).intoArray(oc, outOff + j + L);
                }
                if (c > 3) {
                    d0.mul(scale).intoArray(od, outOff + j);
                    d1.mul(scale).intoArray(od, outOff + j + L);
                }
            }
            // the rest of the positions (fewer than 2L), one query at a time as the single-query kernel does them
            if (j < n) {
                for (int q = 0; q < c; q++) {
                    dotColumns(x, xa + q * xStride, m, mOff + j, stride, k, n - j, scale, outs[outFirst + q0 + q], outOff + j);
                }
            }
        }
    }

    /**
     * Up to four weight vectors at a time share each load of a row of m (a value page read once per group of query
     * heads); the same chain of fused multiply-adds per output as {@link #sumRows(float[], int, int, float[], int,
     * int, int, float[], int, boolean)}, so the results are identical.
     */
    @Override
    public void sumRows(int g, float[][] ws, int wFirst, int wOff, int n, float[] m, int mOff, int stride, int k,
            float[] out, int outOff, int outStride, boolean accumulate) {
        for (int q0 = 0; q0 < g; q0 += 4) {
            int c = Math.min(4, g - q0);
            if (c == 1) {
                sumRows(ws[wFirst + q0], wOff, n, m, mOff, stride, k, out, outOff + q0 * outStride, accumulate);
                continue;
            }
            float[] wa = ws[wFirst + q0], wb = ws[wFirst + q0 + Math.min(1, c - 1)];
            float[] wc = ws[wFirst + q0 + Math.min(2, c - 1)], wd = ws[wFirst + q0 + Math.min(3, c - 1)];
            int oa = outOff + q0 * outStride, ob = oa + Math.min(1, c - 1) * outStride;
            int oc = oa + Math.min(2, c - 1) * outStride, od = oa + Math.min(3, c - 1) * outStride;
            int i = 0;
            for (; i + 2 * L <= k; i += 2 * L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
                for (int j = 0; j < n; j++) {
                    int at = mOff + j * stride + i;
                    FloatVector m0 = FloatVector.fromArray(F, m, at), m1 = FloatVector.fromArray(F, m, at + L);
                    FloatVector wv = FloatVector.broadcast(F, wa[wOff + j]);
                    a0 = m0.fma(wv, a0);
                    a1 = m1.fma(wv, a1);
                    wv = FloatVector.broadcast(F, wb[wOff + j]);
                    b0 = m0.fma(wv, b0);
                    b1 = m1.fma(wv, b1);
                    wv = FloatVector.broadcast(F, wc[wOff + j]);
                    c0 = m0.fma(wv, c0);
                    c1 = m1.fma(wv, c1);
                    wv = FloatVector.broadcast(F, wd[wOff + j]);
                    d0 = m0.fma(wv, d0);
                    d1 = m1.fma(wv, d1);
                }
                store(a0, out, oa + i, accumulate);
                store(a1, out, oa + i + L, accumulate);
                if (c > 1) {
                    store(b0, out, ob + i, accumulate);
                    store(b1, out, ob + i + L, accumulate);
                }
                if (c > 2) {
                    store(c0, out, oc + i, accumulate);
                    store(c1, out, oc + i + L, accumulate);
                }
                if (c > 3) {
                    store(d0, out, od + i, accumulate);
                    store(d1, out, od + i + L, accumulate);
                }
            }
            if (i < k) {
                for (int q = 0; q < c; q++) {
                    sumRows(ws[wFirst + q0 + q], wOff, n, m, mOff + i, stride, k - i, out, oa + q * outStride + i, accumulate);
                }
            }
        }
    }

    private static void store(FloatVector v, float[] out, int at, boolean accumulate) {
        (accumulate ? v.add(FloatVector.fromArray(F, out, at)) : v).intoArray(out, at);
    }

    @Override
    public void scale(float[] x, int off, int n, float alpha) {
        int i = 0;
        for (; i <= n - L; i += L) FloatVector.fromArray(F, x, off + i).mul(alpha).intoArray(x, off + i);
        for (; i < n; i++) x[off + i] *= alpha;
    }
}
