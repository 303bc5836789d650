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
    /** Query heads sharing a key/value head (Llama 3.2 1B: 32 heads over 8). */
    static final int GROUP = 4;
    /** (GROUP, headDim) */
    private float[] groupQueries;
    /** (GROUP, PAGE) */
    private float[][] groupScores;
    /** (GROUP, headDim) */
    private float[] groupOut;

    @Setup
    public void setUp() {
        kernels = Kernels.named(ops);
        Random rnd = new Random(11);
        query = gaussian(rnd, headDim);
        keys = gaussian(rnd, headDim * PAGE);
        values = gaussian(rnd, PAGE * headDim);
        scores = gaussian(rnd, PAGE);
        out = new float[headDim];
        groupQueries = gaussian(rnd, GROUP * headDim);
        groupScores = new float[GROUP][];
        for (int q = 0; q < GROUP; q++) groupScores[q] = gaussian(rnd, PAGE);
        groupOut = new float[GROUP * headDim];
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

    /** A group's scores against the page, read once for all four queries ({@code dotColumns(g, ...)}). */
    @Benchmark
    public float[][] groupScores() {
        kernels.dotColumns(GROUP, groupQueries, 0, headDim, keys, 0, PAGE, headDim, PAGE, 0.125f, groupScores, 0, 0);
        return groupScores;
    }

    /** The same as four single-query calls (the page read four times), for comparison. */
    @Benchmark
    public float[][] groupScoresOneByOne() {
        for (int q = 0; q < GROUP; q++) kernels.dotColumns(groupQueries, q * headDim, keys, 0, PAGE, headDim, PAGE, 0.125f, groupScores[q], 0);
        return groupScores;
    }

    @Benchmark
    public float[] groupWeightedValues() {
        kernels.sumRows(GROUP, groupScores, 0, 0, PAGE, values, 0, headDim, headDim, groupOut, 0, headDim, false);
        return groupOut;
    }

    @Benchmark
    public float[] groupWeightedValuesOneByOne() {
        for (int q = 0; q < GROUP; q++) kernels.sumRows(groupScores[q], 0, PAGE, values, 0, headDim, headDim, groupOut, q * headDim, false);
        return groupOut;
    }
}
