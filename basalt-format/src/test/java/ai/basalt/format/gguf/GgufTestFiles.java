package ai.basalt.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.basalt.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Small GGUF files for tests, built with {@link GgufWriter}. */
final class GgufTestFiles {
    private GgufTestFiles() {}

    /** Metadata holding every value type, arrays of each, nested and empty arrays, empty and non-ASCII strings. */
    static GgufMetadata everyType() {
        return GgufMetadata.builder()
                .putString("general.architecture", "llama")
                .put("test.uint8", GgufValueType.UINT8, 200)
                .put("test.int8", GgufValueType.INT8, -100)
                .put("test.uint16", GgufValueType.UINT16, 60_000)
                .put("test.int16", GgufValueType.INT16, -30_000)
                .put("test.uint32", GgufValueType.UINT32, 4_000_000_000L)
                .put("test.int32", GgufValueType.INT32, -2_000_000_000)
                .put("test.float32", GgufValueType.FLOAT32, -1.5f)
                .put("test.bool", GgufValueType.BOOL, true)
                .put("test.string", GgufValueType.STRING, "hello")
                .put("test.uint64", GgufValueType.UINT64, -1L)
                .put("test.int64", GgufValueType.INT64, Long.MIN_VALUE)
                .put("test.float64", GgufValueType.FLOAT64, Math.PI)
                .putString("test.empty", "")
                .putString("test.unicode", "h\u00e9llo \u2581w\u00f6rld \ud83e\udd99 \u65e5\u672c\u8a9e")
                .putFloat("test.negative_zero", -0.0f)
                .putFloat("test.nan", Float.NaN)
                .putArray("test.array.uint8", GgufArray.of(GgufValueType.UINT8, new byte[] {0, (byte) 255, 7}))
                .putArray("test.array.int8", GgufArray.of(GgufValueType.INT8, new byte[] {-128, 127}))
                .putArray("test.array.uint16", GgufArray.of(GgufValueType.UINT16, new short[] {(short) 65_535, 1}))
                .putArray("test.array.int16", GgufArray.of(GgufValueType.INT16, new short[] {-32_768, 32_767}))
                .putArray("test.array.uint32", GgufArray.of(GgufValueType.UINT32, new int[] {-1, 0, 42}))
                .putIntArray("test.array.int32", -1, 0, Integer.MAX_VALUE)
                .putFloatArray("test.array.float32", 0.5f, -0.0f, Float.POSITIVE_INFINITY)
                .putArray("test.array.bool", GgufArray.of(GgufValueType.BOOL, new boolean[] {true, false, true}))
                .putStringArray("test.array.string", "a", "", "\u2581the", "\ud83e\udd99")
                .putArray("test.array.uint64", GgufArray.of(GgufValueType.UINT64, new long[] {-1L, 1L << 40}))
                .putArray("test.array.int64", GgufArray.of(GgufValueType.INT64, new long[] {Long.MIN_VALUE, 3}))
                .putArray("test.array.float64", GgufArray.of(GgufValueType.FLOAT64, new double[] {1e300, -2.5}))
                .putArray("test.array.empty", GgufArray.ofStrings())
                .putArray("test.array.nested", GgufArray.ofArrays(
                        GgufArray.ofInts(1, 2),
                        GgufArray.ofStrings("x", ""),
                        GgufArray.ofArrays(GgufArray.ofFloats(1f), GgufArray.ofArrays()),
                        GgufArray.of(GgufValueType.BOOL, new boolean[] {false})))
                .build();
    }

    /** A tensor for tests: name, type, dims and its bytes. */
    record SampleTensor(String name, DType type, long[] dims, byte[] data) {}

    /** One tensor of each of several types (a computable-only-later Q4_K among them), with seeded random bytes. */
    static List<SampleTensor> sampleTensors(long seed) {
        Random random = new Random(seed);
        return List.of(
                random(random, "f32", DType.F32, 4, 3),
                random(random, "f16", DType.F16, 8),
                random(random, "q8_0", DType.Q8_0, 32, 2),
                random(random, "q4_0", DType.Q4_0, 64),
                random(random, "q4_k", DType.Q4_K, 256),
                random(random, "bf16.3d", DType.BF16, 2, 3, 5));
    }

    /** A writer for {@code metadata} holding {@link #sampleTensors(long)}. */
    static GgufWriter withSampleTensors(GgufMetadata metadata, long seed) {
        GgufWriter writer = new GgufWriter(metadata);
        for (SampleTensor t : sampleTensors(seed)) writer.addTensor(t.name(), t.type(), t.dims(), t.data());
        return writer;
    }

    private static SampleTensor random(Random random, String name, DType type, long... dims) {
        long elements = 1;
        for (long d : dims) elements *= d;
        byte[] data = new byte[Math.toIntExact(type.byteSize(elements))];
        random.nextBytes(data);
        return new SampleTensor(name, type, dims, data);
    }

    /** The bytes {@code writer} writes. */
    static byte[] bytesOf(GgufWriter writer) {
        try {
            Path dir = Files.createTempDirectory("gguf-test");
            Path file = dir.resolve("file.gguf");
            writer.write(file);
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts that reading {@code bytes} as {@code bad.gguf} fails with a one-line {@link GgufFormatException}
     * naming the file, and returns its message.
     */
    static String rejection(byte[] bytes) {
        Throwable thrown = catchThrowable(() -> read("bad.gguf", bytes).close());
        assertThat(thrown).isInstanceOf(GgufFormatException.class);
        assertThat(thrown.getMessage()).startsWith("bad.gguf: ").doesNotContain("\n", "\r");
        return thrown.getMessage();
    }

    /** Opens {@code bytes} in memory as a file named {@code name}. */
    static GgufFile read(String name, byte[] bytes) {
        return GgufFile.read(Path.of(name), MemorySegment.ofArray(bytes));
    }
}
