package ai.basalt.tensor;

import static ai.basalt.tensor.ScalarTensorOps.I16;
import static ai.basalt.tensor.ScalarTensorOps.QK_K;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's reference quantizers of the k-quant super-block types, bit for bit ({@code ggml-quants.c}:
 * {@code quantize_row_q4_K_ref}, {@code quantize_row_q5_K_ref}, {@code quantize_row_q6_K_ref} and their
 * helpers {@code make_qkx2_quants}, {@code make_qx_quants}, {@code nearest_int}).
 *
 * <p>Every step is float arithmetic in ggml's order. Java rounds each float operation as C does when it
 * does not contract a multiply and an add into a fused one, which is how ggml's portable base library is
 * built, so a tensor written here has the bytes llama.cpp's quantizer would write for the same floats.
 */
final class KQuantizer {
    /** ggml's GROUP_MAX_EPS: a group whose largest magnitude is below it is all zero. */
    private static final float GROUP_MAX_EPS = 1e-15f;
    /** Elements per sub-block with its own scale and min in Q4_K and Q5_K. */
    private static final int SUB = 32;

    private KQuantizer() {}

    /** Encodes the super-block of QK_K floats at {@code x[from..]} as {@code type} at byte {@code at} of {@code out}. */
    static void quantizeBlock(DType type, float[] x, int from, MemorySegment out, long at) {
        switch (type) {
            case Q4_K -> quantizeQ4_K(x, from, out, at);
            case Q5_K -> quantizeQ5_K(x, from, out, at);
            case Q6_K -> quantizeQ6_K(x, from, out, at);
            default -> throw new IllegalArgumentException("not a k-quant type: " + type);
        }
    }

    /**
     * ggml's {@code nearest_int}: v + 1.5·2^23 puts round-to-nearest-even(v) in the low mantissa bits, for
     * |v| < 2^22 (beyond that ggml returns the same garbage, and so does this).
     */
    static int nearestInt(float v) {
        int bits = Float.floatToRawIntBits(v + 12582912f);
        return (bits & 0x007FFFFF) - 0x00400000;
    }

