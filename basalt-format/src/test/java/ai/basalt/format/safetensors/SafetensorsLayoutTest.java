package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsBytes.f32;
import static ai.basalt.format.safetensors.SafetensorsBytes.file;
import static ai.basalt.format.safetensors.SafetensorsBytes.written;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The writer lays files out byte for byte as the reference implementation does: the expected files here are the
 * ones its own serialization tests expect (huggingface/safetensors {@code tensor.rs}: a single F32 tensor, an empty
 * file with and without metadata, a header padded with spaces to a multiple of 8).
 */
class SafetensorsLayoutTest {
    private static final byte[] SIX_FLOATS = f32(0, 1, 2, 3, 4, 5);

    @Test
    void oneTensorIsCompactJsonThenData() {
        byte[] out = written(new SafetensorsWriter().add("attn.0", SafetensorsDType.F32, new long[] {1, 2, 3}, SIX_FLOATS));
        // 64 header bytes: already a multiple of 8, so no padding.
        assertThat(out).isEqualTo(file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
                SIX_FLOATS));
    }

    @Test
    void headerIsPaddedWithSpacesToAMultipleOfEight() {
        byte[] out = written(new SafetensorsWriter().add("attn0", SafetensorsDType.F32, new long[] {1, 1, 2, 3}, SIX_FLOATS));
        assertThat(out).isEqualTo(file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                SIX_FLOATS));
        assertThat(ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(72);
    }

    @Test
    void emptyFileWithAndWithoutMetadata() {
        assertThat(written(new SafetensorsWriter())).isEqualTo(file("{}      ", new byte[0]));
        assertThat(written(new SafetensorsWriter().metadata("framework", "pt")))
                .isEqualTo(file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]));
    }

    @Test
    void tensorsAreSortedByDescendingAlignmentThenNameSoEveryTensorIsAligned() {
        SafetensorsWriter writer = new SafetensorsWriter()
                .add("b", SafetensorsDType.U8, new long[] {3}, new byte[3])
                .add("a", SafetensorsDType.BOOL, new long[] {1}, new byte[1])
                .add("z", SafetensorsDType.F16, new long[] {1}, new byte[2])
                .add("c", SafetensorsDType.F64, new long[] {1}, new byte[8])
                .add("é", SafetensorsDType.F32, new long[] {1}, new byte[4])
                .add("y", SafetensorsDType.F32, new long[] {1}, new byte[4])
                .add("x", SafetensorsDType.I64, new long[] {1}, new byte[8])
                .add("w", SafetensorsDType.U64, new long[] {}, new byte[8]);
        try (SafetensorsFile f = SafetensorsBytes.read("layout.safetensors", written(writer))) {
            // UTF-8 byte order puts "é" (0xC3 0xA9) after "y".
            assertThat(f.tensors()).extracting(SafetensorsTensorInfo::name)
                    .containsExactly("w", "x", "c", "y", "é", "z", "b", "a");
            assertThat(f.dataOffset() % 8).isZero();
            for (SafetensorsTensorInfo t : f.tensors()) {
                assertThat(t.begin() % t.dtype().byteSize()).as(t.name()).isZero();
            }
        }
    }

    @Test
    void metadataComesFirstWithSortedKeysAndEscapedStrings() {
        byte[] out = written(new SafetensorsWriter().metadata("z", "last").metadata("a", "line\nbreak \"quoted\" é")
                .add("t\u0001", SafetensorsDType.I8, new long[] {2}, new byte[] {-1, 1}));
        long n = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(Arrays.copyOfRange(out, 8, 8 + (int) n), StandardCharsets.UTF_8);
        assertThat(header.stripTrailing()).isEqualTo("{\"__metadata__\":{\"a\":\"line\\nbreak \\\"quoted\\\" é\","
                + "\"z\":\"last\"},\"t\\u0001\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}");
        try (SafetensorsFile f = SafetensorsBytes.read("meta.safetensors", out)) {
            assertThat(f.metadata()).containsExactly(java.util.Map.entry("a", "line\nbreak \"quoted\" é"),
                    java.util.Map.entry("z", "last"));
            assertThat(f.info("t\u0001").shape()).containsExactly(2);
        }
    }
}
