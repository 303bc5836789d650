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
 * The per-type decoders that {@link VectorTensorOps} runs its two loops over: one loop for element types
 * (F32, F16, BF16), one for block types with a shared scale per {@link #BLOCK} elements (Q8_0, Q4_0). A
 * decoder turns {@code L = SPECIES.length()} stored weights into float lanes, reading the little-endian
 * bytes straight from the {@link MemorySegment}; the loops own the accumulation. A new type is one more
 * switch arm here.
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

    /** The scale of the block at byte {@code block}: Q8_0 and Q4_0 both lead with an fp16 d. */
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

    static UnsupportedOperationException unsupported(DType type) {
        return new UnsupportedOperationException("no vector kernel for tensor type " + type);
    }
}
