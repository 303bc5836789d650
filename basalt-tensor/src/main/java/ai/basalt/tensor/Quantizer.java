package ai.basalt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Block codecs that write floats in a stored type, bit for bit as ggml's reference quantizers do
 * ({@code ggml-quants.c}: {@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}, {@code quantize_row_q4_1_ref},
 * {@code quantize_row_q5_0_ref}, {@code quantize_row_q5_1_ref}; {@code ggml-impl.h}:
 * {@code ggml_compute_fp32_to_bf16}; the k-quants in {@code KQuantizer}), so that tests and tools can make
 * tensors of any computable type and files a GGUF reader accepts. Decoding is {@link TensorOps#dequantizeRow}.
 */
public final class Quantizer {
    private static final int BLOCK = 32;
    private static final int QK_K = ScalarTensorOps.QK_K;

    private Quantizer() {}

    /**
     * {@code src} encoded as {@code type}.
     *
     * @throws IllegalArgumentException if the type is not computable or the length is not a whole number of blocks
     */
    public static byte[] quantize(float[] src, DType type) {
        byte[] out = new byte[Math.toIntExact(type.byteSize(src.length))];
        quantize(src, 0, src.length, type, MemorySegment.ofArray(out), 0);
        return out;
    }

    /** A tensor of {@code type} over heap memory holding {@code values} (GGML dimension order). */
    public static Tensor tensor(String name, DType type, float[] values, long... dims) {
        return new Tensor(name, type, dims, MemorySegment.ofArray(quantize(values, type)));
    }

    /**
     * Encodes {@code src[srcOff .. srcOff+n)} as {@code type} into {@code dst} from byte {@code dstOff} on,
     * writing {@code type.byteSize(n)} bytes.
     *
     * @throws IllegalArgumentException if the type is not computable or {@code n} is not a whole number of blocks
     * @throws IndexOutOfBoundsException if the source or destination range is out of bounds
     */
    public static void quantize(float[] src, int srcOff, int n, DType type, MemorySegment dst, long dstOff) {
        long bytes = type.byteSize(n);
        if (srcOff < 0 || srcOff > src.length - n) {
            throw new IndexOutOfBoundsException("source range [" + srcOff + ", " + srcOff + "+" + n
                    + ") outside an array of " + src.length);
        }
        MemorySegment out = dst.asSlice(dstOff, bytes);
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) out.set(ScalarTensorOps.F32, 4L * i, src[srcOff + i]);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out.set(ScalarTensorOps.I16, 2L * i, Float.floatToFloat16(src[srcOff + i]));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out.set(ScalarTensorOps.I16, 2L * i, floatToBf16(src[srcOff + i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < n / BLOCK; b++) quantizeBlockQ8_0(src, srcOff + b * BLOCK, out, 34L * b);
            }
            case Q4_0 -> {
                for (int b = 0; b < n / BLOCK; b++) quantizeBlockQ4_0(src, srcOff + b * BLOCK, out, 18L * b);
            }
            case Q4_1 -> {
                for (int b = 0; b < n / BLOCK; b++) quantizeBlockQ4_1(src, srcOff + b * BLOCK, out, 20L * b);
            }
            case Q5_0 -> {
                for (int b = 0; b < n / BLOCK; b++) quantizeBlockQ5_0(src, srcOff + b * BLOCK, out, 22L * b);
            }
            case Q5_1 -> {
                for (int b = 0; b < n / BLOCK; b++) quantizeBlockQ5_1(src, srcOff + b * BLOCK, out, 24L * b);
            }
            case Q4_K, Q5_K, Q6_K -> {
                int blockBytes = type.bytesPerBlock();
                for (int b = 0; b < n / QK_K; b++) KQuantizer.quantizeBlock(type, src, srcOff + b * QK_K, out, (long) blockBytes * b);
            }
            default -> throw new IllegalArgumentException("cannot quantize to " + type + ": not a computable type");
        }
    }

    /**
     * float32 to bfloat16 bits, rounding to nearest even; NaNs stay NaN (made quiet) and subnormals are kept,
     * as ggml's {@code ggml_compute_fp32_to_bf16}.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (short) ((bits >>> 16) | 64);
        return (short) ((bits + (0x7FFF + ((bits >>> 16) & 1))) >>> 16);
    }

    /** block_q8_0: d = amax / 127, q = round(x / d) (C roundf: halves away from zero). */
    private static void quantizeBlockQ8_0(float[] x, int from, MemorySegment out, long at) {
        float amax = 0f;
        for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = amax / 127;
        float id = d != 0f ? 1f / d : 0f;
        out.set(ScalarTensorOps.I16, at, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK; j++) {
            out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundHalfAway(x[from + j] * id));
        }
    }

    /**
     * block_q4_0: the value of largest magnitude (the first, on ties) maps to −8, so d = max / −8 and
     * q = min(15, trunc(x / d + 8.5)); element j goes in the low nibble of byte j, element j+16 in its high
     * nibble.
     */
    private static void quantizeBlockQ4_0(float[] x, int from, MemorySegment out, long at) {
        float d = largestMagnitude(x, from) / -8;
        float id = d != 0f ? 1f / d : 0f;
        out.set(ScalarTensorOps.I16, at, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK / 2; j++) {
            int lo = Math.min(15, (byte) (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (byte) (int) (x[from + BLOCK / 2 + j] * id + 8.5f));
            out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (lo | hi << 4));
        }
    }

    /**
     * block_q4_1 ({@code quantize_row_q4_1_ref}): d = (max − min) / 15, m = min, q = min(15, trunc((x − min)/d
     * + 0.5)), nibbles placed as in q4_0.
     */
    private static void quantizeBlockQ4_1(float[] x, int from, MemorySegment out, long at) {
        float min = blockMin(x, from);
        float d = (blockMax(x, from) - min) / 15;
        float id = d != 0f ? 1f / d : 0f;
        out.set(ScalarTensorOps.I16, at, Float.floatToFloat16(d));
        out.set(ScalarTensorOps.I16, at + 2, Float.floatToFloat16(min));
        for (int j = 0; j < BLOCK / 2; j++) {
            int lo = Math.min(15, (byte) (int) ((x[from + j] - min) * id + 0.5f));
            int hi = Math.min(15, (byte) (int) ((x[from + BLOCK / 2 + j] - min) * id + 0.5f));
            out.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) (lo | hi << 4));
        }
    }

    /**
     * block_q5_0 ({@code quantize_row_q5_0_ref}): as q4_0 with 32 levels: d = max / −16, q = min(31, trunc(x/d
     * + 16.5)); the fifth bit of element j goes to bit j of a little-endian uint32 after d.
     */
    private static void quantizeBlockQ5_0(float[] x, int from, MemorySegment out, long at) {
        float d = largestMagnitude(x, from) / -16;
        float id = d != 0f ? 1f / d : 0f;
        int[] q = new int[BLOCK];
        for (int j = 0; j < BLOCK; j++) q[j] = Math.min(31, (byte) (int) (x[from + j] * id + 16.5f));
        out.set(ScalarTensorOps.I16, at, Float.floatToFloat16(d));
        writeFiveBit(q, out, at + 2);
    }

    /**
     * block_q5_1 ({@code quantize_row_q5_1_ref}): d = (max − min) / 31, m = min, q = (uint8) trunc((x − min)/d
     * + 0.5), with no clamp (ggml has none); bits as q5_0.
     */
    private static void quantizeBlockQ5_1(float[] x, int from, MemorySegment out, long at) {
        float min = blockMin(x, from);
        float d = (blockMax(x, from) - min) / 31;
        float id = d != 0f ? 1f / d : 0f;
        int[] q = new int[BLOCK];
        for (int j = 0; j < BLOCK; j++) q[j] = (int) ((x[from + j] - min) * id + 0.5f) & 0xFF;
        out.set(ScalarTensorOps.I16, at, Float.floatToFloat16(d));
        out.set(ScalarTensorOps.I16, at + 2, Float.floatToFloat16(min));
        writeFiveBit(q, out, at + 4);
    }

    /** Fifth bits as a little-endian uint32 at {@code at}, then the low nibbles as in q4_0. */
    private static void writeFiveBit(int[] q, MemorySegment out, long at) {
        int qh = 0;
        for (int j = 0; j < BLOCK; j++) qh |= ((q[j] & 0x10) >> 4) << j;
        out.set(ScalarTensorOps.I32, at, qh);
        for (int j = 0; j < BLOCK / 2; j++) {
            out.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) ((q[j] & 0x0F) | (q[j + BLOCK / 2] & 0x0F) << 4));
        }
    }

    /** The value of largest magnitude in {@code x[from, from + 32)}, the first on ties: q4_0's and q5_0's scale. */
    private static float largestMagnitude(float[] x, int from) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < BLOCK; j++) {
            float v = x[from + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /**
     * The least of {@code x[from, from + 32)}, q4_1's and q5_1's offset, by ggml's strict comparison (not Math.min:
     * of 0 and −0 the first stays, and NaNs are passed over).
     */
    private static float blockMin(float[] x, int from) {
        float min = Float.MAX_VALUE;
        for (int j = 0; j < BLOCK; j++) {
            if (x[from + j] < min) min = x[from + j];
        }
        return min;
    }

    /** The greatest of {@code x[from, from + 32)}, compared as {@link #blockMin} does. */
    private static float blockMax(float[] x, int from) {
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < BLOCK; j++) {
            if (x[from + j] > max) max = x[from + j];
        }
        return max;
    }

    /** C's roundf: to nearest, halves away from zero (Java's Math.round rounds halves up). */
    private static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }
}
