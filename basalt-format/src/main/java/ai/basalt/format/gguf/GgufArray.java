package ai.basalt.format.gguf;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An immutable GGUF metadata array: an element type and its elements, held in a Java array of the same width
 * ({@code byte[]} for {@link GgufValueType#UINT8} and {@link GgufValueType#INT8}, {@code short[]}, {@code int[]},
 * {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}, and {@code GgufArray[]}
 * for nested arrays, which the format allows).
 */
public final class GgufArray {
    private static final int SHOWN_ELEMENTS = 8;

    private final GgufValueType elementType;
    /** The backing Java array, never handed out. */
    private final Object elements;

    private GgufArray(GgufValueType elementType, Object elements) {
        this.elementType = elementType;
        this.elements = elements;
    }

    /** An array over {@code elements}, taken without a copy: for readers that built the array themselves. */
    static GgufArray wrap(GgufValueType elementType, Object elements) {
        return new GgufArray(elementType, elements);
    }

    /**
     * An array of {@code elementType} holding a copy of {@code elements}, a Java array of the matching type
     * (see the class comment).
     *
     * @throws IllegalArgumentException if {@code elements} is not the Java array type that holds
     *     {@code elementType}, or holds a null string or array
     */
    public static GgufArray of(GgufValueType elementType, Object elements) {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(elements, "elements");
        Class<?> expected = elementType.arrayClass();
        if (!expected.isInstance(elements)) {
            throw new IllegalArgumentException("a GGUF " + elementType + " array is held in a "
                    + expected.getSimpleName() + ", got " + elements.getClass().getSimpleName());
        }
        Object copy = copy(elements);
        if (copy instanceof Object[] objects) {
            for (int i = 0; i < objects.length; i++) {
                if (objects[i] == null) throw new IllegalArgumentException("element " + i + " is null");
            }
        }
        return new GgufArray(elementType, copy);
    }

    public static GgufArray ofStrings(String... values) {
        return of(GgufValueType.STRING, values);
    }

    public static GgufArray ofFloats(float... values) {
        return of(GgufValueType.FLOAT32, values);
    }

    /** An array of {@link GgufValueType#INT32}, the type llama.cpp uses for token types. */
    public static GgufArray ofInts(int... values) {
        return of(GgufValueType.INT32, values);
    }

    /** An array of arrays; each inner array keeps its own element type. */
    public static GgufArray ofArrays(GgufArray... arrays) {
        return of(GgufValueType.ARRAY, arrays);
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int size() {
        return Array.getLength(elements);
    }

    /**
     * Element {@code index}, boxed as {@link GgufValueType} describes ({@code Byte} for UINT8, {@code GgufArray}
     * for a nested array, ...).
     */
    public Object get(int index) {
        return Array.get(elements, index);
    }

    /** A copy of the elements, as a Java array of the type the class comment gives. */
    public Object toArray() {
        return copy(elements);
    }

    /** The backing array, for package code that only reads it. */
    Object elements() {
        return elements;
    }

    @Override
    public boolean equals(Object o) {
        // Objects.deepEquals compares floats by bits, so -0.0 differs from 0.0 and NaN equals itself.
        return o instanceof GgufArray other && elementType == other.elementType
                && Objects.deepEquals(elements, other.elements);
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {elements});
    }

    @Override
    public String toString() {
        int size = size();
        StringJoiner shown = new StringJoiner(", ", elementType + "[" + size + "]{", size > SHOWN_ELEMENTS ? ", ...}" : "}");
        for (int i = 0; i < Math.min(size, SHOWN_ELEMENTS); i++) {
            shown.add(GgufMetadata.display(elementType, get(i)));
        }
        return shown.toString();
    }

    private static Object copy(Object array) {
        return switch (array) {
            case byte[] a -> a.clone();
            case short[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case boolean[] a -> a.clone();
            case Object[] a -> a.clone();
            default -> throw new IllegalArgumentException("not an array: " + array.getClass().getName());
        };
    }
}
