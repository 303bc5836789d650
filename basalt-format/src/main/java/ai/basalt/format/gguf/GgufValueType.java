package ai.basalt.format.gguf;

/**
 * The value types of GGUF metadata (ggml {@code docs/gguf.md}, {@code gguf_metadata_value_type}), with their
 * ids on disk. Ids are fixed by the format.
 *
 * <p>In {@link GgufMetadata#raw(String)} and {@link GgufArray}, a value of each type is held in the Java type
 * of the same width, unsigned ones included (their bits are kept; the typed getters of {@link GgufMetadata}
 * read them as unsigned): {@code Byte} for {@link #UINT8} and {@link #INT8}, {@code Short} for the 16-bit
 * types, {@code Integer} for the 32-bit ones, {@code Long} for the 64-bit ones, {@code Float}, {@code Double},
 * {@code Boolean}, {@code String}, and {@link GgufArray} for {@link #ARRAY}.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 8),
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The type's id in a GGUF file. */
    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type takes in a file: its size for fixed-size types, the 8-byte
     * length of a string, the 4-byte element type and 8-byte length of an array. Readers bound counts with it.
     */
    public int minBytes() {
        return minBytes;
    }

    /** Whether this is one of the eight integer types. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Whether this is an unsigned integer type. */
    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Whether values of this type have a fixed size on disk (everything but strings and arrays). */
    public boolean fixedSize() {
        return this != STRING && this != ARRAY;
    }

    /**
     * The type with GGUF id {@code id}.
     *
     * @throws IllegalArgumentException if no type has that id
     */
    public static GgufValueType fromId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            throw new IllegalArgumentException("unknown GGUF value type id " + Integer.toUnsignedString(id)
                    + " (0 to " + (BY_ID.length - 1) + " expected)");
        }
        return BY_ID[id];
    }

    /** Whether {@link #fromId(int)} knows {@code id}. */
    static boolean known(int id) {
        return id >= 0 && id < BY_ID.length;
    }

    /** The Java array type holding elements of this type in a {@link GgufArray}. */
    Class<?> arrayClass() {
        return switch (this) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }
}
