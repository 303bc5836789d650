package ai.basalt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-type decoders that {@link VectorTensorOps} runs its loops over: one loop for element types (F32,
 * F16, BF16), one for the 32-element block types with a shared scale (Q8_0, Q4_0: {@link #blockQuants}), one
 * for those whose quants are nibbles plus an offset or a fifth bit (Q4_1, Q5_0, Q5_1: {@link #nibbleQuants}),
 * and one for the 256-element k-quant super-blocks, whose sub-blocks of 16 or 32 each have a scale and a min
 * (Q4_K, Q5_K, Q6_K: {@link #superQuants}). A decoder turns {@code L = SPECIES.length()} stored weights into
 * float lanes, reading the little-endian bytes straight from the {@link MemorySegment}; the loops own the
 * accumulation. A new type is one more switch arm here, in a decoder small enough that C2 still inlines it.
 */
final class VectorDecoders {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Elements per block of the block types. */
    static final int BLOCK = 32;

    /** Ints of the same shape as {@link #F}: the lanes fp16 and bf16 bits are widened into. */
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** L shorts: one F16 or BF16 lane group. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, shapeOf(L * 16));
    /**
     * Bytes loaded per quantized lane group: L, but at least the 64-bit minimum shape, in which case a
     * load serves two lane groups and {@code part} picks one (128-bit machines, L = 4).
     */
    private static final int G = Math.max(8, L);
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, shapeOf(G * 8));

    private static final ValueLayout.OfShort I16 = ScalarTensorOps.I16;

    private VectorDecoders() {}

    private static VectorShape shapeOf(int bits) {
        return VectorShape.forBitSize(Math.max(64, bits));
    }

    /**
     * The L elements of an element type (F32, F16, BF16) that start at byte {@code offset}.
     *
     * <p>A switch, not one object per type: the loops calling it are compiled once for all types, and a
     * call through an interface with more than two receivers is not inlined there, which boxes every
     * vector. Each arm calls only Vector API and memory-access methods, which the JIT always inlines, so
     * an arm first taken after the loop was compiled stays in registers too.
     */
    static FloatVector elements(DType type, MemorySegment seg, long offset) {
        return switch (type) {
            case F32 -> FloatVector.fromMemorySegment(F, seg, offset, LE);
            case F16 -> {
                // binary16 bits moved up 13 places and multiplied by 2^112: the exponent is rebiased
                // (15 -> 127) and subnormals normalised exactly; all-ones exponents are rebuilt as Inf/NaN
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, offset, LE)
                        .convertShape(VectorOperators.S2I, I, 0);
                IntVector magnitude = h.and(0x7FFF);
                IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
                IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
                VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
                IntVector abs = finite.blend(shifted.or(0x7F800000), special);
                yield abs.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            }
            // bfloat16 is the high half of a float32
            case BF16 -> ((IntVector) ShortVector.fromMemorySegment(S, seg, offset, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            default -> throw unsupported(type);
        };
    }

    /** The element at byte {@code offset}, for tails. */
    static float element(DType type, MemorySegment seg, long offset) {
        return switch (type) {
            case F32 -> seg.get(ScalarTensorOps.F32, offset);
            case F16 -> Float.float16ToFloat(seg.get(I16, offset));
            case BF16 -> ScalarTensorOps.bf16ToFloat(seg.get(I16, offset));
            default -> throw unsupported(type);
        };
    }

    /** The scale of the block at byte {@code block}: every 32-element block type leads with an fp16 d. */
    static float blockScale(MemorySegment seg, long block) {
        return Float.float16ToFloat(seg.get(I16, block));
    }

    /** Lane group {@code c} in [0, BLOCK / L) of the quants of the block at byte {@code block}, unscaled. */
    static FloatVector blockQuants(DType type, MemorySegment seg, long block, int c) {
        int e = c * L;
        return switch (type) {
            // block_q8_0: d, then 32 int8 quants; x = d·q
            case Q8_0 -> {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, block + 2 + (e & -G), LE);
                yield (FloatVector) q.convertShape(VectorOperators.B2F, F, (e % G) / L);
            }
            // block_q4_0: d, then 16 bytes whose low nibbles are elements 0..15 and high nibbles 16..31;
            // x = d·(nibble − 8)
            case Q4_0 -> {
                int inHalf = e % (BLOCK / 2);
                ByteVector packed = ByteVector.fromMemorySegment(B, seg, block + 2 + (inHalf & -G), LE);
                ByteVector nibbles = e < BLOCK / 2 ? packed : packed.lanewise(VectorOperators.LSHR, 4);
                ByteVector q = nibbles.and((byte) 0x0F).sub((byte) 8);
                yield (FloatVector) q.convertShape(VectorOperators.B2F, F, (inHalf % G) / L);
            }
            default -> throw unsupported(type);
        };
    }

    /**
     * Lane group {@code c} of the quants of a q4_1, q5_0 or q5_1 block, unscaled. A decoder of its own, not
     * more arms of {@link #blockQuants}: C2 inlines a compiled method into the loops only while its code is
     * small, and a decoder it does not inline boxes every vector it returns.
     */
    static FloatVector nibbleQuants(DType type, MemorySegment seg, long block, int c) {
        int e = c * L;
        return switch (type) {
            // block_q4_1: d, m, then 16 bytes of nibbles as in q4_0; x = d·nibble + m
            case Q4_1 -> toFloats(nibbles(seg, block + 4, e), e);
            // block_q5_0: d, 32 fifth bits, then the nibbles; x = d·(q − 16)
            case Q5_0 -> toFloats(nibbles(seg, block + 6, e).or(fifthBits(seg, block + 2, e)).sub((byte) 16), e);
            // block_q5_1: d, m, 32 fifth bits, then the nibbles; x = d·q + m
            case Q5_1 -> toFloats(nibbles(seg, block + 8, e).or(fifthBits(seg, block + 4, e)), e);
            default -> throw unsupported(type);
        };
    }

    /**
     * The G bytes holding elements [e, e + L) of a block whose 16 bytes at {@code qs} hold elements 0..15 in
     * their low nibbles and 16..31 in their high nibbles (q4_0, q4_1, and the low bits of q5_0, q5_1), as
     * values 0..15. Byte lane i is element {@link #firstOfLoad}(e) + i.
     */
    private static ByteVector nibbles(MemorySegment seg, long qs, int e) {
        ByteVector packed = ByteVector.fromMemorySegment(B, seg, qs + (e % (BLOCK / 2) & -G), LE);
        return (e < BLOCK / 2 ? packed : packed.lanewise(VectorOperators.LSHR, 4)).and((byte) 0x0F);
    }

    /** 16 in byte lane i where bit {@link #firstOfLoad}(e) + i of the little-endian uint32 at {@code qh} is set. */
    private static ByteVector fifthBits(MemorySegment seg, long qh, int e) {
        long bits = (seg.get(ScalarTensorOps.I32, qh) >>> firstOfLoad(e)) & ((1L << G) - 1);
        return ByteVector.zero(B).blend((byte) 16, VectorMask.fromLong(B, bits));
    }

    /** The element in byte lane 0 of the nibble load that serves element e. */
    private static int firstOfLoad(int e) {
        return e - e % (BLOCK / 2) + (e % (BLOCK / 2) & -G);
    }

    /** The L lanes of a nibble load that are elements [e, e + L), as floats. */
    private static FloatVector toFloats(ByteVector q, int e) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, (e % (BLOCK / 2) % G) / L);
    }

    /** The offset m of the block types Q4_1 and Q5_1 (an fp16 after d); 0 for Q5_0. */
    static float blockMin(DType type, MemorySegment seg, long block) {
        return type == DType.Q5_0 ? 0f : Float.float16ToFloat(seg.get(I16, block + 2));
    }

    /** Elements sharing one scale (and min) in a k-quant super-block: 16 in Q6_K, 32 in Q4_K and Q5_K. */
    static int subBlockSize(DType type) {
        return type == DType.Q6_K ? 16 : 32;
    }

    /** The float scale of sub-block {@code s} of the k-quant super-block at byte {@code block}. */
    static float subScale(DType type, MemorySegment seg, long block, int s) {
        return switch (type) {
            // d · 6-bit scale, as dequantize_row_q4_K forms it before multiplying
            case Q4_K, Q5_K -> Float.float16ToFloat(seg.get(I16, block)) * ScalarTensorOps.kScale(seg, block + 4, s);
            // d · int8 scale, d stored last
            case Q6_K -> Float.float16ToFloat(seg.get(I16, block + 208)) * seg.get(ValueLayout.JAVA_BYTE, block + 192 + s);
            default -> throw unsupported(type);
        };
    }

    /** What sub-block {@code s} subtracts from every scaled quant: dmin · 6-bit min (0 for Q6_K). */
    static float subMin(DType type, MemorySegment seg, long block, int s) {
        return switch (type) {
            case Q4_K, Q5_K -> Float.float16ToFloat(seg.get(I16, block + 2)) * ScalarTensorOps.kMin(seg, block + 4, s);
            case Q6_K -> 0f;
            default -> throw unsupported(type);
        };
    }

    /**
     * The L unscaled quants of super-block elements [e, e + L), e a multiple of L. In every k-quant layout
     * element e's bits sit at byte e % 32 of some 32-byte row, so a load of G bytes serves G / L lane groups.
     */
    static FloatVector superQuants(DType type, MemorySegment seg, long block, int e) {
        ByteVector q = switch (type) {
            case Q4_K -> q4K(seg, block, e);
            case Q5_K -> q5K(seg, block, e);
            case Q6_K -> q6K(seg, block, e);
            default -> throw unsupported(type);
        };
        return superFloats(q, e);
    }

    /** The lane group of the decoded k-quants {@code q} (as {@link #q4K}, {@link #q5K}, {@link #q6K} load them) for element e. */
    static FloatVector superFloats(ByteVector q, int e) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, (e % 32 % G) / L);
    }

    /** block_q4_K: 64 elements per 32 bytes from byte 16 on, low nibbles first. */
    static ByteVector q4K(MemorySegment seg, long block, int e) {
        ByteVector packed = ByteVector.fromMemorySegment(B, seg, block + 16 + 32 * (e / 64) + (e % 32 & -G), LE);
        return (e % 64 < 32 ? packed : packed.lanewise(VectorOperators.LSHR, 4)).and((byte) 0x0F);
    }

    /** block_q5_K: block_q4_K's nibbles from byte 48 on, topped by bit e / 32 of byte 16 + e % 32. */
    static ByteVector q5K(MemorySegment seg, long block, int e) {
        int j = e / 32;
        int row = e % 32 & -G;
        ByteVector packed = ByteVector.fromMemorySegment(B, seg, block + 48 + 32 * (j / 2) + row, LE);
        ByteVector high = ByteVector.fromMemorySegment(B, seg, block + 16 + row, LE);
        ByteVector nibbles = (j % 2 == 0 ? packed : packed.lanewise(VectorOperators.LSHR, 4)).and((byte) 0x0F);
        return nibbles.or(high.lanewise(VectorOperators.LSHR, j).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
    }

    /**
     * block_q6_K: element 128·h + 32·k + l is the low (k < 2) or high nibble of byte 64·h + 32·(k % 2) + l,
     * topped by bits 2k and 2k+1 of byte 128 + 32·h + l, minus 32.
     */
    static ByteVector q6K(MemorySegment seg, long block, int e) {
        int h = e / 128;
        int k = e % 128 / 32;
        int row = e % 32 & -G;
        ByteVector low = ByteVector.fromMemorySegment(B, seg, block + 64 * h + 32 * (k % 2) + row, LE);
        ByteVector high = ByteVector.fromMemorySegment(B, seg, block + 128 + 32 * h + row, LE);
        ByteVector nibbles = (k < 2 ? low : low.lanewise(VectorOperators.LSHR, 4)).and((byte) 0x0F);
        ByteVector pairs = high.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
        return nibbles.or(pairs).sub((byte) 32);
    }

    static UnsupportedOperationException unsupported(DType type) {
        return new UnsupportedOperationException("no vector kernel for tensor type " + type);
    }
}