    /**
     * block_q4_K: each sub-block of 32 gets an affine fit (make_qkx2_quants with 15 levels); the fits' scales
     * and mins are stored as 6-bit multiples of d and dmin, and the elements are requantized against the
     * stored values. 64 elements share 32 bytes: low nibbles the first 32, high nibbles the next.
     */
    private static void quantizeQ4_K(float[] x, int from, MemorySegment out, long at) {
        int[] levels = new int[QK_K];
        fitSubBlocks(x, from, 15, -1f, 0.1f, 20, levels, out, at);
        requantize(x, from, 15, out, at, levels);
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; l++) {
                out.set(ValueLayout.JAVA_BYTE, at + 16 + j / 2 + l, (byte) (levels[j + l] | levels[j + l + 32] << 4));
            }
        }
    }

    /**
     * block_q5_K: block_q4_K's fit with 31 levels (make_qkx2_quants with ggml's narrower trial range); the
     * low 4 bits of each level go in the nibbles from byte 48 on, its fifth bit in bit j of byte 16 + l for
     * element 32·j + l.
     */
    private static void quantizeQ5_K(float[] x, int from, MemorySegment out, long at) {
        int[] levels = new int[QK_K];
        fitSubBlocks(x, from, 31, -0.5f, 0.1f, 15, levels, out, at);
        requantize(x, from, 31, out, at, levels);
        for (int l = 0; l < 32; l++) {
            int high = 0;
            for (int j = 0; j < QK_K / SUB; j++) high |= (levels[SUB * j + l] >> 4) << j;
            out.set(ValueLayout.JAVA_BYTE, at + 16 + l, (byte) high);
        }
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; l++) {
                int lo = levels[j + l] & 0x0F;
                int hi = levels[j + l + 32] & 0x0F;
                out.set(ValueLayout.JAVA_BYTE, at + 48 + j / 2 + l, (byte) (lo | hi << 4));
            }
        }
    }

    /**
     * block_q6_K: each sub-block of 16 gets a symmetric fit (make_qx_quants, levels −32..31, weighted by x²);
     * the fits' scales are stored as int8 multiples of d = max/−128 (the scale of largest magnitude maps to
     * −128), and the elements requantized against the stored values.
     */
    private static void quantizeQ6_K(float[] x, int from, MemorySegment out, long at) {
        int[] levels = new int[QK_K];
        float[] scales = new float[QK_K / 16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < QK_K / 16; ib++) {
            float scale = makeQxQuants(16, 32, x, from + 16 * ib, levels, 16 * ib);
            scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            out.asSlice(at, DType.Q6_K.bytesPerBlock()).fill((byte) 0);
            return;
        }
        float iscale = -128f / maxScale;
        out.set(I16, at + 208, Float.floatToFloat16(1 / iscale));
        for (int ib = 0; ib < QK_K / 16; ib++) {
            out.set(ValueLayout.JAVA_BYTE, at + 192 + ib, (byte) Math.min(127, nearestInt(iscale * scales[ib])));
        }
        float d = Float.float16ToFloat(out.get(I16, at + 208));
        for (int j = 0; j < QK_K / 16; j++) {
            float scale = d * out.get(ValueLayout.JAVA_BYTE, at + 192 + j);
            if (scale == 0f) continue;
            for (int i = 0; i < 16; i++) {
                int l = nearestInt(x[from + 16 * j + i] / scale);
                levels[16 * j + i] = Math.max(-32, Math.min(31, l)) + 32;
            }
        }
        packQ6_K(levels, out, at);
    }

    /** 6-bit levels into block_q6_K's low-nibble and high-bit-pair arrays (see ScalarTensorOps' decoder). */
    private static void packQ6_K(int[] levels, MemorySegment out, long at) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * h + l;
                int q1 = levels[e];
                int q2 = levels[e + 32];
                int q3 = levels[e + 64];
                int q4 = levels[e + 96];
                out.set(ValueLayout.JAVA_BYTE, at + 64 * h + l, (byte) ((q1 & 0x0F) | (q3 & 0x0F) << 4));
                out.set(ValueLayout.JAVA_BYTE, at + 64 * h + l + 32, (byte) ((q2 & 0x0F) | (q4 & 0x0F) << 4));
                out.set(ValueLayout.JAVA_BYTE, at + 128 + 32 * h + l,
                        (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
            }
        }
    }

    /**
     * ggml's {@code make_qx_quants} with rmse_type 1 and no importance weights: x ≈ scale·(l − nmax), l in
     * [0, 2·nmax), the value of largest magnitude mapping to −nmax; then 18 trial scales around it, keeping
     * the one whose least-squares fit (weighted by x²) explains most. Returns the scale; levels get l.
     */
    private static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] levels, int lo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) levels[lo + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
            levels[lo + i] = l + nmax;
            float w = x[xo + i] * x[xo + i];
            sumlx += w * x[xo + i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                float w = x[xo + i] * x[xo + i];
                sumlx += w * x[xo + i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    levels[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * The affine fit of the 8 sub-blocks of a Q4_K or Q5_K super-block, weighted by rms(sub-block) + |x|,
     * written as d, dmin and the 12 packed scale bytes at {@code at}; {@code levels} gets the fit's quants.
     */
    private static void fitSubBlocks(float[] x, int from, int nmax, float rmin, float rdelta, int nstep,
            int[] levels, MemorySegment out, long at) {
        float[] scales = new float[QK_K / SUB];
        float[] mins = new float[QK_K / SUB];
        float[] weights = new float[SUB];
        for (int j = 0; j < QK_K / SUB; j++) {
            int s = from + SUB * j;
            float sumX2 = 0;
            for (int l = 0; l < SUB; l++) sumX2 += x[s + l] * x[s + l];
            float avX = (float) Math.sqrt(sumX2 / SUB);
            for (int l = 0; l < SUB; l++) weights[l] = avX + Math.abs(x[s + l]);
            scales[j] = makeQkx2Quants(nmax, x, s, weights, levels, SUB * j, mins, j, rmin, rdelta, nstep);
        }
        writeScalesAndMins(scales, mins, out, at);
    }

    /** Scales and mins as 6-bit multiples of the largest of each over 63, packed as get_scale_min_k4 reads them. */
    private static void writeScalesAndMins(float[] scales, float[] mins, MemorySegment out, long at) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < scales.length; j++) {
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] packed = new int[12];
        for (int j = 0; j < scales.length; j++) {
            // ggml stores nearest_int into a uint8_t before clamping
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                packed[j] = ls;
                packed[j + 4] = lm;
            } else {
                packed[j + 4] = (ls & 0x0F) | (lm & 0x0F) << 4;
                packed[j - 4] |= (ls >> 4) << 6;
                packed[j] |= (lm >> 4) << 6;
            }
        }
        out.set(I16, at, Float.floatToFloat16(maxScale / 63f));
        out.set(I16, at + 2, Float.floatToFloat16(maxMin / 63f));
        for (int k = 0; k < 12; k++) out.set(ValueLayout.JAVA_BYTE, at + 4 + k, (byte) packed[k]);
    }

    /** Each element's level against the stored scale and min; sub-blocks whose stored scale is 0 keep the fit's. */
    private static void requantize(float[] x, int from, int nmax, MemorySegment out, long at, int[] levels) {
        float d = Float.float16ToFloat(out.get(I16, at));
        float dmin = Float.float16ToFloat(out.get(I16, at + 2));
        for (int j = 0; j < QK_K / SUB; j++) {
            float scale = d * ScalarTensorOps.kScale(out, at + 4, j);
            if (scale == 0f) continue;
            float min = dmin * ScalarTensorOps.kMin(out, at + 4, j);
            for (int i = 0; i < SUB; i++) {
                int l = nearestInt((x[from + SUB * j + i] + min) / scale);
                levels[SUB * j + i] = Math.max(0, Math.min(nmax, l));
            }
        }
    }

    /**
     * ggml's {@code make_qkx2_quants} over one sub-block of {@link #SUB}: x ≈ scale·l − theMin with l in
     * [0, nmax], minimising the weighted squared error over nstep + 1 trial scales around nmax/(max − min),
     * each refined by weighted least squares. Returns the scale; writes the min to {@code theMin[minAt]}.
     */
    private static float makeQkx2Quants(int nmax, float[] x, int xo, float[] weights, int[] levels, int lo,
            float[] theMin, int minAt, float rmin, float rdelta, int nstep) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < SUB; i++) {
            if (x[xo + i] < min) min = x[xo + i];
            if (x[xo + i] > max) max = x[xo + i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[xo + i];
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < SUB; i++) levels[lo + i] = 0;
            theMin[minAt] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < SUB; i++) {
            levels[lo + i] = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
            float diff = scale * levels[lo + i] + min - x[xo + i];
            bestError += weights[i] * (diff * diff);
        }
        int[] aux = new int[SUB];
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < SUB; i++) {
                int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < SUB; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xo + i];
                    error += weights[i] * (diff * diff);
                }
                if (error < bestError) {
                    System.arraycopy(aux, 0, levels, lo, SUB);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[minAt] = -min;
        return scale;
    }
}
