package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The block codecs write exactly what ggml's reference quantizers write (blocks computed by hand here),
 * and decoding what they wrote gives back the input within each format's error bound.
 */
class QuantizerTest {

    // ---- hand-computed blocks ----

    @Test
    void q8_0BlockScalesByAbsMaxOver127() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = j - 16; // amax 16 at j = 0

        ByteBuffer block = le(Quantizer.quantize(x, DType.Q8_0));

        assertThat(block.capacity()).isEqualTo(34);
        // d = 16/127 = 0.125984... → fp16 0x3008 (2^-3 · (1 + 8/1024)); 1/d = 7.9375 in float
        assertThat(block.getShort(0)).isEqualTo((short) 0x3008);
        assertThat(block.get(2 + 0)).isEqualTo((byte) -127); // -16 · 7.9375
        assertThat(block.get(2 + 15)).isEqualTo((byte) -8); //  -1 · 7.9375 = -7.94
        assertThat(block.get(2 + 16)).isEqualTo((byte) 0);
        assertThat(block.get(2 + 17)).isEqualTo((byte) 8); //   1 · 7.9375
        assertThat(block.get(2 + 18)).isEqualTo((byte) 16); //  2 · 7.9375 = 15.875
        assertThat(block.get(2 + 31)).isEqualTo((byte) 119); // 15 · 7.9375 = 119.06
    }

    @Test
    void q8_0RoundsHalvesAwayFromZeroLikeCRoundf() {
        float[] x = new float[32];
        x[0] = 127; // d = 1
        x[1] = 2.5f;
        x[2] = -2.5f; // Math.round would give -2
        x[3] = -0.5f;
        x[4] = 0.49f;

        ByteBuffer block = le(Quantizer.quantize(x, DType.Q8_0));

        assertThat(block.getShort(0)).isEqualTo((short) 0x3C00);
        assertThat(new byte[] {block.get(2), block.get(3), block.get(4), block.get(5), block.get(6)})
                .containsExactly(127, 3, -3, -1, 0);
    }

    @Test
    void q4_0MapsTheSignedMaxToMinusEightAndClampsAtFifteen() {
        float[] x = new float[32];
        x[0] = -8; // largest magnitude, negative: d = -8 / -8 = 1
        x[1] = 8; // same magnitude later: not the max; 8 + 8.5 = 16.5 → 16, clamped to 15
        x[3] = -0.5f; // 8.0 → 8
        x[4] = -0.6f; // 7.9 → 7
        x[5] = 0.49f; // 8.99 → 8
        x[6] = 0.5f; // 9.0 → 9
        x[7] = 7.4f; // 15.9 → 15
        x[16] = -7.6f; // 0.9 → 0
        x[17] = 3; // 11.5 → 11
        int[] q = new int[32];
        Arrays.fill(q, 8); // zeros map to 8
        q[0] = 0;
        q[1] = 15;
        q[4] = 7;
        q[6] = 9;
        q[7] = 15;
        q[16] = 0;
        q[17] = 11;

        ByteBuffer block = le(Quantizer.quantize(x, DType.Q4_0));

        assertThat(block.capacity()).isEqualTo(18);
        assertThat(block.getShort(0)).isEqualTo((short) 0x3C00);
        for (int j = 0; j < 16; j++) {
            assertThat(block.get(2 + j) & 0xFF).as("byte %d", j).isEqualTo(q[j] | q[j + 16] << 4);
        }
    }

    @Test
    void q4_0WithAPositiveMaxHasANegativeScale() {
        float[] x = new float[32];
        x[0] = 4; // d = 4 / -8 = -0.5, 1/d = -2
        x[1] = -4; // 8 + 8.5 → 16 → 15
        x[2] = 1; // -2 + 8.5 = 6.5 → 6

        ByteBuffer block = le(Quantizer.quantize(x, DType.Q4_0));

        assertThat(block.getShort(0)).isEqualTo((short) 0xB800); // -0.5
        assertThat(block.get(2) & 0x0F).isEqualTo(0);
        assertThat(block.get(3) & 0x0F).isEqualTo(15);
        assertThat(block.get(4) & 0x0F).isEqualTo(6);
        float[] back = Quantizer.tensor("t", DType.Q4_0, x, 32).toFloatArray();
        assertThat(back[0]).isEqualTo(4f);
        assertThat(back[1]).isEqualTo(-3.5f);
        assertThat(back[2]).isEqualTo(1f);
    }

    @Test
    void allZeroBlocksHaveAZeroScale() {
        float[] zeros = new float[64];

        ByteBuffer q8 = le(Quantizer.quantize(zeros, DType.Q8_0));
        ByteBuffer q4 = le(Quantizer.quantize(zeros, DType.Q4_0));

        for (int b = 0; b < 2; b++) {
            assertThat(q8.getShort(34 * b)).isZero();
            assertThat(q4.getShort(18 * b)).as("0 / -8 is -0, as ggml writes it").isEqualTo((short) 0x8000);
            for (int j = 0; j < 32; j++) assertThat(q8.get(34 * b + 2 + j)).isZero();
            for (int j = 0; j < 16; j++) assertThat(q4.get(18 * b + 2 + j)).isEqualTo((byte) 0x88);
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEvenAndOverflowsToInfinity() {
        ByteBuffer h = le(Quantizer.quantize(new float[] {1f / 3, 65520f, -0.5f, 1f}, DType.F16));

        assertThat(new short[] {h.getShort(0), h.getShort(2), h.getShort(4), h.getShort(6)})
                .containsExactly((short) 0x3555, (short) 0x7C00, (short) 0xB800, (short) 0x3C00);
    }

    @Test
    void bfloat16RoundsToNearestEvenLikeGgml() {
        assertThat(Quantizer.floatToBf16(1f)).isEqualTo((short) 0x3F80);
        assertThat(Quantizer.floatToBf16(1f + 0x1p-8f)).as("tie to even (down)").isEqualTo((short) 0x3F80);
        assertThat(Quantizer.floatToBf16(1f + 0x3p-8f)).as("tie to even (up)").isEqualTo((short) 0x3F82);
        assertThat(Quantizer.floatToBf16(1f + 0x1p-8f + 0x1p-20f)).as("above the tie").isEqualTo((short) 0x3F81);
        assertThat(Quantizer.floatToBf16(-0f)).isEqualTo((short) 0x8000);
        assertThat(Quantizer.floatToBf16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(Quantizer.floatToBf16(Float.MAX_VALUE)).as("rounds up to infinity").isEqualTo((short) 0x7F80);
        assertThat(Quantizer.floatToBf16(Float.intBitsToFloat(0x00010000))).as("subnormals kept").isEqualTo((short) 0x0001);
        assertThat(Quantizer.floatToBf16(Float.intBitsToFloat(0x7F800001))).as("NaN made quiet").isEqualTo((short) 0x7FC0);
    }

    @Test
    void bfloat16IsTheNearestRepresentableValueForRandomBits() {
        Random rnd = new Random(99);
        for (int k = 0; k < 200_000; k++) {
            float x = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(x)) continue;
            int bits = Float.floatToRawIntBits(x);
            int lo = bits >>> 16; // truncated toward zero
            int hi = lo + 1; // next one away from zero (infinity past the largest finite)
            double dLo = Math.abs(asDouble(lo) - x);
            double dHi = Math.abs(asDouble(hi) - x);
            int expected = dLo < dHi ? lo : dHi < dLo ? hi : (lo & 1) == 0 ? lo : hi;
            if ((bits & 0xFFFF) == 0) expected = lo;
            assertThat(Quantizer.floatToBf16(x) & 0xFFFF).as("bits %08x", bits).isEqualTo(expected & 0xFFFF);
        }
    }

    /** The value of bfloat16 bits, with the exponent all ones standing for 2^128 (what rounds to infinity). */
    private static double asDouble(int bf16) {
        if ((bf16 & 0x7FFF) == 0x7F80) return Math.copySign(0x1p128, (bf16 & 0x8000) == 0 ? 1 : -1);
        return Float.intBitsToFloat(bf16 << 16);
    }

    // ---- round trips ----

    static Stream<Arguments> roundTrips() {
        return Stream.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1,
                DType.Q4_K, DType.Q5_K, DType.Q6_K).flatMap(t ->
                Stream.of("uniform", "gaussian", "outliers", "tiny").flatMap(dist ->
                        Stream.of(1, 3, 128).map(blocks -> arguments(t, dist, blocks * Math.max(32, t.blockSize())))));
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("roundTrips")
    void decodingWhatWasWrittenStaysWithinTheFormatsError(DType type, String distribution, int n) {
        float[] x = sample(distribution, n, new Random(n * 31L + distribution.hashCode()));

        Tensor t = Quantizer.tensor("t", type, x, n);
        float[] back = t.toFloatArray();

        assertThat(t.data().byteSize()).isEqualTo(type.byteSize(n));
        for (int i = 0; i < n; i++) {
            assertThat((double) back[i]).as("element %d", i)
                    .isCloseTo(x[i], within(bound(type, x, i)));
        }
    }

    /** The largest error {@code type} may make on element i of x (of its block, for block types). */
    private static double bound(DType type, float[] x, int i) {
        double v = Math.abs(x[i]);
        return switch (type) {
            case F32 -> 0;
            case F16 -> Math.max(v * 0x1p-11, 0x1p-25); // half an ulp; subnormal spacing 2^-24
            case BF16 -> v * 0x1p-8;
            case Q8_0 -> {
                double d = blockAbsMax(x, i) / 127;
                double stored = Float.float16ToFloat(Float.floatToFloat16((float) d));
                yield 0.5001 * d + 127 * Math.abs(d - stored) + 1e-30;
            }
            case Q4_0 -> {
                double d = blockAbsMax(x, i) / 8;
                double stored = Math.abs(Float.float16ToFloat(Float.floatToFloat16((float) d)));
                // values beyond +7.5 steps on the side opposite the max are clamped to 7 steps
                double steps = v > 7.49 * d ? 1.0001 : 0.5001;
                yield steps * d + 8 * Math.abs(d - stored) + 1e-30;
            }
            case Q5_0 -> {
                double d = blockAbsMax(x, i) / 16;
                double stored = Math.abs(Float.float16ToFloat(Float.floatToFloat16((float) d)));
                double steps = v > 15.49 * d ? 1.0001 : 0.5001; // as q4_0: the far side clamps at +15 steps
                yield steps * d + 16 * Math.abs(d - stored) + 1e-30;
            }
            // affine: half a step of (max − min)/levels, plus the fp16 rounding of d (over up to all levels) and m
            case Q4_1 -> affineBound(x, i, 15);
            case Q5_1 -> affineBound(x, i, 31);
            case Q4_K -> kBound(x, i, 32, 15);
            case Q5_K -> kBound(x, i, 32, 31);
            case Q6_K -> {
                // symmetric: half a step of amax/32 (one where the level clamps at +31), plus the int8 scale's
                // rounding (half of max/128 over up to 32 levels)
                int sub = i / 16 * 16;
                int block = i / 256 * 256;
                double amax = 0;
                double blockMax = 0;
                for (int j = block; j < block + 256; j++) {
                    blockMax = Math.max(blockMax, Math.abs(x[j]));
                    if (j >= sub && j < sub + 16) amax = Math.max(amax, Math.abs(x[j]));
                }
                yield amax / 32 + blockMax / 8 + 0x1p-24 * 128 * 32;
            }
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static double affineBound(float[] x, int i, int levels) {
        int from = i / 32 * 32;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int j = from; j < from + 32; j++) {
            lo = Math.min(lo, x[j]);
            hi = Math.max(hi, x[j]);
        }
        double d = (hi - lo) / levels;
        double storedD = Float.float16ToFloat(Float.floatToFloat16((float) d));
        double storedM = Float.float16ToFloat(Float.floatToFloat16((float) lo));
        return 0.5001 * d + levels * Math.abs(d - storedD) + Math.abs(lo - storedM) + 1e-30;
    }

    /**
     * The largest error of an affine k-quant (levels 0..nmax over sub-blocks of {@code sub}) on element i:
     * one step of its sub-block's own fit, plus what storing the sub-block's scale and min as 6-bit multiples
     * of the super-block's largest costs (half a 1/63 step each, over up to nmax levels), plus fp16's
     * subnormal spacing scaled the same way.
     */
    private static double kBound(float[] x, int i, int sub, int nmax) {
        int block = i / 256 * 256;
        double maxRange = 0;
        double maxMin = 0;
        double range = 0;
        for (int s = block; s < block + 256; s += sub) {
            double lo = 0;
            double hi = Double.NEGATIVE_INFINITY;
            for (int j = s; j < s + sub; j++) {
                lo = Math.min(lo, x[j]);
                hi = Math.max(hi, x[j]);
            }
            maxRange = Math.max(maxRange, hi - lo);
            maxMin = Math.max(maxMin, -lo);
            if (i >= s && i < s + sub) range = hi - lo;
        }
        return range / nmax + (maxRange + maxMin) / 63 + 0x1p-24 * 63 * nmax;
    }

    private static double blockAbsMax(float[] x, int i) {
        int from = i / 32 * 32;
        double amax = 0;
        for (int j = from; j < from + 32; j++) amax = Math.max(amax, Math.abs(x[j]));
        return amax;
    }

    private static float[] sample(String distribution, int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (distribution) {
                case "uniform" -> rnd.nextFloat(-1, 1);
                case "gaussian" -> (float) rnd.nextGaussian() * 0.02f;
                case "outliers" -> i % 37 == 0 ? rnd.nextFloat(-300, 300) : rnd.nextFloat(-0.1f, 0.1f);
                case "tiny" -> rnd.nextFloat(-1e-4f, 1e-4f);
                default -> throw new IllegalArgumentException(distribution);
            };
        }
        return x;
    }

    // ---- the API's edges ----

    @Test
    void writesExactlyItsBytesAtTheGivenOffset() {
        byte[] buf = new byte[100];
        Arrays.fill(buf, (byte) 0x5A);
        float[] src = new float[40];
        Arrays.fill(src, 1f);

        Quantizer.quantize(src, 8, 32, DType.Q8_0, MemorySegment.ofArray(buf), 10);

        for (int i = 0; i < 100; i++) {
            if (i < 10 || i >= 44) assertThat(buf[i]).as("byte %d", i).isEqualTo((byte) 0x5A);
        }
        assertThat(MemorySegment.ofArray(buf).get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 10))
                .isEqualTo(Float.floatToFloat16(1f / 127));
        assertThat(buf[12]).isEqualTo((byte) 127);
    }

    @Test
    void refusesTypesWithoutCodecsPartialBlocksAndBadRanges() {
        assertThatThrownBy(() -> Quantizer.quantize(new float[32], DType.Q8_1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Q8_1");
        assertThatThrownBy(() -> Quantizer.quantize(new float[33], DType.Q8_0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33");
        assertThatThrownBy(() -> Quantizer.quantize(new float[32], 1, 32, DType.F32, MemorySegment.ofArray(new byte[128]), 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Quantizer.quantize(new float[32], 0, 32, DType.F32, MemorySegment.ofArray(new byte[127]), 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
