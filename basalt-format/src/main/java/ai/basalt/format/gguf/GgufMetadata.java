package ai.basalt.format.gguf;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The key-value metadata of a GGUF file: immutable, in insertion (file) order, each value with its
 * {@link GgufValueType}.
 *
 * <p>Typed getters throw {@link GgufFormatException} naming the file (where known), the key, the expected and
 * the actual type when a key is missing or holds another type. Integer getters accept any of the eight integer
 * types whose value fits ({@code getInt} reads a {@code UINT32} below 2^31, an {@code INT64} of 5, ...) and fail
 * on overflow; float getters accept {@code FLOAT32} and {@code FLOAT64}. The {@code find} methods return empty
 * only for a missing key: a present key of the wrong type still throws, since that is a broken file.
 */
public final class GgufMetadata {
    private record Entry(GgufValueType type, Object value) {}

    private final Map<String, Entry> entries;
    private final Set<String> keys;
    /** The file the metadata came from, for messages; null for metadata built in code. */
    private final String source;

    private GgufMetadata(Map<String, Entry> entries, String source) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.keys = Collections.unmodifiableSet(this.entries.keySet());
        this.source = source;
    }

    public static Builder builder() {
        return new Builder(new LinkedHashMap<>());
    }

    /** A builder holding a copy of these entries, to derive new metadata (for example on export). */
    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(entries));
    }

    /** The keys, in file order. */
    public Set<String> keys() {
        return keys;
    }

    public int size() {
        return entries.size();
    }

    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** The value of {@code key} as stored, in the Java type {@link GgufValueType} gives for its type. */
    public Object raw(String key) {
        return entry(key, "a value").value();
    }

    public GgufValueType type(String key) {
        return entry(key, "a value").type();
    }

    public String getString(String key) {
        return (String) typed(key, GgufValueType.STRING).value();
    }

    public boolean getBool(String key) {
        return (Boolean) typed(key, GgufValueType.BOOL).value();
    }

    /** An integer value of any integer type that fits in an {@code int}. */
    public int getInt(String key) {
        Entry e = entry(key, "an integer");
        long value = integerValue(key, e);
        if (value != (int) value) throw fail(key, "holds " + e.type() + " " + value + ", which does not fit in an int");
        return (int) value;
    }

    /** An integer value of any integer type that fits in a {@code long} (a UINT64 of 2^63 or more does not). */
    public long getLong(String key) {
        return integerValue(key, entry(key, "an integer"));
    }

    /** A {@code FLOAT32} value, or a {@code FLOAT64} one rounded to float. */
    public float getFloat(String key) {
        return (float) getDouble(key);
    }

    /** A {@code FLOAT32} or {@code FLOAT64} value. */
    public double getDouble(String key) {
        Entry e = entry(key, "FLOAT32 or FLOAT64");
        return switch (e.type()) {
            case FLOAT32 -> (Float) e.value();
            case FLOAT64 -> (Double) e.value();
            default -> throw mistyped(key, e, "FLOAT32 or FLOAT64");
        };
    }

    public GgufArray getArray(String key) {
        return (GgufArray) typed(key, GgufValueType.ARRAY).value();
    }

    /** A copy of an array of {@code STRING}. */
    public String[] getStringArray(String key) {
        return (String[]) array(key, GgufValueType.STRING).toArray();
    }

    /** A copy of an array of {@code FLOAT32}, or of {@code FLOAT64} rounded to float. */
    public float[] getFloatArray(String key) {
        Entry e = entry(key, "ARRAY of FLOAT32");
        if (e.value() instanceof GgufArray a && a.elements() instanceof float[] floats) return floats.clone();
        if (e.value() instanceof GgufArray a && a.elements() instanceof double[] doubles) {
            float[] out = new float[doubles.length];
            for (int i = 0; i < out.length; i++) out[i] = (float) doubles[i];
            return out;
        }
        throw mistyped(key, e, "ARRAY of FLOAT32");
    }

    /** An array of any integer type whose every element fits in an {@code int}. */
    public int[] getIntArray(String key) {
        Entry e = entry(key, "ARRAY of an integer type");
        if (!(e.value() instanceof GgufArray a) || !a.elementType().isInteger()) {
            throw mistyped(key, e, "ARRAY of an integer type");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            long value = unsigned(a.elementType(), Array.getLong(a.elements(), i));
            if (value != (int) value) {
                throw fail(key, "element " + i + " is " + a.elementType() + " "
                        + (value < 0 && a.elementType() == GgufValueType.UINT64 ? Long.toUnsignedString(value) : value)
                        + ", which does not fit in an int");
            }
            out[i] = (int) value;
        }
        return out;
    }

    public Optional<String> findString(String key) {
        return find(key, this::getString);
    }

    public OptionalInt findInt(String key) {
        return contains(key) ? OptionalInt.of(getInt(key)) : OptionalInt.empty();
    }

    public OptionalLong findLong(String key) {
        return contains(key) ? OptionalLong.of(getLong(key)) : OptionalLong.empty();
    }

    public Optional<Float> findFloat(String key) {
        return find(key, this::getFloat);
    }

    public Optional<Boolean> findBool(String key) {
        return find(key, this::getBool);
    }

    /** Equal keys in the same order, with equal types and values (floats compared by their bits). */
    @Override
    public boolean equals(Object o) {
        return o instanceof GgufMetadata other && entries.equals(other.entries)
                && new ArrayList<>(keys).equals(new ArrayList<>(other.keys));
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "GgufMetadata{", "}");
        entries.forEach((k, e) -> out.add(GgufFormatException.escape(k) + ": " + e.type() + " " + display(e.type(), e.value())));
        return out.toString();
    }

    /** A value for messages and {@code toString}: strings quoted and escaped, unsigned integers unsigned. */
    static String display(GgufValueType type, Object value) {
        return switch (value) {
            case String s -> GgufFormatException.quote(s);
            case Number n when type == GgufValueType.UINT64 -> Long.toUnsignedString(n.longValue());
            case Number n when type.isInteger() -> String.valueOf(unsigned(type, n.longValue()));
            default -> String.valueOf(value);
        };
    }

    private <T> Optional<T> find(String key, Function<String, T> getter) {
        return contains(key) ? Optional.of(getter.apply(key)) : Optional.empty();
    }

    private Entry entry(String key, String expected) {
        Entry e = entries.get(key);
        if (e == null) throw fail(key, "is missing (" + expected + " expected)");
        return e;
    }

    private Entry typed(String key, GgufValueType expected) {
        Entry e = entry(key, expected.name());
        if (e.type() != expected) throw mistyped(key, e, expected.name());
        return e;
    }

    private GgufArray array(String key, GgufValueType elementType) {
        String expected = "ARRAY of " + elementType;
        Entry e = entry(key, expected);
        if (!(e.value() instanceof GgufArray a) || a.elementType() != elementType) throw mistyped(key, e, expected);
        return a;
    }

    private long integerValue(String key, Entry e) {
        if (!e.type().isInteger()) throw mistyped(key, e, "an integer");
        long value = unsigned(e.type(), ((Number) e.value()).longValue());
        if (e.type() == GgufValueType.UINT64 && value < 0) {
            throw fail(key, "holds UINT64 " + Long.toUnsignedString(value) + ", which does not fit in a long");
        }
        return value;
    }

    /** The value of integer bits {@code bits} stored as {@code type}: unsigned types are zero-extended. */
    static long unsigned(GgufValueType type, long bits) {
        return switch (type) {
            case UINT8 -> bits & 0xFFL;
            case UINT16 -> bits & 0xFFFFL;
            case UINT32 -> bits & 0xFFFF_FFFFL;
            default -> bits;
        };
    }

    private GgufFormatException mistyped(String key, Entry e, String expected) {
        String actual = e.value() instanceof GgufArray a ? "ARRAY of " + a.elementType() : e.type().name();
        return fail(key, "is " + actual + ", " + expected + " expected");
    }

    private GgufFormatException fail(String key, String problem) {
        return new GgufFormatException((source == null ? "" : source + ": ") + "metadata key "
                + GgufFormatException.quote(key) + " " + problem);
    }

    /**
     * Builds {@link GgufMetadata}. Putting a key that is already present replaces its value and keeps its
     * position. The convenience putters write the types llama.cpp uses: {@link #putInt} and {@link #putLong}
     * the unsigned {@code UINT32} and {@code UINT64} of hyper-parameters and token ids (so they reject negative
     * values), {@link #putIntArray} the {@code INT32} of token types; {@link #put} writes any type.
     */
    public static final class Builder {
        private final LinkedHashMap<String, Entry> entries;
        private String source;

        private Builder(LinkedHashMap<String, Entry> entries) {
            this.entries = entries;
        }

        /**
         * Puts {@code value} as {@code type}. Integer types take any {@code Byte}, {@code Short},
         * {@code Integer} or {@code Long} whose value is in the type's range ({@code UINT64} takes any long, a
         * negative one standing for its unsigned bits); float types take any {@code Number}; {@code BOOL} a
         * {@code Boolean}, {@code STRING} a {@code String}, {@code ARRAY} a {@link GgufArray}.
         *
         * @throws IllegalArgumentException if the value does not fit the type
         */
        public Builder put(String key, GgufValueType type, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value of " + key);
            entries.put(key, new Entry(type, normalize(key, type, value)));
            return this;
        }

        public Builder putString(String key, String value) {
            return put(key, GgufValueType.STRING, value);
        }

        /** Puts a {@code UINT32}; use {@code put(key, GgufValueType.INT32, value)} for a signed one. */
        public Builder putInt(String key, int value) {
            return put(key, GgufValueType.UINT32, value);
        }

        /** Puts a {@code UINT64}; use {@code put(key, GgufValueType.INT64, value)} for a signed one. */
        public Builder putLong(String key, long value) {
            if (value < 0) throw new IllegalArgumentException(key + ": UINT64 " + value + " is negative");
            return put(key, GgufValueType.UINT64, value);
        }

        public Builder putFloat(String key, float value) {
            return put(key, GgufValueType.FLOAT32, value);
        }

        public Builder putDouble(String key, double value) {
            return put(key, GgufValueType.FLOAT64, value);
        }

        public Builder putBool(String key, boolean value) {
            return put(key, GgufValueType.BOOL, value);
        }

        public Builder putStringArray(String key, String... values) {
            return put(key, GgufValueType.ARRAY, GgufArray.ofStrings(values));
        }

        public Builder putFloatArray(String key, float... values) {
            return put(key, GgufValueType.ARRAY, GgufArray.ofFloats(values));
        }

        /** Puts an array of {@code INT32}. */
        public Builder putIntArray(String key, int... values) {
            return put(key, GgufValueType.ARRAY, GgufArray.ofInts(values));
        }

        public Builder putArray(String key, GgufArray array) {
            return put(key, GgufValueType.ARRAY, array);
        }

        public Builder remove(String key) {
            entries.remove(key);
            return this;
        }

        public GgufMetadata build() {
            return new GgufMetadata(entries, source);
        }

        /** Names the file in the messages of the metadata built (for readers). */
        Builder source(String source) {
            this.source = source;
            return this;
        }

        boolean contains(String key) {
            return entries.containsKey(key);
        }

        /** Adds a value a reader decoded, already in its stored Java type. */
        void add(String key, GgufValueType type, Object value) {
            entries.put(key, new Entry(type, value));
        }

        private static Object normalize(String key, GgufValueType type, Object value) {
            return switch (type) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> integer(key, type, value);
                case FLOAT32 -> number(key, type, value).floatValue();
                case FLOAT64 -> number(key, type, value).doubleValue();
                case BOOL -> cast(key, type, value, Boolean.class);
                case STRING -> cast(key, type, value, String.class);
                case ARRAY -> cast(key, type, value, GgufArray.class);
            };
        }

        private static Object integer(String key, GgufValueType type, Object value) {
            if (!(value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long)) {
                throw new IllegalArgumentException(key + ": " + type + " needs an integer, got " + value.getClass().getSimpleName());
            }
            long v = ((Number) value).longValue();
            long[] range = switch (type) {
                case UINT8 -> new long[] {0, 0xFF};
                case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
                case UINT16 -> new long[] {0, 0xFFFF};
                case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
                case UINT32 -> new long[] {0, 0xFFFF_FFFFL};
                case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
                default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
            };
            if (v < range[0] || v > range[1]) {
                throw new IllegalArgumentException(key + ": " + v + " is outside " + type + "'s range [" + range[0] + ", " + range[1] + "]");
            }
            return switch (type) {
                case UINT8, INT8 -> (byte) v;
                case UINT16, INT16 -> (short) v;
                case UINT32, INT32 -> (int) v;
                default -> v;
            };
        }

        private static Number number(String key, GgufValueType type, Object value) {
            return cast(key, type, value, Number.class);
        }

        private static <T> T cast(String key, GgufValueType type, Object value, Class<T> expected) {
            if (!expected.isInstance(value)) {
                throw new IllegalArgumentException(key + ": " + type + " needs a " + expected.getSimpleName()
                        + ", got " + value.getClass().getSimpleName());
            }
            return expected.cast(value);
        }
    }
}
