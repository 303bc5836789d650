package ai.basalt.bench;

import ai.basalt.tensor.TensorOps;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One attention head against one page of the KV cache, as decoding reads it: {@code scores} is a query dotted with
 * {@code positions} keys stored transposed ({@code TensorOps.dotColumns}), {@code weightedValues} the probabilities
 * times the page's values ({@code TensorOps.sumRows}). Head dimension 64 (Llama 3.2 1B, TinyLlama) and 128 (7B
 * models); a page holds 256 positions.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class AttentionBenchmark {
    /** Positions in a page of the cache. */
    static final int PAGE = 256;

    @Param({"scalar", "vector"})
    public String ops;

    @Param({"64", "128"})
    public int headDim;

    private TensorOps kernels;
    /** (headDim) */
    private float[] query;
    /** (headDim, PAGE): keys transposed, a row per dimension */
    private float[] keys;
    /** (PAGE, headDim) */
    private float[] values;
    /** (PAGE) */
    private float[] scores;
    /** (headDim) */
    private float[] out;

    @Setup
    public void setUp() {
        kernels = Kernels.named(ops);
        Random rnd = new Random(11);
        query = gaussian(rnd, headDim);
        keys = gaussian(rnd, headDim * PAGE);
        values = gaussian(rnd, PAGE * headDim);
        scores = gaussian(rnd, PAGE);
        out = new float[headDim];
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    @Benchmark
    public float[] scores() {
        kernels.dotColumns(query, 0, keys, 0, PAGE, headDim, PAGE, 0.125f, scores, 0);
        return scores;
    }

    @Benchmark
    public float[] weightedValues() {
        kernels.sumRows(scores, 0, PAGE, values, 0, headDim, headDim, out, 0, false);
        return out;
    }
}
