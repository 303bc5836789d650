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
 * RMSNorm over a hidden state and softmax over a row of scores, at a small model's width (288), a 7B
 * model's (4096) and a Llama vocabulary (32000). Softmax works in place, so each call first restores its
 * input; both backends pay the same copy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class NormBenchmark {
    @Param({"scalar", "vector"})
    public String ops;

    @Param({"288", "4096", "32000"})
    public int n;

    private TensorOps kernels;
    /** (n) */
    private float[] x;
    /** (n) */
    private float[] weight;
    /** (n) */
    private float[] out;

    @Setup
    public void setUp() {
        kernels = Kernels.named(ops);
        Random rnd = new Random(7);
        x = new float[n];
        weight = new float[n];
        out = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * 4;
            weight[i] = 1 + (float) rnd.nextGaussian() * 0.1f;
        }
    }

    @Benchmark
    public float[] rmsnorm() {
        kernels.rmsnorm(out, 0, x, 0, weight, n, 1e-5f);
        return out;
    }

    @Benchmark
    public float[] softmax() {
        System.arraycopy(x, 0, out, 0, n);
        kernels.softmax(out, 0, n);
        return out;
    }
}
