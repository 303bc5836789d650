package ai.basalt.generate;

import ai.basalt.tensor.DType;

/**
 * Test-only k-quant encoders that fit each sub-block once, by its minimum and maximum, where ggml's quantizers
 * ({@code ai.basalt.tensor.KQuantizer}, byte for byte ggml's) search around twenty trial scales per sub-block. They
 * write valid {@code block_q4_K} and {@code block_q6_K} blocks 4 to 15 times faster (measured: Q4_K 6 against
 * 95 ns per value, Q6_K 12 against 58): the parity tests encode the 8-39 million values of real-vocabulary
 * embeddings with them. Which encoder chose the levels does not matter to a
 * comparison of two decoders of the same bytes; the layouts are ggml's ({@code ggml-common.h}).
 */
final class KQuantBlocks {
    private static final int QK_K = 256;

    private KQuantBlocks() {}

    /** {@code x} (a whole number of 256-element super-blocks) encoded as {@code type}, Q4_K or Q6_K. */
    static byte[] encode(float[] x, DType type) {
        byte[] out = new byte[Math.toIntExact(type.byteSize(x.length))];
        for (int b = 0; b < x.length / QK_K; b++) {
            switch (type) {
                case Q4_K -> q4K(x, b * QK_K, out, b * type.bytesPerBlock());
                case Q6_K -> q6K(x, b * QK_K, out, b * type.bytesPerBlock());
                default -> throw new IllegalArgumentException("not a k-quant this encoder writes: " + type);
            }
        }
        return out;
    }

    /**
     * block_q4_K {d, dmin: F16; scales: 12 bytes of 6-bit scale/min pairs; qs: 128 bytes}: sub-block j of 32 gets
     * scale (max − min)/15 and min −min (min capped at 0), both stored as 6-bit multiples of d = max scale / 63 and
     * dmin = max min / 63; x ≈ d·sc_j·q − dmin·m_j with q in [0, 15].
     */
    private static void q4K(float[] x, int from, byte[] out, int at) {
        float[] scale = new float[8], min = new float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float lo = 0, hi = -Float.MAX_VALUE;
            for (int i = 0; i < 32; i++) {
                lo = Math.min(lo, x[from + 32 * j + i]);
                hi = Math.max(hi, x[from + 32 * j + i]);
            }
            scale[j] = (hi - lo) / 15;
            min[j] = -lo;
            maxScale = Math.max(maxScale, scale[j]);
            maxMin = Math.max(maxMin, min[j]);
        }
        short d = Float.floatToFloat16(maxScale / 63), dmin = Float.floatToFloat16(maxMin / 63);
        putF16(out, at, d);
        putF16(out, at + 2, dmin);
        float df = Float.float16ToFloat(d), dminf = Float.float16ToFloat(dmin);
        int[] ls = new int[8], lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = df > 0 ? Math.min(63, Math.round(scale[j] / df)) : 0;
            lm[j] = dminf > 0 ? Math.min(63, Math.round(min[j] / dminf)) : 0;
            if (j < 4) {
                out[at + 4 + j] = (byte) ls[j];
                out[at + 4 + j + 4] = (byte) lm[j];
            } else {
                out[at + 4 + j + 4] = (byte) ((ls[j] & 0xF) | (lm[j] & 0xF) << 4);
                out[at + 4 + j - 4] |= (byte) ((ls[j] >> 4) << 6);
                out[at + 4 + j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        int[] q = new int[QK_K];
        for (int j = 0; j < 8; j++) {
            float s = df * ls[j], m = dminf * lm[j];
            for (int i = 0; i < 32; i++) {
                q[32 * j + i] = s == 0 ? 0 : Math.max(0, Math.min(15, Math.round((x[from + 32 * j + i] + m) / s)));
            }
        }
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; l++) out[at + 16 + j / 2 + l] = (byte) (q[j + l] | q[j + l + 32] << 4);
        }
    }

    /**
     * block_q6_K {ql: 128 bytes; qh: 64 bytes; scales: 16 int8; d: F16}: sub-block j of 16 gets scale
     * max|x| / 31, stored as an int8 multiple of d = max scale / 127; x ≈ d·sc_j·(q − 32) with q in [0, 63].
     */
    private static void q6K(float[] x, int from, byte[] out, int at) {
        float[] scale = new float[16];
        float maxScale = 0;
        for (int j = 0; j < 16; j++) {
            float amax = 0;
            for (int i = 0; i < 16; i++) amax = Math.max(amax, Math.abs(x[from + 16 * j + i]));
            scale[j] = amax / 31;
            maxScale = Math.max(maxScale, scale[j]);
        }
        short d = Float.floatToFloat16(maxScale / 127);
        putF16(out, at + 208, d);
        float df = Float.float16ToFloat(d);
        int[] q = new int[QK_K];
        for (int j = 0; j < 16; j++) {
            int sc = df > 0 ? Math.min(127, Math.round(scale[j] / df)) : 0;
            out[at + 192 + j] = (byte) sc;
            float s = df * sc;
            for (int i = 0; i < 16; i++) {
                q[16 * j + i] = s == 0 ? 32 : Math.max(0, Math.min(63, Math.round(x[from + 16 * j + i] / s) + 32));
            }
        }
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * h + l;
                int q1 = q[e], q2 = q[e + 32], q3 = q[e + 64], q4 = q[e + 96];
                out[at + 64 * h + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                out[at + 64 * h + l + 32] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                out[at + 128 + 32 * h + l] = (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }

    private static void putF16(byte[] out, int at, short bits) {
        out[at] = (byte) bits;
        out[at + 1] = (byte) (bits >> 8);
    }
}
