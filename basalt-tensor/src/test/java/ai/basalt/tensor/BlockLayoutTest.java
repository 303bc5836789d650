package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Blocks and super-blocks built byte by byte from the ggml format definitions ({@code ggml-common.h}), decoded
 * by every backend to values worked out here by hand. Scales and quants are small integers and d, dmin powers of two,
 * so every expected value is exact whatever the order of rounding.
 */
class BlockLayoutTest {
    private static final List<TensorOps> BACKENDS = List.of(ScalarTensorOps.INSTANCE, VectorTensorOps.create());

    /** Sub-block scales and mins of the Q4_K/Q5_K test block: 0, 63, and values using the top two bits. */
    private static final int[] SCALES = {1, 10, 63, 0, 17, 48, 5, 63};
    private static final int[] MINS = {2, 0, 63, 5, 33, 1, 16, 62};
    /**
     * SCALES and MINS packed by hand: bytes 0-3 are scales 0-3 topped by bits 4-5 of scales 4-7; bytes 4-7
     * mins 0-3 topped by bits 4-5 of mins 4-7; bytes 8-11 the low nibbles of scale (low) and min (high) 4-7.
     */
    private static final int[] PACKED = {
        1 | 1 << 6, 10 | 3 << 6, 63, 3 << 6,
        2 | 2 << 6, 0, 63 | 1 << 6, 5 | 3 << 6,
        1 | 1 << 4, 1 << 4, 5, 15 | 14 << 4};

    /** Fifth bits of the q5_0 and q5_1 test blocks: bit e is element e's. */
    private static final int QH = 0xA5A50F01;

    /** The 4-bit part of element e in the legacy test blocks, whose byte j is j | (15 − j) << 4. */
    private static int nibble(int e) {
        return e < 16 ? e : 15 - (e - 16);
    }

    /** fp16 d; fp16 m if affine; the uint32 of fifth bits if it has them; then 16 bytes of nibbles. */
    private static byte[] legacyBlock(boolean affine, boolean fifthBits, short d, short m) {
        int qh = affine ? 4 : 2;
        int qs = fifthBits ? qh + 4 : qh;
        ByteBuffer b = ByteBuffer.allocate(qs + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, d);
        if (affine) b.putShort(2, m);
        if (fifthBits) b.putInt(qh, QH);
        for (int j = 0; j < 16; j++) b.put(qs + j, (byte) (j | (15 - j) << 4));
        return b.array();
    }

    @Test
    void q4_1IsScaledNibblePlusMin() {
        byte[] block = legacyBlock(true, false, (short) 0x4000, (short) 0x3800); // d = 2, m = 0.5
        assertDecodes(DType.Q4_1, block, e -> 2.0 * nibble(e) + 0.5);
    }

    @Test
    void q5_0TakesTheFifthBitOfElementEFromBitE() {
        byte[] block = legacyBlock(false, true, (short) 0x3400, (short) 0); // d = 0.25
        assertDecodes(DType.Q5_0, block, e -> 0.25 * (nibble(e) + 16 * (QH >>> e & 1) - 16));
    }

    @Test
    void q5_1IsScaledFiveBitQuantPlusMin() {
        byte[] block = legacyBlock(true, true, (short) 0x3800, (short) 0xC000); // d = 0.5, m = -2
        assertDecodes(DType.Q5_1, block, e -> 0.5 * (nibble(e) + 16 * (QH >>> e & 1)) - 2);
    }

    @Test
    void q4_KDecodesScalesMinsAndNibbles() {
        ByteBuffer b = ByteBuffer.allocate(2 * 144).order(ByteOrder.LITTLE_ENDIAN);
        for (int block = 0; block < 2; block++) {
            int at = 144 * block;
            b.putShort(at, block == 0 ? (short) 0x3800 : (short) 0x3C00); // d = 0.5, then 1
            b.putShort(at + 2, block == 0 ? (short) 0x3400 : (short) 0); // dmin = 0.25, then 0
            for (int k = 0; k < 12; k++) b.put(at + 4 + k, (byte) PACKED[k]);
            // in each 32-byte row: low nibble l % 16, high nibble 15 - l % 16
            for (int l = 0; l < 128; l++) b.put(at + 16 + l, (byte) (l % 16 | (15 - l % 16) << 4));
        }

        assertDecodes(DType.Q4_K, b.array(), i -> {
            int e = i % 256;
            int j = e / 32;
            int l = e % 32;
            int q = e % 64 < 32 ? l % 16 : 15 - l % 16;
            return i < 256 ? 0.5 * SCALES[j] * q - 0.25 * MINS[j] : SCALES[j] * q;
        });
    }

    @Test
    void q5_KAddsTheFifthBitOfSubBlockJFromBitJ() {
        byte[] bytes = new byte[176];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x3800); // d = 0.5
        b.putShort(2, (short) 0x3400); // dmin = 0.25
        for (int k = 0; k < 12; k++) bytes[4 + k] = (byte) PACKED[k];
        for (int l = 0; l < 32; l++) bytes[16 + l] = (byte) (l * 37 + 5); // fifth bits: bit j for sub-block j
        for (int l = 0; l < 128; l++) bytes[48 + l] = (byte) (l % 16 | (15 - l % 16) << 4);

        assertDecodes(DType.Q5_K, bytes, e -> {
            int j = e / 32;
            int l = e % 32;
            int q = (e % 64 < 32 ? l % 16 : 15 - l % 16) + 16 * ((l * 37 + 5) >> j & 1);
            return 0.5 * SCALES[j] * q - 0.25 * MINS[j];
        });
    }

    @Test
    void q6_KDecodesSignedScalesAndSixBitQuants() {
        int[] scales = {1, -1, 2, -2, 127, -128, 0, 3, 5, -7, 11, 13, -17, 19, 64, -64};
        byte[] bytes = new byte[210];
        for (int e = 0; e < 256; e++) {
            int q = e * 7 % 64; // the stored 6-bit value; the quant is q − 32
            int h = e / 128;
            int k = e % 128 / 32;
            int l = e % 32;
            // low 4 bits: byte 64h + 32·(k % 2) + l, low nibble for k < 2; high 2 bits: byte 128 + 32h + l, pair k
            bytes[64 * h + 32 * (k % 2) + l] |= (byte) ((q & 15) << (k < 2 ? 0 : 4));
            bytes[128 + 32 * h + l] |= (byte) ((q >> 4) << (2 * k));
        }
        for (int j = 0; j < 16; j++) bytes[192 + j] = (byte) scales[j];
        bytes[208] = 0x00; // d = 0.5 = fp16 0x3800, little-endian
        bytes[209] = 0x38;

        assertDecodes(DType.Q6_K, bytes, e -> 0.5 * scales[e / 16] * (e * 7 % 64 - 32));
    }

    private static void assertDecodes(DType type, byte[] bytes, IntToDoubleFunction expected) {
        int n = Math.toIntExact(bytes.length / type.bytesPerBlock() * (long) type.blockSize());
        Tensor t = new Tensor("t", type, new long[] {n}, MemorySegment.ofArray(bytes));
        for (TensorOps ops : BACKENDS) {
            float[] out = new float[n];
            ops.dequantizeRow(t, 0, out, 0);
            for (int i = 0; i < n; i++) {
                assertThat((double) out[i]).as("%s element %d", ops.name(), i).isEqualTo(expected.applyAsDouble(i));
            }
        }
    }
}
