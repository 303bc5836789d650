package ai.basalt.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GgufMetadataTest {
    private final GgufMetadata metadata = GgufTestFiles.everyType();

    @Test
    void integerGettersAcceptEveryIntegerTypeThatFits() {
        assertThat(metadata.getInt("test.uint8")).isEqualTo(200);
        assertThat(metadata.getInt("test.int8")).isEqualTo(-100);
        assertThat(metadata.getInt("test.uint16")).isEqualTo(60_000);
        assertThat(metadata.getInt("test.int16")).isEqualTo(-30_000);
        assertThat(metadata.getInt("test.int32")).isEqualTo(-2_000_000_000);
        assertThat(metadata.getLong("test.uint32")).isEqualTo(4_000_000_000L);
        assertThat(metadata.getLong("test.int64")).isEqualTo(Long.MIN_VALUE);
        GgufMetadata small = GgufMetadata.builder().put("u64", GgufValueType.UINT64, 5L).put("i64", GgufValueType.INT64, -5L).build();
        assertThat(small.getInt("u64")).isEqualTo(5);
        assertThat(small.getInt("i64")).isEqualTo(-5);
    }

    @Test
    void integerGettersFailOnOverflow() {
        assertThatThrownBy(() -> metadata.getInt("test.uint32"))
                .isInstanceOf(GgufFormatException.class)
                .hasMessage("metadata key 'test.uint32' holds UINT32 4000000000, which does not fit in an int");
        assertThatThrownBy(() -> metadata.getLong("test.uint64"))
                .isInstanceOf(GgufFormatException.class)
                .hasMessage("metadata key 'test.uint64' holds UINT64 18446744073709551615, which does not fit in a long");
        assertThatThrownBy(() -> metadata.getIntArray("test.array.uint32"))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("element 0 is UINT32 4294967295, which does not fit in an int");
    }

    @Test
    void gettersNameKeyExpectedAndActualType() {
        assertThatThrownBy(() -> metadata.getString("test.uint32"))
                .isInstanceOf(GgufFormatException.class)
                .hasMessage("metadata key 'test.uint32' is UINT32, STRING expected");
        assertThatThrownBy(() -> metadata.getInt("test.string"))
                .hasMessage("metadata key 'test.string' is STRING, an integer expected");
        assertThatThrownBy(() -> metadata.getFloat("test.bool"))
                .hasMessage("metadata key 'test.bool' is BOOL, FLOAT32 or FLOAT64 expected");
        assertThatThrownBy(() -> metadata.getStringArray("test.array.int32"))
                .hasMessage("metadata key 'test.array.int32' is ARRAY of INT32, ARRAY of STRING expected");
        assertThatThrownBy(() -> metadata.getFloatArray("test.string"))
                .hasMessage("metadata key 'test.string' is STRING, ARRAY of FLOAT32 expected");
        assertThatThrownBy(() -> metadata.getBool("absent.key"))
                .hasMessage("metadata key 'absent.key' is missing (BOOL expected)");
    }

    @Test
    void gettersOfMetadataReadFromAFileNameTheFile() {
        byte[] bytes = GgufTestFiles.bytesOf(new GgufWriter(metadata));
        try (GgufFile gguf = GgufTestFiles.read("named.gguf", bytes)) {
            assertThatThrownBy(() -> gguf.metadata().getString("test.uint32"))
                    .hasMessage("named.gguf: metadata key 'test.uint32' is UINT32, STRING expected");
            assertThatThrownBy(() -> gguf.tensor("missing.weight"))
                    .isInstanceOf(GgufFormatException.class)
                    .hasMessage("named.gguf: no tensor 'missing.weight' among its 0 tensors");
        }
    }

    @Test
    void findIsEmptyOnlyForMissingKeys() {
        assertThat(metadata.findString("absent")).isEmpty();
        assertThat(metadata.findInt("absent")).isEmpty();
        assertThat(metadata.findFloat("absent")).isEmpty();
        assertThat(metadata.findBool("absent")).isEmpty();
        assertThat(metadata.findString("test.string")).contains("hello");
        assertThat(metadata.findInt("test.uint16")).hasValue(60_000);
        assertThat(metadata.findLong("test.uint32")).hasValue(4_000_000_000L);
        assertThat(metadata.findFloat("test.float32")).contains(-1.5f);
        assertThat(metadata.findBool("test.bool")).contains(true);
        assertThatThrownBy(() -> metadata.findInt("test.string")).isInstanceOf(GgufFormatException.class);
    }

    @Test
    void floatGettersNarrowFloat64() {
        assertThat(metadata.getFloat("test.float64")).isEqualTo((float) Math.PI);
        assertThat(metadata.getDouble("test.float64")).isEqualTo(Math.PI);
        assertThat(metadata.getFloatArray("test.array.float64")).containsExactly(Float.POSITIVE_INFINITY, -2.5f);
        assertThat(metadata.getFloatArray("test.array.float32")).containsExactly(0.5f, -0.0f, Float.POSITIVE_INFINITY);
    }

    @Test
    void arraysComeOutAsCopies() {
        String[] strings = metadata.getStringArray("test.array.string");
        strings[0] = "changed";
        assertThat(metadata.getStringArray("test.array.string")).containsExactly("a", "", "\u2581the", "\ud83e\udd99");
        int[] ints = metadata.getIntArray("test.array.int32");
        ints[0] = 99;
        assertThat(metadata.getIntArray("test.array.int32")).containsExactly(-1, 0, Integer.MAX_VALUE);
        byte[] raw = (byte[]) metadata.getArray("test.array.uint8").toArray();
        raw[0] = 9;
        assertThat(metadata.getArray("test.array.uint8").get(0)).isEqualTo((byte) 0);
        assertThat(metadata.getIntArray("test.array.uint8")).containsExactly(0, 255, 7);
        assertThatThrownBy(() -> metadata.keys().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void builderChecksRangesAndJavaTypes() {
        GgufMetadata.Builder b = GgufMetadata.builder();
        assertThatThrownBy(() -> b.put("k", GgufValueType.UINT8, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256 is outside UINT8's range [0, 255]");
        assertThatThrownBy(() -> b.put("k", GgufValueType.INT16, 40_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.putInt("k", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UINT32");
        assertThatThrownBy(() -> b.putLong("k", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.put("k", GgufValueType.STRING, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRING needs a String, got Integer");
        assertThatThrownBy(() -> b.put("k", GgufValueType.INT32, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufArray.of(GgufValueType.INT32, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int[], got long[]");
        assertThatThrownBy(() -> GgufArray.ofStrings("a", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putReplacesInPlaceAndToBuilderDerivesNewMetadata() {
        GgufMetadata first = GgufMetadata.builder().putString("a", "1").putString("b", "2").putString("c", "3").build();
        GgufMetadata derived = first.toBuilder().putInt("b", 5).remove("c").putBool("d", false).build();
        assertThat(List.copyOf(derived.keys())).containsExactly("a", "b", "d");
        assertThat(derived.type("b")).isEqualTo(GgufValueType.UINT32);
        assertThat(first.getString("b")).isEqualTo("2");
        assertThat(first).isNotEqualTo(derived);
    }

    @Test
    void equalityIsOrderedAndComparesFloatBits() {
        GgufMetadata ab = GgufMetadata.builder().putInt("a", 1).putInt("b", 2).build();
        GgufMetadata ba = GgufMetadata.builder().putInt("b", 2).putInt("a", 1).build();
        assertThat(ab).isNotEqualTo(ba);
        assertThat(GgufMetadata.builder().putFloat("z", 0f).build()).isNotEqualTo(GgufMetadata.builder().putFloat("z", -0f).build());
        assertThat(GgufMetadata.builder().putFloat("n", Float.NaN).build()).isEqualTo(GgufMetadata.builder().putFloat("n", Float.NaN).build());
        assertThat(GgufArray.ofFloats(0f)).isNotEqualTo(GgufArray.ofFloats(-0f));
        assertThat(GgufArray.ofInts(1)).isNotEqualTo(GgufArray.of(GgufValueType.UINT32, new int[] {1}));
    }

    @Test
    void valueTypeIdsAreTheSpecs() {
        assertThat(GgufValueType.values()).extracting(GgufValueType::id)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(GgufValueType.fromId(9)).isEqualTo(GgufValueType.ARRAY);
        assertThatThrownBy(() -> GgufValueType.fromId(13)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown GGUF value type id 13");
        assertThat(TokenType.fromId(6)).isEqualTo(TokenType.BYTE);
    }
}
