package ai.basalt.format.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian reads over the bytes of a GGUF file, each checked against the end of the file. Every problem
 * becomes a {@link GgufFormatException} naming the file, the offset and what was being read, so no
 * {@code IndexOutOfBoundsException} or allocation sized by an unchecked count can escape a reader.
 */
final class GgufInput {
    /** The largest Java array length every JVM allocates. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final MemorySegment data;
    private final long size;
    private long position;
    /** What is being read, for messages, e.g. {@code "metadata key 'general.name'"}. */
    private String context = "";

    GgufInput(String source, MemorySegment data) {
        this.source = source;
        this.data = data;
        this.size = data.byteSize();
    }

    String source() {
        return source;
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - position;
    }

    void context(String context) {
        this.context = context;
    }

    byte i8(String what) {
        require(1, what);
        return data.get(ValueLayout.JAVA_BYTE, position++);
    }

    short i16(String what) {
        require(2, what);
        short v = data.get(I16, position);
        position += 2;
        return v;
    }

    int i32(String what) {
        require(4, what);
        int v = data.get(I32, position);
        position += 4;
        return v;
    }

    long i64(String what) {
        require(8, what);
        long v = data.get(I64, position);
        position += 8;
        return v;
    }

    float f32(String what) {
        return Float.intBitsToFloat(i32(what));
    }

    double f64(String what) {
        return Double.longBitsToDouble(i64(what));
    }

    /**
     * A {@code uint64} count of items that each take at least {@code minBytesEach} bytes, rejected unless the
     * rest of the file can hold that many: a hostile count fails here, before anything is allocated for it.
     */
    long count(String what, int minBytesEach) {
        long n = i64(what);
        if (Long.compareUnsigned(n, remaining() / minBytesEach) > 0) {
            throw fail(what + " " + Long.toUnsignedString(n) + " exceeds what the remaining " + remaining()
                    + " bytes of the file can hold (at least " + minBytesEach + " bytes each)");
        }
        return n;
    }

    /** A {@link #count} that must also fit in a Java array. */
    int arrayLength(String what, int minBytesEach) {
        long n = count(what, minBytesEach);
        if (n > MAX_ARRAY_LENGTH) throw fail(what + " " + n + " exceeds the largest supported array, " + MAX_ARRAY_LENGTH);
        return (int) n;
    }

    /**
     * A GGUF string: {@code uint64} length, then that many bytes of UTF-8. Malformed UTF-8 is decoded with
     * U+FFFD replacement characters rather than rejected: llama.cpp does not validate it either, and a file
     * llama.cpp opens should open here.
     */
    String string(String what, long maxBytes) {
        long length = i64(what + " length");
        if (Long.compareUnsigned(length, remaining()) > 0) {
            throw fail(what + " length " + Long.toUnsignedString(length) + " exceeds the remaining " + remaining()
                    + " bytes of the file");
        }
        if (length > maxBytes) throw fail(what + " of " + length + " bytes exceeds the limit of " + maxBytes + " bytes");
        if (length == 0) return "";
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, position, bytes, 0, bytes.length);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * {@code n} fixed-size values of {@code type} copied in one go into a new Java array of the matching type;
     * the caller has bounded {@code n} with {@link #arrayLength}.
     */
    Object fixedSizeArray(GgufValueType type, int n, String what) {
        require((long) n * type.minBytes(), what);
        Object array = allocate(type, n);
        ValueLayout layout = switch (type) {
            case UINT8, INT8, BOOL -> ValueLayout.JAVA_BYTE;
            case UINT16, INT16 -> I16;
            case UINT32, INT32 -> I32;
            case UINT64, INT64 -> I64;
            case FLOAT32 -> F32;
            case FLOAT64 -> F64;
            case STRING, ARRAY -> throw new IllegalArgumentException(type + " has no fixed size");
        };
        if (type == GgufValueType.BOOL) {
            boolean[] out = (boolean[]) array;
            for (int i = 0; i < n; i++) out[i] = bool(data.get(ValueLayout.JAVA_BYTE, position + i));
        } else {
            MemorySegment.copy(data, layout, position, array, 0, n);
        }
        position += (long) n * type.minBytes();
        return array;
    }

    /** A GGUF bool: one byte, 0 or 1; the spec calls anything else invalid. */
    boolean bool(String what) {
        require(1, what);
        return bool(data.get(ValueLayout.JAVA_BYTE, position++));
    }

    /** A new Java array for {@code n} elements of {@code type}, failing cleanly where the heap cannot hold it. */
    Object allocate(GgufValueType type, int n) {
        try {
            return java.lang.reflect.Array.newInstance(type.arrayClass().getComponentType(), n);
        } catch (OutOfMemoryError e) {
            throw fail("array of " + n + " " + type + " elements does not fit in memory");
        }
    }

    GgufFormatException fail(String problem) {
        return new GgufFormatException(source + ": " + problem + (context.isEmpty() ? "" : " (" + context + ")"));
    }

    private boolean bool(byte b) {
        if (b != 0 && b != 1) throw fail("bool value " + (b & 0xFF) + " is neither 0 nor 1");
        return b == 1;
    }

    private void require(long bytes, String what) {
        if (bytes > size - position) {
            throw fail("truncated: " + what + " needs " + bytes + " bytes at offset " + position
                    + ", but the file ends at " + size);
        }
    }
}
