package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.nn.optim.AdamW;
import ai.basalt.nn.optim.CosineSchedule;
import ai.basalt.nn.optim.GradClip;
import ai.basalt.nn.optim.ParamGroup;
import ai.basalt.tensor.Gemm;
import ai.basalt.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Whole training loops: they learn, they repeat bit for bit, and they resume exactly. */
class TrainingTest {
    static final int B = 4, T = 16, V = 13;

    /** Sequences counting up by a per-sequence stride mod V: learnable from the context alone. */
    static int[][] batch(Rng rng) {
        int[] in = new int[B * T], target = new int[B * T];
        for (int b = 0; b < B; b++) {
            int start = rng.nextInt(V), stride = 1 + rng.nextInt(3);
            for (int t = 0; t < T; t++) {
                in[b * T + t] = (start + stride * t) % V;
                target[b * T + t] = (start + stride * (t + 1)) % V;
            }
        }
        return new int[][] {in, target};
    }

    record Run(List<Float> losses, List<float[]> params) {}

    /** Trains with accumulation over two micro-batches, clipping, AdamW and the cosine schedule. */
    static Run train(TinyTransformer model, Graph g, Rng data, AdamW opt, int from, int steps) {
        CosineSchedule schedule = new CosineSchedule(3e-2, 3e-3, 10, 120);
        List<Float> losses = new ArrayList<>();
        for (int step = from; step < from + steps; step++) {
            float total = 0;
            for (int micro = 0; micro < 2; micro++) {
                int[][] xy = batch(data);
                g.reset();
                Var loss = g.crossEntropy(model.forward(g, xy[0], B, T), xy[1], -1);
                g.backward(loss, 0.5f);
                total += loss.item() / 2;
            }
            GradClip.clipGlobalNorm(model.parameters(), 1.0);
            opt.step(schedule.lr(step));
            opt.zeroGrad();
            losses.add(total);
        }
        List<float[]> params = new ArrayList<>();
        for (Var p : model.parameters()) params.add(p.data().clone());
        return new Run(losses, params);
    }

    static AdamW adamw(TinyTransformer model) {
        return new AdamW(ParamGroup.decayingWeights(model.parameters(), 0.1), 0.9, 0.95, 1e-8);
    }

    static Run fresh(boolean llama, float dropout, int steps) {
        return fresh(llama, dropout, steps, Gemm.scalar());
    }

    static Run fresh(boolean llama, float dropout, int steps, Gemm gemm) {
        TinyTransformer model = new TinyTransformer(42, V, T, 32, 4, llama ? 2 : 4, 2, llama, dropout);
        return train(model, new Graph(gemm), new Rng(7), adamw(model), 0, steps);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void learnsToCount(boolean llama) {
        Run run = fresh(llama, 0.1f, 120, Gemm.best());
        assertThat(run.losses().get(0)).as("initial loss near ln V").isBetween(2.3f, 2.9f);
        double last10 = run.losses().subList(110, 120).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        // RoPE sees relative positions from the start; learned absolute positions must first be learned
        assertThat(last10).as("mean loss of steps 111..120").isLessThan(llama ? 0.4 : 1.25);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void isBitForBitRepeatableWithTheBestGemm(boolean llama) {
        Run first = fresh(llama, 0.1f, 15, Gemm.best());
        Run second = fresh(llama, 0.1f, 15, Gemm.best());
        assertThat(second.losses()).isEqualTo(first.losses());
        for (int i = 0; i < first.params().size(); i++) assertThat(second.params().get(i)).isEqualTo(first.params().get(i));
    }

    /** Basalt's own kernels never split a reduction, so only the GEMM could make threads matter. */
    @Test
    void sameResultOnOneThreadAsOnTwoWithTheScalarGemm() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Run one = fresh(true, 0.1f, 5);
            Parallel.setThreads(2);
            Run two = fresh(true, 0.1f, 5);
            assertThat(two.losses()).isEqualTo(one.losses());
            for (int i = 0; i < one.params().size(); i++) assertThat(two.params().get(i)).isEqualTo(one.params().get(i));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void resumesExactlyFromSavedStateAndNoStepAllocatesAfterTheFirst() {
        Run straight = fresh(false, 0.1f, 8);

        TinyTransformer model = new TinyTransformer(42, V, T, 32, 4, 4, 2, false, 0.1f);
        Rng data = new Rng(7);
        AdamW opt = adamw(model);
        Graph g = new Graph(Gemm.scalar());
        train(model, g, data, opt, 0, 4);
        long allocations = g.allocations();
        // a checkpoint: parameters, optimizer moments and steps, both generators' states
        List<float[]> params = new ArrayList<>(), m = new ArrayList<>(), v = new ArrayList<>();
        for (int i = 0; i < model.parameters().size(); i++) {
            params.add(model.parameters().get(i).data().clone());
            m.add(opt.expAvg(i).clone());
            v.add(opt.expAvgSq(i).clone());
        }
        long step = opt.step(0), dataState = data.state(), dropoutState = model.dropoutRng.state();
        train(model, g, data, opt, 4, 4);
        assertThat(g.allocations()).as("pool allocations in steps 5..8").isEqualTo(allocations);

        TinyTransformer restored = new TinyTransformer(999, V, T, 32, 4, 4, 2, false, 0.1f);
        AdamW opt2 = adamw(restored);
        for (int i = 0; i < params.size(); i++) {
            Init.copy(restored.parameters().get(i), params.get(i));
            System.arraycopy(m.get(i), 0, opt2.expAvg(i), 0, m.get(i).length);
            System.arraycopy(v.get(i), 0, opt2.expAvgSq(i), 0, v.get(i).length);
            opt2.setStep(i, step);
        }
        restored.dropoutRng.restore(dropoutState);
        Run resumed = train(restored, new Graph(Gemm.scalar()), new Rng(dataState), opt2, 4, 4);
        assertThat(resumed.losses()).isEqualTo(straight.losses().subList(4, 8));
        for (int i = 0; i < params.size(); i++) assertThat(resumed.params().get(i)).isEqualTo(straight.params().get(i));
    }
}
