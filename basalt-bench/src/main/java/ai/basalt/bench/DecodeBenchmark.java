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
 * Decode's product as it meets memory: one input against a {@value #ROWS} × {@value #COLS} matrix (far larger
 * than any cache, as a model's weights are), on the {@code Parallel} pool. {@code rowByRow} is each worker
 * reading its rows one after another with {@code dotRow}; {@code matmul} is the kernel set's own one-input
 * product (four rows at once, in four streams, for the types that have it). Bytes per pass over µs per pass is
 * the bandwidth the product draws.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class DecodeBenchmark {
    static final int COLS = 2048;
    static final int ROWS = 65_536;
    /** Rows quantized once, then copied to fill the matrix. */
    private static final int TILE = 4096;

    @Param({"Q8_0", "F16", "Q6_K", "Q4_0", "Q4_K"})
    public DType type;

    @Param({"2"})
    public int threads;

    private Arena arena;
    private final TensorOps kernels = TensorOps.best();
    private Tensor weights;
    private float[] x;
    private float[] out;

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
        x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[ROWS];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] rowByRow() {
        Parallel.forRows(ROWS, COLS, (start, end) -> {
            for (int r = start; r < end; r++) out[r] = kernels.dotRow(weights, r, x, 0);
        });
        return out;
    }

    @Benchmark
    public float[] matmul() {
        kernels.matmul(weights, x, out);
        return out;
    }
}
