package ai.basalt.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches are nanoGPT's windows, reproducible from a seed and resumable from a saved state. */
class BatchLoaderTest {
    /** Token i of the shard is i % V, so a window's content tells where it starts. */
    private static final int V = 1000;
    private static final int N = 5_000;

    @TempDir
    Path dir;

    private TokenShard shard(int n) {
        Path path = dir.resolve("s" + n + ".tokens");
        try (TokenShardWriter w = new TokenShardWriter(path, V, new byte[32])) {
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) tokens[i] = i % V;
            w.write(tokens);
            w.finish();
        }
        return TokenShard.open(path);
    }

    @Test
    void randomWindowsAreConsecutiveTokensWithTargetsShiftedByOne() {
        int b = 8;
        int t = 16;
        try (TokenShard shard = shard(N)) {
            BatchLoader loader = BatchLoader.random(shard, b, t, 1337);
            long[] seen = new long[N];
            for (int step = 0; step < 500; step++) {
                BatchLoader.Batch batch = loader.next();
                assertThat(batch.rows()).isEqualTo(b);
                assertThat(batch.inputs()).hasSize(b * t);
                for (int row = 0; row < b; row++) {
                    int start = batch.inputs()[row * t];
                    for (int i = 0; i < t; i++) {
                        assertThat(batch.inputs()[row * t + i]).isEqualTo((start + i) % V);
                        assertThat(batch.targets()[row * t + i]).isEqualTo((start + i + 1) % V);
                    }
                    seen[start]++;
                }
            }
            // Starts are drawn from [0, V): every residue appears, none beyond.
            assertThat(Arrays.stream(seen, 0, V).filter(c -> c > 0).count()).isGreaterThan(V * 9 / 10);
            assertThat(loader.batches()).isEqualTo(500);
        }
    }

    @Test
    void startsCoverExactlyZeroToNMinusT() {
        // With N = T + 2 there are two possible starts, 0 and 1, as randint(len(data) - T) gives.
        int t = 4;
        try (TokenShard shard = shard(t + 2)) {
            BatchLoader loader = BatchLoader.random(shard, 64, t, 5);
            BatchLoader.Batch batch = loader.next();
            java.util.Set<Integer> starts = new java.util.TreeSet<>();
            for (int row = 0; row < 64; row++) starts.add(batch.inputs()[row * t]);
            assertThat(starts).containsExactly(0, 1);
        }
    }

    @Test
    void sameSeedSameBatchesAndRestoredStateResumesExactly() {
        try (TokenShard shard = shard(N)) {
            BatchLoader a = BatchLoader.random(shard, 4, 8, 42);
            BatchLoader b = BatchLoader.random(shard, 4, 8, 42);
            BatchLoader other = BatchLoader.random(shard, 4, 8, 43);
            for (int i = 0; i < 10; i++) {
                int[] x = a.next().inputs();
                assertThat(b.next().inputs()).isEqualTo(x);
                if (i == 0) assertThat(other.next().inputs()).isNotEqualTo(x);
            }
            BatchLoader.State saved = a.state();
            List<int[]> expected = new ArrayList<>();
            for (int i = 0; i < 5; i++) expected.add(a.next().targets());
            BatchLoader resumed = BatchLoader.random(shard, 4, 8, 999);
            resumed.restore(saved);
            assertThat(resumed.batches()).isEqualTo(10);
            for (int[] e : expected) assertThat(resumed.next().targets()).isEqualTo(e);
            assertThat(resumed.state()).isEqualTo(a.state());
            a.reset();
            BatchLoader fresh = BatchLoader.random(shard, 4, 8, 42);
            assertThat(a.next().inputs()).isEqualTo(fresh.next().inputs());
        }
    }

    @Test
    void sequentialPassCoversEveryWindowOnceWithAShortLastBatch() {
        int t = 10;
        int n = 95; // windows start at 0, 10, ..., 80: (95 - 1) / 10 = 9 windows
        try (TokenShard shard = shard(n)) {
            BatchLoader loader = BatchLoader.sequential(shard, 4, t);
            assertThat(loader.sequentialBatches()).isEqualTo(3);
            List<Integer> starts = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            while (loader.hasNext()) {
                BatchLoader.Batch batch = loader.next();
                rows.add(batch.rows());
                for (int r = 0; r < batch.rows(); r++) starts.add(batch.inputs()[r * t]);
            }
            assertThat(rows).containsExactly(4, 4, 1);
            assertThat(starts).containsExactly(0, 10, 20, 30, 40, 50, 60, 70, 80);
            assertThatThrownBy(loader::next).isInstanceOf(NoSuchElementException.class);
            loader.reset();
            assertThat(loader.next().inputs()[0]).isZero();
            BatchLoader.State mid = loader.state();
            assertThat(mid.position()).isEqualTo(40);
            BatchLoader again = BatchLoader.sequential(shard, 4, t);
            again.restore(mid);
            assertThat(again.next().inputs()[0]).isEqualTo(40);
        }
    }

    @Test
    void misuseIsRefused() {
        try (TokenShard shard = shard(10)) {
            assertThatThrownBy(() -> BatchLoader.random(shard, 1, 10, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("10 tokens, too few for one window of 11");
            assertThatThrownBy(() -> BatchLoader.random(shard, 0, 2, 0)).isInstanceOf(IllegalArgumentException.class);
            BatchLoader random = BatchLoader.random(shard, 1, 2, 0);
            BatchLoader sequential = BatchLoader.sequential(shard, 1, 2);
            assertThatThrownBy(() -> random.restore(sequential.state())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("state of a SEQUENTIAL loader, RANDOM expected");
            assertThatThrownBy(() -> sequential.restore(new BatchLoader.State(BatchLoader.Mode.SEQUENTIAL, 0, 11, 0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        }
    }

    @Test
    void torchWindowsStartWherePyTorchsRandintSaysAndPrefetchDrawsOneBatchAhead() {
        int b = 4;
        int t = 8;
        try (TokenShard shard = shard(N)) {
            ai.basalt.nn.TorchGenerator expected = new ai.basalt.nn.TorchGenerator(1337);
            ai.basalt.nn.TorchGenerator shared = new ai.basalt.nn.TorchGenerator(1337);
            BatchLoader train = BatchLoader.torch(shard, b, t, shared, true);
            assertThat(shared.draws()).as("the first batch is drawn at once").isEqualTo(b);
            BatchLoader eval = BatchLoader.torch(shard, b, t, shared, false);
            long[] first = new long[b];
            for (int row = 0; row < b; row++) first[row] = expected.randint(N - t);
            BatchLoader.Batch e = eval.next(); // draws 4..7 of the stream
            for (int row = 0; row < b; row++) {
                assertThat(e.inputs()[row * t]).isEqualTo((int) (expected.randint(N - t) % V));
            }
            BatchLoader.Batch x = train.next(); // the batch drawn first, and now the one after the evaluation
            for (int row = 0; row < b; row++) {
                assertThat(x.inputs()[row * t]).isEqualTo((int) (first[row] % V));
                assertThat(x.targets()[row * t]).isEqualTo((int) ((first[row] + 1) % V));
            }
            assertThat(shared.draws()).isEqualTo(3L * b);
        }
    }

    @Test
    void torchLoadersResumeFromTheirSavedDrawCounts() {
        int b = 3;
        int t = 5;
        try (TokenShard shard = shard(N)) {
            ai.basalt.nn.TorchGenerator g = new ai.basalt.nn.TorchGenerator(7);
            g.skip(1000); // as a model's initialisation would
            BatchLoader train = BatchLoader.torch(shard, b, t, g, true);
            BatchLoader eval = BatchLoader.torch(shard, b, t, g, false);
            for (int i = 0; i < 5; i++) {
                train.next();
                eval.next();
            }
            BatchLoader.State trainState = train.state();
            BatchLoader.State evalState = eval.state();
            List<int[]> after = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                after.add(train.next().inputs());
                after.add(eval.next().inputs());
            }

            ai.basalt.nn.TorchGenerator fresh = new ai.basalt.nn.TorchGenerator(7);
            BatchLoader train2 = BatchLoader.torch(shard, b, t, fresh, true);
            BatchLoader eval2 = BatchLoader.torch(shard, b, t, fresh, false);
            train2.restore(trainState);
            eval2.restore(evalState);
            for (int i = 0; i < 4; i++) {
                assertThat(train2.next().inputs()).isEqualTo(after.get(2 * i));
                assertThat(eval2.next().inputs()).isEqualTo(after.get(2 * i + 1));
            }
            assertThatThrownBy(train2::reset).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> train2.restore(BatchLoader.random(shard, b, t, 1).state()))
                    .hasMessageContaining("RANDOM loader");
        }
    }
}
