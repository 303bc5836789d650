package ai.basalt.bench;

import ai.basalt.model.KvType;
import ai.basalt.model.layers.CachedAttention;
import ai.basalt.model.layers.KvCache;
import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;
import java.util.SplittableRandom;
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
 * Decode's attention at depth: one new position of every layer of a llama-3.2-1b-shaped model (16 layers, 32
 * query heads, 8 key/value heads of 64) over {@code positions} cached ones, the cache in F32 or F16, on the
 * {@code Parallel} pool. Microseconds per token: what the cache type costs or saves once the context is long.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class KvCacheBenchmark {
    static final int LAYERS = 16, HEADS = 32, KV_HEADS = 8, HEAD_DIM = 64;

    @Param({"F32", "F16"})
    public KvType kv;

    @Param({"2000"})
    public int positions;

    @Param({"2"})
    public int threads;

    private KvCache cache;
    private CachedAttention attention;
    private float[] q, out;
    private float[][] scores;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(7);
        cache = new KvCache(kv, LAYERS, KV_HEADS, HEAD_DIM, positions);
        cache.reserve(positions);
        float[] k = new float[KV_HEADS * HEAD_DIM], v = new float[k.length];
        for (int l = 0; l < LAYERS; l++) {
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < k.length; i++) {
                    k[i] = (float) rnd.nextGaussian();
                    v[i] = (float) rnd.nextGaussian();
                }
                cache.store(l, k, 0, v, 0, p);
            }
        }
        attention = new CachedAttention(TensorOps.best(), HEADS, KV_HEADS, HEAD_DIM);
        q = new float[HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
        out = new float[q.length];
        scores = new float[HEADS][positions];
    }

    @Benchmark
    public float[] token() {
        for (int l = 0; l < LAYERS; l++) attention.attend(q, cache, l, scores, out, positions);
        return out;
    }
}
