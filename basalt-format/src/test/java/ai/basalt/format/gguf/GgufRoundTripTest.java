package ai.basalt.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyMetadataTypeAndTensorTypeReadsBackEqual() {
        GgufMetadata metadata = GgufTestFiles.everyType();
        Path file = dir.resolve("every.gguf");
        GgufTestFiles.withSampleTensors(metadata, 7).write(file);

        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.metadata()).isEqualTo(metadata);
            assertThat(List.copyOf(gguf.metadata().keys())).containsExactlyElementsOf(metadata.keys());
            for (String key : metadata.keys()) {
                assertThat(gguf.metadata().type(key)).as(key).isEqualTo(metadata.type(key));
                assertThat(gguf.metadata().raw(key)).as(key).isEqualTo(metadata.raw(key));
            }
            assertThat(gguf.metadata().getString("test.unicode")).isEqualTo("h\u00e9llo \u2581w\u00f6rld \ud83e\udd99 \u65e5\u672c\u8a9e");
            assertThat(gguf.metadata().getString("test.empty")).isEmpty();
            assertThat(gguf.metadata().getLong("test.uint32")).isEqualTo(4_000_000_000L);
            assertThat(Float.floatToRawIntBits(gguf.metadata().getFloat("test.negative_zero"))).isEqualTo(0x8000_0000);
            assertThat(gguf.metadata().getArray("test.array.nested").get(2)).isEqualTo(
                    GgufArray.ofArrays(GgufArray.ofFloats(1f), GgufArray.ofArrays()));
            assertThat(gguf.architecture()).isEqualTo("llama");
            assertThat(gguf.alignment()).isEqualTo(32);
            assertThat(gguf.dataOffset() % 32).isZero();
            assertThat(gguf.tensors()).extracting(GgufTensorInfo::name)
                    .containsExactly("f32", "f16", "q8_0", "q4_0", "q4_k", "bf16.3d");
            assertThat(gguf.tensors()).extracting(GgufTensorInfo::type)
                    .containsExactly(DType.F32, DType.F16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.BF16);
            assertThat(gguf.findTensor("q8_0").orElseThrow().dims()).containsExactly(32, 2);
            assertThat(gguf.findTensor("bf16.3d").orElseThrow().dims()).containsExactly(2, 3, 5);
            assertThat(gguf.findTensor("absent")).isEmpty();
            assertHoldsSampleTensors(gguf, 7);
        }
    }

    @Test
    void tensorViewsHoldTheWrittenValues() {
        float[] values = {1f, -2f, 3.5f, 0f, Float.MIN_VALUE, -0f};
        Path file = dir.resolve("floats.gguf");
        new GgufWriter(GgufMetadata.builder().putString("general.architecture", "test").build())
                .addTensor(Tensor.ofFloats("w", values, 3, 2))
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            Tensor w = gguf.tensor("w");
            assertThat(w.dims()).containsExactly(3, 2);
            assertThat(w.type()).isEqualTo(DType.F32);
            assertThat(w.toFloatArray()).containsExactly(values);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 64, 4096})
    void otherAlignmentsPlaceDataAndEveryTensorOnTheirMultiple(int alignment) {
        GgufMetadata metadata = GgufMetadata.builder().putInt("general.alignment", alignment).putString("k", "v").build();
        Path file = dir.resolve("aligned.gguf");
        GgufTestFiles.withSampleTensors(metadata, 3).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.alignment()).isEqualTo(alignment);
            assertThat(gguf.dataOffset() % alignment).isZero();
            assertThat(gguf.tensors()).allSatisfy(t -> assertThat(t.offset() % alignment).isZero());
            assertHoldsSampleTensors(gguf, 3);
            // ggml requires each tensor to start where the previous one's padded data ends.
            long expectedOffset = 0;
            for (GgufTensorInfo t : gguf.tensors()) {
                assertThat(t.offset()).isEqualTo(expectedOffset);
                expectedOffset = GgufReader.alignUp(expectedOffset + t.byteSize(), alignment);
            }
            assertThat(gguf.size()).isEqualTo(gguf.dataOffset() + expectedOffset);
        }
    }

    @Test
    void versionTwoFilesRoundTrip() {
        Path file = dir.resolve("v2.gguf");
        new GgufWriter(GgufTestFiles.everyType(), 2).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.version()).isEqualTo(2);
            assertThat(gguf.metadata()).isEqualTo(GgufTestFiles.everyType());
            assertThat(gguf.tensors()).isEmpty();
        }
    }

    @Test
    void writerLaysOutBytesExactlyAsTheSpecSays() {
        byte[] data = new byte[34];
        data[0] = 1;
        GgufMetadata metadata = GgufMetadata.builder().putInt("a.b", 7).putStringArray("s", "x", "").build();
        byte[] written = GgufTestFiles.bytesOf(new GgufWriter(metadata).addTensor("t", DType.Q8_0, new long[] {32}, data));

        GgufBytes expected = GgufBytes.header(3, 1, 2)
                .kv("a.b", GgufValueType.UINT32).u32(7)
                .kv("s", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(2).str("x").str("")
                .tensorInfo("t", DType.Q8_0, 0, 32)
                .padTo(32)
                .raw(data)
                .padTo(32);
        assertThat(written).isEqualTo(expected.bytes());
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.gguf");
        Files.write(file, new byte[] {1, 2, 3});
        new GgufWriter(GgufTestFiles.everyType()).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.metadata()).isEqualTo(GgufTestFiles.everyType());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.gguf");
        Files.write(file, new byte[] {1, 2, 3});
        GgufWriter writer = new GgufWriter(GgufTestFiles.everyType());
        try (Arena arena = Arena.ofConfined()) {
            writer.addTensor("w", DType.F32, new long[] {4}, arena.allocate(16));
        }
        // The tensor's memory is gone, so writing fails half way through.
        assertThatThrownBy(() -> writer.write(file)).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writeToAMissingFolderNamesTheFile() {
        Path file = dir.resolve("absent/model.gguf");
        assertThatThrownBy(() -> new GgufWriter(GgufTestFiles.everyType()).write(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void writerRefusesWhatReadersWouldReject() {
        GgufWriter writer = new GgufWriter(GgufMetadata.builder().build()).addTensor("w", DType.F32, new long[] {1}, new byte[4]);
        assertThatThrownBy(() -> writer.addTensor("w", DType.F32, new long[] {1}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate tensor name 'w'");
        assertThatThrownBy(() -> writer.addTensor("x", DType.F32, new long[] {2}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 bytes of data, 8 expected");
        assertThatThrownBy(() -> writer.addTensor("q", DType.Q4_0, new long[] {16}, new byte[9]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple of Q4_0's block size 32");
        assertThatThrownBy(() -> writer.addTensor("n".repeat(64), DType.F32, new long[] {1}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 bytes, 1 to 63 expected");
        assertThatThrownBy(() -> new GgufWriter(GgufMetadata.builder().build(), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GGUF version 1");
        assertThatThrownBy(() -> new GgufWriter(GgufMetadata.builder().putInt("general.alignment", 48).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("48 is not a power of two");
        assertThatThrownBy(() -> new GgufWriter(GgufMetadata.builder().putLong("general.alignment", 64).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UINT32 expected");
    }

    @Test
    void filesOverTwoGibibytesMapWhole() throws IOException {
        long big = 3L << 30;
        Path file = dir.resolve("big.gguf");
        // A one-tensor file whose dimension is then patched to 3 GiB of I8 and the file extended sparsely.
        new GgufWriter(GgufMetadata.builder().build()).addTensor("big", DType.I8, new long[] {32}, new byte[32]).write(file);
        long dataOffset;
        try (GgufFile small = GgufFile.open(file)) {
            dataOffset = small.dataOffset();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long dimField = GgufBytes.header(3, 1, 0).size() + 8 + "big".length() + 4;
            raf.seek(dimField);
            raf.write(new GgufBytes().u64(big).bytes());
            raf.setLength(dataOffset + big);
            raf.seek(dataOffset + big - 1);
            raf.write(42);
        }
        try (GgufFile gguf = GgufFile.open(file)) {
            Tensor t = gguf.tensor("big");
            assertThat(t.dims()).containsExactly(big);
            assertThat(t.data().byteSize()).isEqualTo(big);
            assertThat(t.data().get(ValueLayout.JAVA_BYTE, big - 1)).isEqualTo((byte) 42);
        }
    }

    @Test
    void closedFilesHandOutNoViews() {
        Path file = dir.resolve("closed.gguf");
        GgufTestFiles.withSampleTensors(GgufMetadata.builder().build(), 1).write(file);
        GgufFile gguf = GgufFile.open(file);
        gguf.close();
        gguf.close();
        assertThatThrownBy(() -> gguf.tensor("f32")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static void assertHoldsSampleTensors(GgufFile gguf, long seed) {
        List<GgufTestFiles.SampleTensor> expected = GgufTestFiles.sampleTensors(seed);
        assertThat(gguf.tensors()).hasSameSizeAs(expected);
        for (GgufTestFiles.SampleTensor e : expected) {
            Tensor t = gguf.tensor(e.name());
            assertThat(t.type()).isEqualTo(e.type());
            assertThat(t.dims()).containsExactly(e.dims());
            assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).as(e.name()).isEqualTo(e.data());
        }
    }
}
