package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsBytes.f32;
import static ai.basalt.format.safetensors.SafetensorsBytes.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link SafetensorsWriter} read back with the same tensors, shapes, bytes and metadata. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTripsThroughAFile() {
        SplittableRandom random = new SplittableRandom(7);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        byte[][] data = new byte[SafetensorsDType.values().length][];
        for (SafetensorsDType t : SafetensorsDType.values()) {
            long[] shape = {2, 3, 1 + t.ordinal()};
            data[t.ordinal()] = new byte[(int) SafetensorsTensorInfo.byteSize(t, shape)];
            random.nextBytes(data[t.ordinal()]);
            writer.add("tensor." + t.name().toLowerCase(), t, shape, data[t.ordinal()]);
        }
        Path path = dir.resolve("all.safetensors");
        writer.write(path);
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertThat(f.metadata()).containsEntry("format", "pt").hasSize(1);
            assertThat(f.tensors()).hasSize(SafetensorsDType.values().length);
            for (SafetensorsDType t : SafetensorsDType.values()) {
                SafetensorsTensorInfo info = f.info("tensor." + t.name().toLowerCase());
                assertThat(info.dtype()).isEqualTo(t);
                assertThat(info.shape()).containsExactly(2, 3, 1 + t.ordinal());
                assertThat(f.bytes(info.name()).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(data[t.ordinal()]);
            }
            assertThat(f.size()).isEqualTo(Files.size(path.toAbsolutePath()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file is left behind").containsExactly(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void rowMajorShapeBecomesReversedGgmlDims() {
        float[] values = {1, 2, 3, 4, 5, 6};
        byte[] bytes = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", f32(values));
        try (SafetensorsFile f = SafetensorsBytes.read("m.safetensors", bytes)) {
            Tensor w = f.tensor("w");
            assertThat(w.type()).isEqualTo(DType.F32);
            assertThat(w.dims()).containsExactly(3, 2);
            assertThat(w.rows()).isEqualTo(2);
            assertThat(w.cols()).isEqualTo(3);
            assertThat(w.toFloatArray()).containsExactly(values);
            assertThat(f.info("w").ggmlDims()).containsExactly(3, 2);
        }
    }

    @Test
    void tensorsRoundTripThroughTheWriterWithGgmlDims() {
        Tensor t = Tensor.ofFloats("blk.0.w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path path = dir.resolve("t.safetensors");
        new SafetensorsWriter().add(t).write(path);
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertThat(f.info("blk.0.w").shape()).containsExactly(2, 3);
            assertThat(f.tensor("blk.0.w").dims()).containsExactly(3, 2);
            assertThat(f.tensor("blk.0.w").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void halfPrecisionTypesMapToTheirGgmlTypes() {
        byte[] bf16 = {(byte) 0x80, 0x3F, 0x00, (byte) 0xC0}; // 1.0, -2.0
        byte[] f16 = {0x00, 0x3C, 0x00, 0x38}; // 1.0, 0.5
        byte[] data = new byte[8];
        System.arraycopy(bf16, 0, data, 0, 4);
        System.arraycopy(f16, 0, data, 4, 4);
        String header = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[4,8]}}";
        try (SafetensorsFile f = SafetensorsBytes.read("h.safetensors", file(header, data))) {
            assertThat(f.tensor("a").type()).isEqualTo(DType.BF16);
            assertThat(f.tensor("a").toFloatArray()).containsExactly(1f, -2f);
            assertThat(f.tensor("b").type()).isEqualTo(DType.F16);
            assertThat(f.tensor("b").dims()).containsExactly(2, 1);
            assertThat(f.tensor("b").toFloatArray()).containsExactly(1f, 0.5f);
        }
    }

    @Test
    void scalarsEmptyTensorsAndRawDtypesAreReadAsTheFormatAllows() {
        String header = "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[4,4]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[4,6]},"
                + "\"d\":{\"dtype\":\"I8\",\"shape\":[1,1,1,1,2],\"data_offsets\":[6,8]}}";
        byte[] data = {0, 0, (byte) 0x80, 0x3F, 1, 0, 5, 6};
        try (SafetensorsFile f = SafetensorsBytes.read("odd.safetensors", file(header, data))) {
            assertThat(f.info("s").rank()).isZero();
            assertThat(f.tensor("s").dims()).containsExactly(1);
            assertThat(f.tensor("s").toFloatArray()).containsExactly(1f);
            assertThat(f.info("e").byteSize()).isZero();
            assertThat(f.bytes("e").byteSize()).isZero();
            assertThat(f.bytes("m").toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 0);
            assertThat(f.bytes("d").toArray(ValueLayout.JAVA_BYTE)).containsExactly(5, 6);
            assertThatThrownBy(() -> f.tensor("e")).isInstanceOf(SafetensorsFormatException.class)
                    .hasMessage("odd.safetensors: tensor 'e' (F32 [0, 5]) has no elements");
            assertThatThrownBy(() -> f.tensor("m")).isInstanceOf(SafetensorsFormatException.class)
                    .hasMessage("odd.safetensors: tensor 'm' (BOOL [2]) has no GGML type; read its bytes instead");
            assertThatThrownBy(() -> f.tensor("d")).isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageContaining("more than 4 dimensions");
            assertThatThrownBy(() -> f.bytes("nope")).isInstanceOf(SafetensorsFormatException.class)
                    .hasMessage("odd.safetensors: no tensor 'nope' among its 4 tensors");
        }
    }

    @Test
    void viewsAreReadOnlyAndUnusableAfterClose() {
        Path path = dir.resolve("c.safetensors");
        new SafetensorsWriter().add("x", SafetensorsDType.F32, new long[] {1}, f32(3)).write(path);
        SafetensorsFile f = SafetensorsFile.open(path);
        MemorySegment bytes = f.bytes("x");
        assertThat(bytes.isReadOnly()).isTrue();
        f.close();
        f.close();
        assertThatThrownBy(() -> f.bytes("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> bytes.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writerRefusesWhatTheFormatCannotHold() {
        SafetensorsWriter writer = new SafetensorsWriter().add("a", SafetensorsDType.U8, new long[] {1}, new byte[1]);
        assertThatThrownBy(() -> writer.add("a", SafetensorsDType.U8, new long[] {1}, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> writer.add("__metadata__", SafetensorsDType.U8, new long[] {1}, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.add("b", SafetensorsDType.F32, new long[] {2}, new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 expected");
        Tensor q = new Tensor("q", DType.Q8_0, new long[] {32}, MemorySegment.ofArray(new byte[34]));
        assertThatThrownBy(() -> writer.add(q)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Q8_0");
    }

    @Test
    void missingFileIsAnUncheckedIoExceptionNamingIt() {
        Path missing = dir.resolve("missing.safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(missing)).isInstanceOf(UncheckedIOException.class)
                .hasMessage(missing + ": cannot read safetensors file (no such file)");
    }

    /** A sparse file with a 3 GiB tensor: offsets past 2^31 are mapped and read. */
    @Test
    void filesLargerThanTwoGibibytesAreMapped() throws IOException {
        long big = 3L << 30;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]}}";
        byte[] head = file(header, new byte[0]);
        Path path = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(head.length + big);
            raf.seek(head.length + big - 1);
            raf.write(42);
        }
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            MemorySegment bytes = f.bytes("big");
            assertThat(bytes.byteSize()).isEqualTo(big);
            assertThat(bytes.get(ValueLayout.JAVA_BYTE, big - 1)).isEqualTo((byte) 42);
            assertThat(bytes.get(ValueLayout.JAVA_BYTE, 1L << 31)).isZero();
        }
    }
}
