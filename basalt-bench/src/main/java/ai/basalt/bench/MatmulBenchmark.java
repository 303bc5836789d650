package ai.basalt.bench;

import ai.basalt.tensor.DType;
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
 * A square {@code dim × dim} weight matrix in each stored type times a float vector: {@code dotRows} is
 * the per-row kernel on one thread (decode's inner loop), {@code matmul} the product split over the
 * {@code Parallel} pool, and {@code prefill} the matrix times a batch of {@link #PROMPT} inputs, as a prompt
 * goes through it ({@code TensorOps.matmul(w, x, n, out)}: weight panels dequantized and multiplied by the
 * whole batch). 256 is in cache (and a whole k-quant super-block); 4096 is the width of a 7B model
 * (memory-bound). Weights live off heap, as they do when mapped from a model file.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class MatmulBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    public DType type;

    @Param({"scalar", "vector"})
    public String ops;

    @Param({"256", "4096"})
    public int dim;

    private Arena arena;
    private TensorOps kernels;
    /** (dim, dim) */
    private Tensor weights;
    /** (dim) */
    private float[] x;
    /** (dim) */
    private float[] out;
    /** Inputs of the prefill product. */
    static final int PROMPT = 128;
    /** (PROMPT, dim) */
    private float[] batch;
    /** (PROMPT, dim) */
    private float[] batchOut;

    @Setup
    public void setUp() {
        kernels = Kernels.named(ops);
        Random rnd = new Random(42);
        float[] values = new float[dim * dim];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian() * 0.02f;
        arena = Arena.ofShared();
        MemorySegment data = arena.allocate(type.byteSize(values.length), 64);
        Quantizer.quantize(values, 0, values.length, type, data, 0);
        weights = new Tensor("w", type, new long[] {dim, dim}, data);
        x = new float[dim];
        for (int i = 0; i < dim; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[dim];
        batch = new float[PROMPT * dim];
        for (int i = 0; i < batch.length; i++) batch[i] = (float) rnd.nextGaussian();
        batchOut = new float[PROMPT * dim];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] dotRows() {
        for (int r = 0; r < dim; r++) out[r] = kernels.dotRow(weights, r, x, 0);
        return out;
    }

    @Benchmark
    public float[] matmul() {
        kernels.matmul(weights, x, out);
        return out;
    }

    @Benchmark
    public float[] prefill() {
        kernels.matmul(weights, batch, PROMPT, batchOut);
        return batchOut;
    }
}
