package ai.basalt.bench;

import ai.basalt.tensor.Gemm;
import ai.basalt.tensor.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Single-precision GEMM on the shapes training runs, on one and two threads. The {@code gemm:flop} counter
 * is in floating-point operations (2·m·n·k per call) per nanosecond, that is GFLOP/s; the primary score,
 * calls per nanosecond, is its by-product.
 *
 * <p>A shape reads like {@code NT:1024x1152x384}: C(1024, 1152) = A(1024, 384) · B(1152, 384)ᵀ, the first
 * letter telling whether op(A) is transposed (A stored (K, M)), the second the same for B (stored (N, K));
 * beta = 0 unless {@code -p beta=1}. M = B·T = 1024, C = 384 (MLP 4·C), a 65-token vocabulary, attention with T = 256 or 64. The same
 * list, timed through NumPy's BLAS, is {@code tools/bench/sgemm_openblas.py}, for a side-by-side table.
 *
 * <p>Warm-up is long on purpose: until C2 compiles them (some 3 to 4 s into a fresh JVM), the kernels run
 * in C1 code, which does not intrinsify the Vector API and is hundreds of times slower.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBenchmark {
    @Param({
        "NN:1024x1024x1024", "NT:1024x1024x1024",
        "NT:1024x1152x384", "NT:1024x384x384", "NT:1024x1536x384", "NT:1024x384x1536", "NT:1024x65x384",
        "NN:1024x1536x384", "NN:1024x384x65", "TN:1536x384x1024", "TN:65x384x1024",
        "NT:256x256x64", "NN:256x64x256", "NT:64x64x32", "NN:64x32x64",
        // Training at M = B·T = 768, width 128, MLP 512, vocabulary 65: forward x·Wᵀ (NT), then dx = dout·W (NN)
        // and dW = doutᵀ·x (TN), the backward ones accumulating (run them with -p beta=1).
        "NT:768x384x128", "NT:768x128x128", "NT:768x512x128", "NT:768x128x512", "NT:768x65x128",
        "NN:768x128x384", "NN:768x128x128", "NN:768x128x512", "NN:768x512x128", "NN:768x128x65",
        "TN:384x128x768", "TN:128x128x768", "TN:512x128x768", "TN:128x512x768", "TN:65x128x768",
        // The bigger model: M = 2048, width 384, MLP 1536, larger vocabularies.
        "NT:2048x1152x384", "NT:2048x1536x384", "NN:2048x384x1536", "TN:1536x384x2048", "NT:2048x4096x192",
    })
    public String shape;

    @Param({"1", "2"})
    public int threads;

    /** beta: 0 overwrites C, 1 accumulates into it as the backward pass does. */
    @Param({"0"})
    public float beta;

    /** {@code vector} (what {@link Gemm#best()} returns, which must not be the fallback) or {@code scalar}. */
    @Param({"vector"})
    public String impl;

    private Gemm gemm;
    private int savedThreads;
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    /** (M, K), or (K, M) when transA */
    private float[] a;
    /** (K, N), or (N, K) when transB */
    private float[] b;
    /** (M, N) */
    private float[] c;

    /** Floating-point operations done, reported per unit of time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flop;

        @Setup(Level.Iteration)
        public void reset() {
            flop = 0;
        }
    }

    @Setup
    public void setUp() {
        gemm = switch (impl) {
            case "scalar" -> Gemm.scalar();
            case "vector" -> {
                Gemm best = Gemm.best();
                if (!best.name().startsWith("vector")) {
                    throw new IllegalStateException("vector GEMM unavailable: Gemm.best() is " + best.name()
                            + " (run with --add-modules jdk.incubator.vector)");
                }
                yield best;
            }
            default -> throw new IllegalArgumentException("impl '" + impl + "': expected vector or scalar");
        };
        String[] parts = shape.split("[:x]");
        if (parts.length != 4 || !parts[0].matches("[NT][NT]")) {
            throw new IllegalArgumentException("shape '" + shape + "': expected like NT:1024x1152x384");
        }
        transA = parts[0].charAt(0) == 'T';
        transB = parts[0].charAt(1) == 'T';
        m = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        k = Integer.parseInt(parts[3]);
        Random rnd = new Random(42);
        a = gaussian(rnd, m * k);
        b = gaussian(rnd, k * n);
        c = new float[m * n];
        savedThreads = Parallel.threads();
        Parallel.setThreads(threads);
    }

    @TearDown
    public void tearDown() {
        Parallel.setThreads(savedThreads);
    }

    @Benchmark
    public float[] gemm(Flops flops) {
        gemm.gemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
        flops.flop += 2L * m * n * k;
        return c;
    }

    private static float[] gaussian(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
