package ai.basalt.bench;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A decode step of {@code count} sequences against one matrix far larger than any cache ({@value #ROWS} ×
 * {@value #COLS}, as {@link DecodeBenchmark}): {@code shared} is {@code TensorOps.matmulEach} (each row read from
 * memory once for all inputs), {@code separate} one single-input {@code matmul} per input (the matrix read
 * {@code count} times). Both give the same bits; µs per pass over {@code count} is the cost of one sequence's product.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class MatmulEachBenchmark {
    static final int COLS = 2048;
    static final int ROWS = 65_536;
    /** Rows quantized once, then copied to fill the matrix. */
    private static final int TILE = 4096;

    @Param({"Q8_0", "Q4_0", "F16", "Q6_K"})
    public DType type;

    @Param({"1", "2", "4", "8"})
    public int count;

    @Param({"2"})
    public int threads;

    private Arena arena;
    private final TensorOps kernels = TensorOps.best();
    private Tensor weights;
    /** (count, COLS) */
    private float[][] xs;
    /** (count, ROWS) */
    private float[][] outs;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        Random rnd = new Random(42);
        float[] values = new float[TILE * COLS];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian() * 0.02f;
        arena = Arena.ofShared();
        long tileBytes = type.byteSize(values.length);
        MemorySegment data = arena.allocate(tileBytes * (ROWS / TILE), 64);
        Quantizer.quantize(values, 0, values.length, type, data, 0);
        for (int t = 1; t < ROWS / TILE; t++) MemorySegment.copy(data, 0, data, t * tileBytes, tileBytes);
        weights = new Tensor("w", type, new long[] {COLS, ROWS}, data);
        xs = new float[count][COLS];
        for (float[] x : xs) {
            for (int i = 0; i < COLS; i++) x[i] = (float) rnd.nextGaussian();
        }
        outs = new float[count][ROWS];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[][] shared() {
        kernels.matmulEach(weights, xs, count, outs);
        return outs;
    }

    @Benchmark
    public float[][] separate() {
        for (int i = 0; i < count; i++) kernels.matmul(weights, xs[i], outs[i]);
        return outs;
    }
}
