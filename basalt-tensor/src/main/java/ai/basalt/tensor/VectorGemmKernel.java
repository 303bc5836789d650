package ai.basalt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packing routines and the register-tile micro-kernel of {@link VectorGemm}, after Goto and van de
 * Geijn, "Anatomy of high-performance matrix multiplication" (ACM TOMS 34(3), 2008) and the BLIS
 * micro-kernel of Van Zee and van de Geijn (ACM TOMS 41(3), 2015).
 *
 * <p>A block of op(A) is packed into slivers of {@link #MR} rows, stored k-major ({@code [p][r]}), and a
 * panel of op(B) into slivers of {@link #NR} = {@link #NV} vectors of columns, also k-major ({@code
 * [p][j]}); the last sliver of each is padded with zeros. The micro-kernel then streams both slivers with
 * unit stride: per k step it loads {@code NV} vectors of B, broadcasts {@code MR} values of A and does
 * {@code MR · NV} fused multiply-adds into accumulators that stay in registers. The 12 × 2-vector tile
 * (24 accumulators, 2 B vectors, one broadcast) fills the 32 registers of AVX-512 and NEON; on AVX2's 16 it
 * spills some accumulators to the stack, yet measured no slower there than a 6 × 2 tile that fits. A last
 * sliver of at most one vector of columns gets a one-vector kernel ({@link #multiplyNarrow}).
 *
 * <p>Every element of C is one fused multiply-add chain over p in increasing order within a k block, no
 * matter where in a tile, a block or a thread's share it falls, nor how many lanes a vector has: results
 * depend on the k blocking only.
 */
final class VectorGemmKernel {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Rows of the register tile. */
    static final int MR = 12;
    /** Vectors per row of the register tile. */
    static final int NV = 2;
    /** Columns of the register tile. */
    static final int NR = NV * L;

    private VectorGemmKernel() {}

    /**
     * Packs rows [i0, i0 + rows) and depth [p0, p0 + kc) of op(A) into {@code dst} from index 0 as slivers of
     * MR rows, each {@code kc · MR} floats, rows past the end zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc, float[] dst,
            int[] offsets) {
        if (transA) {
            packAlongRows(a, aOff, lda, p0, kc, i0, rows, MR, dst, 0);
        } else {
            packAcrossRows(a, aOff, lda, i0, rows, p0, kc, MR, dst, 0, offsets);
        }
    }

    /**
     * Packs depth [p0, p0 + kc) and columns [j0, j0 + cols) of op(B) into {@code dst} from {@code dstAt} as
     * slivers of NR columns, each {@code kc · NR} floats, columns past the end zero.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int cols, float[] dst,
            int dstAt, int[] offsets) {
        if (transB) {
            packAcrossRows(b, bOff, ldb, j0, cols, p0, kc, NR, dst, dstAt, offsets);
        } else {
            packAlongRows(b, bOff, ldb, p0, kc, j0, cols, NR, dst, dstAt);
        }
    }

    /**
     * Packing where each stored row p holds a sliver's {@code width} elements side by side:
     * {@code dst[at + s·kc + p·width + w] = src[off + (p0 + p)·ld + x0 + s + w]}, zero past {@code count}.
     * Stored rows are read one after the other, each from start to end: walking a sliver down the rows
     * instead strides ld floats per access, a page apart for wide matrices, where no prefetcher follows and
     * every line was a miss to memory.
     */
    private static void packAlongRows(float[] src, int off, int ld, int p0, int kc, int x0, int count, int width,
            float[] dst, int at) {
        int whole = count / width * width;
        int partial = width % L; // lanes of a sliver's last vector, when the width is not whole vectors
        VectorMask<Float> last = VectorMask.fromLong(F, (1L << partial) - 1);
        for (int p = 0; p < kc; p++) {
            int from = off + (p0 + p) * ld + x0, to = at + p * width;
            for (int s = 0; s < whole; s += width) {
                int v = 0;
                for (; v + L <= width; v += L) FloatVector.fromArray(F, src, from + s + v).intoArray(dst, to + s * kc + v);
                if (partial > 0) FloatVector.fromArray(F, src, from + s + v, last).intoArray(dst, to + s * kc + v, last);
            }
            for (int w = 0; whole < count && w < width; w++) { // the last sliver, part past the end: scalar, and rare
                dst[to + whole * kc + w] = whole + w < count ? src[from + whole + w] : 0f;
            }
        }
    }

    /**
     * Packing where each stored row holds one element of the sliver for every p (a transpose):
     * {@code dst[at + s·kc + p·width + w] = src[off + (x0 + s + w)·ld + p0 + p]}, zero past {@code count}.
     * Each vector of a packed row is one gather across {@code L} stored rows, whose offsets {@code rows} holds.
     */
    private static void packAcrossRows(float[] src, int off, int ld, int x0, int count, int p0, int kc, int width,
            float[] dst, int at, int[] rows) {
        for (int s = 0; s < count; s += width) {
            int w = Math.min(width, count - s);
            // Lanes past the last row gather row 0 again (gathers check every lane) and are masked to zero.
            for (int r = 0; r < rows.length; r++) rows[r] = r < w ? r * ld : 0;
            int from = off + (x0 + s) * ld + p0;
            for (int v = 0; v < width; v += L) {
                VectorMask<Float> valid = F.indexInRange(v, w);
                VectorMask<Float> inSliver = F.indexInRange(v, width);
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(F, src, from + p, rows, v, valid)
                            .intoArray(dst, at + s * kc + p * width + v, inSliver);
                }
            }
        }
    }

    /**
     * The micro-kernel: {@code tile ← Asliver · Bsliver} over kc steps, where the A sliver (kc × MR) starts at
     * {@code pa[aAt]} and the B sliver (kc × NR) at {@code pb[bAt]}; {@code tile} receives MR rows of NR floats.
     * Per step: two B vectors, twelve broadcasts of A, 24 fused multiply-adds into 24 accumulators.
     */
    static void multiply(int kc, float[] pa, int aAt, float[] pb, int bAt, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
        FloatVector c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
        for (int p = 0; p < kc; p++) {
            int ap = aAt + p * MR;
            int bp = bAt + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, pb, bp);
            FloatVector b1 = FloatVector.fromArray(F, pb, bp + L);
            FloatVector a;
            a = FloatVector.broadcast(F, pa[ap]); c00 = b0.fma(a, c00); c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(F, pa[ap + 1]); c10 = b0.fma(a, c10); c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(F, pa[ap + 2]); c20 = b0.fma(a, c20); c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(F, pa[ap + 3]); c30 = b0.fma(a, c30); c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(F, pa[ap + 4]); c40 = b0.fma(a, c40); c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(F, pa[ap + 5]); c50 = b0.fma(a, c50); c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(F, pa[ap + 6]); c60 = b0.fma(a, c60); c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(F, pa[ap + 7]); c70 = b0.fma(a, c70); c71 = b1.fma(a, c71);
            a = FloatVector.broadcast(F, pa[ap + 8]); c80 = b0.fma(a, c80); c81 = b1.fma(a, c81);
            a = FloatVector.broadcast(F, pa[ap + 9]); c90 = b0.fma(a, c90); c91 = b1.fma(a, c91);
            a = FloatVector.broadcast(F, pa[ap + 10]); ca0 = b0.fma(a, ca0); ca1 = b1.fma(a, ca1);
            a = FloatVector.broadcast(F, pa[ap + 11]); cb0 = b0.fma(a, cb0); cb1 = b1.fma(a, cb1);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR); c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        ca0.intoArray(tile, 10 * NR); ca1.intoArray(tile, 10 * NR + L);
        cb0.intoArray(tile, 11 * NR); cb1.intoArray(tile, 11 * NR + L);
    }

    /**
     * The micro-kernel for a last sliver of at most L columns: as {@link #multiply} on the first vector of
     * each packed B row only, so that a narrow edge (a 65-token vocabulary) costs one vector, not two.
     */
    static void multiplyNarrow(int kc, float[] pa, int aAt, float[] pb, int bAt, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, ca = c0, cb = c0;
        for (int p = 0; p < kc; p++) {
            int ap = aAt + p * MR;
            FloatVector b = FloatVector.fromArray(F, pb, bAt + p * NR);
            c0 = b.fma(FloatVector.broadcast(F, pa[ap]), c0);
            c1 = b.fma(FloatVector.broadcast(F, pa[ap + 1]), c1);
            c2 = b.fma(FloatVector.broadcast(F, pa[ap + 2]), c2);
            c3 = b.fma(FloatVector.broadcast(F, pa[ap + 3]), c3);
            c4 = b.fma(FloatVector.broadcast(F, pa[ap + 4]), c4);
            c5 = b.fma(FloatVector.broadcast(F, pa[ap + 5]), c5);
            c6 = b.fma(FloatVector.broadcast(F, pa[ap + 6]), c6);
            c7 = b.fma(FloatVector.broadcast(F, pa[ap + 7]), c7);
            c8 = b.fma(FloatVector.broadcast(F, pa[ap + 8]), c8);
            c9 = b.fma(FloatVector.broadcast(F, pa[ap + 9]), c9);
            ca = b.fma(FloatVector.broadcast(F, pa[ap + 10]), ca);
            cb = b.fma(FloatVector.broadcast(F, pa[ap + 11]), cb);
        }
        c0.intoArray(tile, 0); c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR); c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR); c5.intoArray(tile, 5 * NR);
        c6.intoArray(tile, 6 * NR); c7.intoArray(tile, 7 * NR);
        c8.intoArray(tile, 8 * NR); c9.intoArray(tile, 9 * NR);
        ca.intoArray(tile, 10 * NR); cb.intoArray(tile, 11 * NR);
    }

    /**
     * {@link #multiply} on twelve whole rows of op(A) read where they are stored (A not transposed, row r of
     * the sliver at {@code a[aAt + r·lda]}), for panels too narrow to repay packing A: per k step the twelve
     * loads come from twelve rows instead of one packed line, some 15% slower than the packed kernel.
     */
    static void multiplyDirect(int kc, float[] a, int aAt, int lda, float[] pb, int bAt, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
        FloatVector c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bAt + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, pb, bp);
            FloatVector b1 = FloatVector.fromArray(F, pb, bp + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[aAt + p]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[aAt + lda + p]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[aAt + 2 * lda + p]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[aAt + 3 * lda + p]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[aAt + 4 * lda + p]); c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[aAt + 5 * lda + p]); c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[aAt + 6 * lda + p]); c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[aAt + 7 * lda + p]); c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
            x = FloatVector.broadcast(F, a[aAt + 8 * lda + p]); c80 = b0.fma(x, c80); c81 = b1.fma(x, c81);
            x = FloatVector.broadcast(F, a[aAt + 9 * lda + p]); c90 = b0.fma(x, c90); c91 = b1.fma(x, c91);
            x = FloatVector.broadcast(F, a[aAt + 10 * lda + p]); ca0 = b0.fma(x, ca0); ca1 = b1.fma(x, ca1);
            x = FloatVector.broadcast(F, a[aAt + 11 * lda + p]); cb0 = b0.fma(x, cb0); cb1 = b1.fma(x, cb1);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, 0 + L);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR); c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR); c91.intoArray(tile, 9 * NR + L);
        ca0.intoArray(tile, 10 * NR); ca1.intoArray(tile, 10 * NR + L);
        cb0.intoArray(tile, 11 * NR); cb1.intoArray(tile, 11 * NR + L);
    }

    /** {@link #multiplyNarrow} on twelve whole rows of op(A) read where they are stored, as {@link #multiplyDirect}. */
    static void multiplyNarrowDirect(int kc, float[] a, int aAt, int lda, float[] pb, int bAt, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, ca = c0, cb = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector b = FloatVector.fromArray(F, pb, bAt + p * NR);
            c0 = b.fma(FloatVector.broadcast(F, a[aAt + p]), c0);
            c1 = b.fma(FloatVector.broadcast(F, a[aAt + lda + p]), c1);
            c2 = b.fma(FloatVector.broadcast(F, a[aAt + 2 * lda + p]), c2);
            c3 = b.fma(FloatVector.broadcast(F, a[aAt + 3 * lda + p]), c3);
            c4 = b.fma(FloatVector.broadcast(F, a[aAt + 4 * lda + p]), c4);
            c5 = b.fma(FloatVector.broadcast(F, a[aAt + 5 * lda + p]), c5);
            c6 = b.fma(FloatVector.broadcast(F, a[aAt + 6 * lda + p]), c6);
            c7 = b.fma(FloatVector.broadcast(F, a[aAt + 7 * lda + p]), c7);
            c8 = b.fma(FloatVector.broadcast(F, a[aAt + 8 * lda + p]), c8);
            c9 = b.fma(FloatVector.broadcast(F, a[aAt + 9 * lda + p]), c9);
            ca = b.fma(FloatVector.broadcast(F, a[aAt + 10 * lda + p]), ca);
            cb = b.fma(FloatVector.broadcast(F, a[aAt + 11 * lda + p]), cb);
        }
        c0.intoArray(tile, 0); c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR); c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR); c5.intoArray(tile, 5 * NR);
        c6.intoArray(tile, 6 * NR); c7.intoArray(tile, 7 * NR);
        c8.intoArray(tile, 8 * NR); c9.intoArray(tile, 9 * NR);
        ca.intoArray(tile, 10 * NR); cb.intoArray(tile, 11 * NR);
    }

    /**
     * C ← alpha · tile + beta · C over the first {@code rows × cols} of the tile; {@code beta == 0}
     * overwrites C without reading it.
     */
    static void update(float[] tile, int rows, int cols, float alpha, float beta, float[] c, int cAt, int ldc) {
        FloatVector alphas = FloatVector.broadcast(F, alpha);
        for (int r = 0; r < rows; r++) {
            int at = cAt + r * ldc;
            for (int v = 0; v < NV; v++) {
                int col = v * L;
                if (col >= cols) break;
                FloatVector acc = FloatVector.fromArray(F, tile, r * NR + col);
                if (col + L <= cols) {
                    FloatVector out = beta == 0f ? acc.mul(alpha)
                            : acc.fma(alphas, FloatVector.fromArray(F, c, at + col).mul(beta));
                    out.intoArray(c, at + col);
                } else {
                    VectorMask<Float> m = F.indexInRange(col, cols);
                    FloatVector out = beta == 0f ? acc.mul(alpha)
                            : acc.fma(alphas, FloatVector.fromArray(F, c, at + col, m).mul(beta));
                    out.intoArray(c, at + col, m);
                }
            }
        }
    }
}
