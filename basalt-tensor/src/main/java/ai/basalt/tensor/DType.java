package ai.basalt.tensor;

/**
 * GGML element types as stored in GGUF files. Each type carries its GGML id, the number of elements in
 * one block and the bytes one block occupies (ggml {@code ggml.h}, {@code ggml_type_traits}).
 *
 * <p>Only types marked {@link #computable()} have kernels; the others are known so that a reader can name
 * them in an error and size their data.
 */
public enum DType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, true),
    Q5_0(6, 32, 22, true),
    Q5_1(7, 32, 24, true),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, false),
    Q3_K(11, 256, 110, false),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, false),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true);

    private static final DType[] BY_ID = new DType[64];

    static {
        for (DType t : values()) BY_ID[t.ggmlId] = t;
    }

    private final int ggmlId;
    private final int blockSize;
    private final int bytesPerBlock;
    private final boolean computable;

    DType(int ggmlId, int blockSize, int bytesPerBlock, boolean computable) {
        this.ggmlId = ggmlId;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
        this.computable = computable;
    }

    /** The type's id in GGML and GGUF. */
    public int ggmlId() {
        return ggmlId;
    }

    /** Elements per block (1 for plain float and integer types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes one block occupies. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** Whether Basalt has kernels for this type. */
    public boolean computable() {
        return computable;
    }

    /** Whether the type is stored in blocks with a shared scale. */
    public boolean quantized() {
        return blockSize > 1;
    }

    /**
     * Bytes needed for {@code elements} elements.
     *
     * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks
     * @throws ArithmeticException if the size overflows a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    "element count " + elements + " is not a multiple of " + name() + "'s block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) bytesPerBlock);
    }

    /** The type with GGML id {@code id}, or null if Basalt does not know it. */
    public static DType fromGgmlId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
