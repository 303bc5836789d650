package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The codecs against llama.cpp itself: ggml's {@code quantize_row_*_ref} and {@code dequantize_row_*}, called
 * through the foreign-function API in the native library that the llama.cpp Java binding (a test dependency)
 * ships. Quantizing the same floats must give the same bytes, and decoding the same bytes the same floats,
 * bit for bit, in the scalar reference and in every vector kernel.
 *
 * <p>The binding ships libraries for Linux, macOS and Windows; on a platform it lacks this test is skipped
 * with a message, and on Linux x86-64 and aarch64 (where CI runs) it is required.
 */
class GgmlReferenceTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static SymbolLookup ggml;

    /** The types checked here, with the ggml name stem of their functions. */
    static Stream<DType> types() {
        return Stream.of(DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q8_0, DType.Q4_K, DType.Q5_K, DType.Q6_K);
    }

    static Stream<Arguments> quantizeCases() {
        return types().flatMap(t -> Stream.of("uniform", "gaussian", "outliers", "tiny", "sparse", "positive", "constant")
                .map(dist -> arguments(t, dist)));
    }

    @BeforeAll
    static void loadLlamaCpp() throws Throwable {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        String resource = "de/kherud/llama/Linux/" + (arch.equals("amd64") ? "x86_64" : arch) + "/libjllama.so";
        InputStream in = GgmlReferenceTest.class.getClassLoader().getResourceAsStream(resource);
        boolean required = os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"));
        if (in == null && required) throw new IllegalStateException("llama.cpp's native library " + resource + " is not on the test class path");
        Assumptions.assumeTrue(in != null, "no llama.cpp native library for " + os + "/" + arch + ": ggml reference checks skipped");
        Path lib = Files.createTempFile("basalt-ggml-", ".so");
        lib.toFile().deleteOnExit();
        try (in) {
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        ggml = SymbolLookup.libraryLookup(lib, Arena.global());
        initTables();
    }

    /**
     * ggml converts fp16 through a table that its first {@code ggml_init} fills: one context, made and freed,
     * so that the codecs do not read zeros. {@code ggml_init_params} is {size_t mem_size; void * mem_buffer;
     * bool no_alloc}, passed by value.
     */
    private static void initTables() throws Throwable {
        StructLayout params = MemoryLayout.structLayout(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                ValueLayout.JAVA_BOOLEAN, MemoryLayout.paddingLayout(7));
        MethodHandle init = LINKER.downcallHandle(ggml.find("ggml_init").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, params));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(params);
            p.set(ValueLayout.JAVA_LONG, 0, 1024);
            p.set(ValueLayout.JAVA_BOOLEAN, 16, true);
            MemorySegment ctx = (MemorySegment) init.invokeExact(p);
            function("ggml_free", ValueLayout.ADDRESS).invokeExact(ctx);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("quantizeCases")
    void quantizesToGgmlsBytes(DType type, String distribution) throws Throwable {
        int n = 8 * 256;
        Random rnd = new Random(distribution.hashCode() * 31L + type.ordinal());
        for (int round = 0; round < 8; round++) {
            float[] x = sample(distribution, n, rnd);

            byte[] expected = ggmlQuantize(type, x);

            assertSameBytes(type, Quantizer.quantize(x, type), expected, "round " + round);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void decodesGgmlsBlocksToGgmlsFloats(DType type) throws Throwable {
        int n = 16 * 256;
        Random rnd = new Random(type.ordinal());
        byte[] bytes = randomBlocks(type, n, rnd);
        float[] expected = ggmlDequantize(type, bytes, n);
        Tensor t = new Tensor("w", type, new long[] {n}, MemorySegment.ofArray(bytes));

        for (TensorOps ops : new TensorOps[] {ScalarTensorOps.INSTANCE, VectorTensorOps.create()}) {
            float[] actual = new float[n];
            ops.dequantizeRow(t, 0, actual, 0);
            for (int i = 0; i < n; i++) {
                if (Float.compare(actual[i], expected[i]) != 0) {
                    assertThat(actual[i]).as("%s element %d (block %d)", ops.name(), i, i / type.blockSize()).isEqualTo(expected[i]);
                }
            }
        }
    }

    /** Reports the first differing byte by block and offset, rather than two whole arrays. */
    private static void assertSameBytes(DType type, byte[] actual, byte[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (actual[i] != expected[i]) {
                assertThat(actual[i]).as("%s: byte %d of block %d", what, i % type.bytesPerBlock(), i / type.bytesPerBlock())
                        .isEqualTo(expected[i]);
            }
        }
    }

    // ---- ggml through the foreign-function API ----

    private static MethodHandle function(String name, ValueLayout... args) {
        MemorySegment symbol = ggml.find(name).orElseThrow(() -> new IllegalStateException("llama.cpp lacks " + name));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.ofVoid(args));
    }

    private static String stem(DType type) {
        return type.name().toLowerCase(Locale.ROOT).replace("_k", "_K");
    }

    /** quantize_row_X_ref(const float * x, block_X * y, int64_t k). */
    private static byte[] ggmlQuantize(DType type, float[] x) throws Throwable {
        MethodHandle quantize = function("quantize_row_" + stem(type) + "_ref",
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment dst = arena.allocate(type.byteSize(x.length), 16);
            quantize.invokeExact(src, dst, (long) x.length);
            return dst.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** dequantize_row_X(const block_X * x, float * y, int64_t k). */
    private static float[] ggmlDequantize(DType type, byte[] bytes, int n) throws Throwable {
        MethodHandle dequantize = function("dequantize_row_" + stem(type),
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            MemorySegment dst = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            dequantize.invokeExact(src, dst, (long) n);
            return dst.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    // ---- data ----

    /** Random bytes, with every fp16 field of every block set to a random finite value of moderate size. */
    private static byte[] randomBlocks(DType type, int n, Random rnd) {
        byte[] bytes = new byte[Math.toIntExact(type.byteSize(n))];
        rnd.nextBytes(bytes);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        for (long block = 0; block < bytes.length; block += type.bytesPerBlock()) {
            for (long field : halfFields(type)) {
                seg.set(ScalarTensorOps.I16, block + field, Float.floatToFloat16((float) rnd.nextGaussian() * 0.01f));
            }
        }
        return bytes;
    }

    /** Byte offsets of the fp16 fields of a block. */
    private static long[] halfFields(DType type) {
        return switch (type) {
            case Q4_0, Q8_0, Q5_0 -> new long[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new long[] {0, 2};
            case Q6_K -> new long[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static float[] sample(String distribution, int n, Random rnd) {
        float[] x = new float[n];
        float c = rnd.nextFloat(-2, 2);
        for (int i = 0; i < n; i++) {
            x[i] = switch (distribution) {
                case "uniform" -> rnd.nextFloat(-1, 1);
                case "gaussian" -> (float) rnd.nextGaussian() * 0.02f;
                case "outliers" -> i % 37 == 0 ? rnd.nextFloat(-300, 300) : rnd.nextFloat(-0.1f, 0.1f);
                case "tiny" -> rnd.nextFloat(-1e-4f, 1e-4f);
                case "sparse" -> rnd.nextInt(8) == 0 ? (float) rnd.nextGaussian() : 0f;
                case "positive" -> rnd.nextFloat(0.5f, 3f);
                case "constant" -> i % 256 < 128 ? c : 0f;
                default -> throw new IllegalArgumentException(distribution);
            };
        }
        return x;
    }
}
