package ai.basalt.bench;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.nn.layer.LayerNorm;
import ai.basalt.nn.layer.Linear;
import ai.basalt.nn.layer.Module;
import ai.basalt.nn.layer.RmsNorm;
import ai.basalt.tensor.Gemm;
import ai.basalt.tensor.RopeMode;
import java.util.ArrayList;
import java.util.List;
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
 * Forward and backward of one pre-norm transformer block at B=12, T=64, C=128, 4 heads: the unit of a
 * training step, through the basalt-nn graph exactly as a model builds it. {@code gpt2}: LayerNorm, fused
 * QKV with biases, GELU (tanh) MLP of width 4C. {@code llama}: RMSNorm, RoPE, 2 kv heads, SwiGLU of width
 * 4C, no biases. The upstream gradient is fixed, so the time is the block's alone. {@code gemm} picks
 * {@code Gemm.best()} or the scalar reference for the matrix products.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TrainStepBenchmark {
    static final int B = 12, T = 64, C = 128, HEADS = 4;

    @Param({"gpt2", "llama"})
    public String block;

    @Param({"best", "scalar"})
    public String gemm;

    private Graph graph;
    private boolean llama;
    private int kvHeads;
    private Module norm1, norm2;
    private Linear qkv, proj, up, gate, down;
    private RopeTable rope;
    /** (B, T, C) */
    private Var input;
    /** (B, T, C) */
    private float[] upstream;
    private List<Var> params;

    @Setup
    public void setUp() {
        llama = block.equals("llama");
        graph = new Graph(gemm.equals("scalar") ? Gemm.scalar() : Gemm.best());
        Rng rng = new Rng(1);
        kvHeads = llama ? 2 : HEADS;
        int kvDim = kvHeads * (C / HEADS);
        norm1 = llama ? new RmsNorm("ln_1", C, 1e-5f) : new LayerNorm("ln_1", C, true, 1e-5f);
        norm2 = llama ? new RmsNorm("ln_2", C, 1e-5f) : new LayerNorm("ln_2", C, true, 1e-5f);
        qkv = new Linear("c_attn", C, C + 2 * kvDim, !llama, rng, 0.02f);
        proj = new Linear("c_proj", C, C, !llama, rng, 0.02f);
        up = new Linear("c_fc", C, 4 * C, !llama, rng, 0.02f);
        gate = llama ? new Linear("gate", C, 4 * C, false, rng, 0.02f) : null;
        down = new Linear("mlp_proj", 4 * C, C, !llama, rng, 0.02f);
        rope = new RopeTable(C / HEADS, T, 10000f, RopeMode.NEOX);
        float[] x = new float[B * T * C];
        upstream = new float[B * T * C];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
            upstream[i] = (float) rng.nextGaussian() * 1e-3f;
        }
        input = Var.leaf("x", x, true, B, T, C);
        params = new ArrayList<>();
        for (Module m : new Module[] {norm1, norm2, qkv, proj, up, gate, down}) if (m != null) params.addAll(m.parameters());
    }

    private Var norm(Module m, Var x) {
        return m instanceof RmsNorm r ? r.forward(graph, x) : ((LayerNorm) m).forward(graph, x);
    }

    @Benchmark
    public float step() {
        Graph g = graph;
        g.reset();
        int kvDim = kvHeads * (C / HEADS);
        Var[] p = g.split(qkv.forward(g, norm(norm1, input)), C, kvDim, kvDim);
        Var q = llama ? g.rope(p[0], rope, HEADS) : p[0];
        Var k = llama ? g.rope(p[1], rope, kvHeads) : p[1];
        Var x = g.add(input, proj.forward(g, g.attention(q, k, p[2], HEADS, kvHeads)));
        Var h = norm(norm2, x);
        Var mlp = llama ? g.swiglu(gate.forward(g, h), up.forward(g, h)) : g.gelu(up.forward(g, h), GeluApproximation.TANH);
        Var out = g.add(x, down.forward(g, mlp));
        // seed the backward with a fixed upstream gradient through a one-line custom op
        Var loss = g.output("seed", new int[0], out);
        g.record(loss, () -> System.arraycopy(upstream, 0, g.grad(out), 0, upstream.length));
        g.backward(loss);
        for (Var v : params) v.zeroGrad();
        input.zeroGrad();
        return out.data()[0];
    }
}
