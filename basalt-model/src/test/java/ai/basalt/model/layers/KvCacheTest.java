package ai.basalt.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.quantize.RandomLlama;
import ai.basalt.tensor.TensorOps;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KvCacheTest {
    @TempDir
    Path dir;

    static Stream<Arguments> shapes() {
        // heads, kvHeads, headDim, positions: grouped (4 and 6 a group, runs of 4 + 2), multi-head, across pages
        return Stream.of(Arguments.of(8, 2, 16, 1), Arguments.of(8, 2, 16, 300), Arguments.of(12, 2, 8, 600),
                Arguments.of(4, 4, 32, 257), Arguments.of(6, 1, 24, 513));
    }

    /**
     * An F16 cache is an F32 cache of the values rounded to half precision, read by the same kernels: attention
     * over it equals, bit for bit, attention over an F32 cache that was given the rounded values, for every kernel
     * set and across page boundaries.
     */
    @ParameterizedTest(name = "{0} heads, {1} kv heads, dim {2}, {3} positions")
    @MethodSource("shapes")
    void halfCacheIsTheRoundedFloatCache(int heads, int kvHeads, int headDim, int positions) {
        int kvDim = kvHeads * headDim, layers = 2;
        SplittableRandom rnd = new SplittableRandom(heads * 31L + positions);
        KvCache half = new KvCache(KvType.F16, layers, kvHeads, headDim, positions);
        KvCache full = new KvCache(KvType.F32, layers, kvHeads, headDim, positions);
        half.reserve(positions);
        full.reserve(positions);
        float[] k = new float[kvDim], v = new float[kvDim], kr = new float[kvDim], vr = new float[kvDim];
        for (int p = 0; p < positions; p++) {
            for (int l = 0; l < layers; l++) {
                for (int i = 0; i < kvDim; i++) {
                    k[i] = (float) rnd.nextGaussian();
                    v[i] = (float) rnd.nextGaussian() * 3;
                    kr[i] = Float.float16ToFloat(Float.floatToFloat16(k[i]));
                    vr[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
                }
                half.store(l, k, 0, v, 0, p);
                full.store(l, kr, 0, vr, 0, p);
            }
        }
        float[] q = new float[heads * headDim];
        for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
        for (TensorOps ops : new TensorOps[] {TensorOps.scalar(), TensorOps.best()}) {
            CachedAttention attention = new CachedAttention(ops, heads, kvHeads, headDim);
            for (int l = 0; l < layers; l++) {
                float[] fromHalf = new float[q.length], fromFull = new float[q.length];
                attention.attend(q, half, l, new float[heads][positions], fromHalf, positions);
                attention.attend(q, full, l, new float[heads][positions], fromFull, positions);
                assertThat(fromHalf).as(ops.name() + " layer " + l).containsExactly(fromFull);
            }
        }
        assertThat(half.bytes() * 2).isEqualTo(full.bytes());
    }

    @Test
    void refusesPositionsItDoesNotHold() {
        KvCache cache = new KvCache(KvType.F16, 1, 2, 8, 300);
        cache.reserve(10);
        assertThat(cache.reserved()).isEqualTo(KvCache.PAGE);
        assertThat(cache.bytes()).isEqualTo(2L * KvCache.PAGE * 16 * 2);
        float[] kv = new float[16];
        assertThatThrownBy(() -> cache.store(0, kv, 0, kv, 0, KvCache.PAGE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 256");
        assertThatThrownBy(() -> cache.reserve(301)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300");
        cache.reserve(300);
        assertThat(cache.reserved()).isEqualTo(300);
        assertThatThrownBy(() -> new CachedAttention(TensorOps.scalar(), 2, 2, 8).attend(new float[16], cache, 0,
                new float[2][301], new float[16], 301)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvType.parse("q4")).hasMessageContaining("f32, f16");
        assertThat(KvType.parse("F16")).isEqualTo(KvType.F16);
    }

    /**
     * A model decoding over an F16 cache stays close to the same model over an F32 cache (half precision keeps
     * 11 significant bits of each key and value), and the cache takes half the bytes.
     */
    @Test
    void halfCacheDecodesCloseToTheFloatCache() {
        Path file = RandomLlama.wide().withContext(2 * KvCache.PAGE).write(dir.resolve("kv.gguf"));
        try (LanguageModel model = Models.load(file)) {
            int n = KvCache.PAGE + 20;
            int[] tokens = new SplittableRandom(5).ints(n, 0, model.vocabularySize()).toArray();
            InferenceState half = model.newState(n + 1), full = model.newState(n + 1, KvType.F32);
            assertThat(half.cacheBytes()).isZero();
            float[] a = model.prefill(half, tokens, 0, true).clone();
            float[] b = model.prefill(full, tokens, 0, true).clone();
            assertThat(half.cacheBytes() * 2).isEqualTo(full.cacheBytes()).isPositive();
            double largest = 0, gap = 0;
            for (int i = 0; i < a.length; i++) {
                largest = Math.max(largest, Math.abs(b[i]));
                gap = Math.max(gap, Math.abs(a[i] - b[i]));
            }
            assertThat(gap / largest).as("F16 vs F32 cache, relative to the largest logit").isLessThan(1e-2).isPositive();
        }
    }
}
