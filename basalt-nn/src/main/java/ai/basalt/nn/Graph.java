package ai.basalt.nn;

import ai.basalt.nn.ElementwiseOps.Binary;
import ai.basalt.nn.kernel.GeluApproximation;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.nn.kernel.Unary;
import ai.basalt.tensor.Gemm;
import java.util.ArrayList;

/**
 * A tape of operations: each op computes its output at once and records how to send gradients back;
 * {@link #backward(Var)} replays the records in reverse. One graph serves every step of a training loop:
 * {@link #reset()} hands the step's buffers back to the graph's pool, and the next step, having the same
 * shapes, takes the same arrays again instead of allocating.
 *
 * <pre>{@code
 * Graph g = new Graph();
 * for (int step = 0; step < steps; step++) {
 *     for (int micro = 0; micro < accum; micro++) {
 *         g.reset();
 *         Var loss = g.crossEntropy(model.forward(g, batch.inputs()), batch.targets(), -1);
 *         g.backward(loss, 1f / accum);       // parameters' grads accumulate
 *     }
 *     GradClip.clipGlobalNorm(params, 1f);
 *     adamw.step(schedule.lr(step));
 *     adamw.zeroGrad();
 * }
 * }</pre>
 *
 * <p>Extension point: a custom op takes its result from {@link #output}, computes it, and registers its
 * backward with {@link #record}; inside the backward, {@link #grad} gives (allocating once) the gradient
 * array of any input. The built-in ops are written exactly this way. Not thread-safe: one thread builds
 * and differentiates a graph; the kernels parallelize inside each op.
 */
public final class Graph {
    private record Node(Var out, Runnable backward) {}

    private final Gemm gemm;
    private final BufferPool pool = new BufferPool();
    private final ArrayList<Node> tape = new ArrayList<>();
    private final ArrayList<Var> made = new ArrayList<>();
    private boolean training = true;
    private boolean gradEnabled = true;
    private OpProfile profile;
    private String lastOp;
    private long lastMark;

    /** A graph whose linear layers use {@link Gemm#best()}. */
    public Graph() {
        this(Gemm.best());
    }

    public Graph(Gemm gemm) {
        this.gemm = gemm;
    }

    public Gemm gemm() {
        return gemm;
    }

    /** Whether dropout is active (true by default, like a fresh {@code torch.nn.Module}). */
    public boolean isTraining() {
        return training;
    }

    public void setTraining(boolean training) {
        this.training = training;
    }

    /** When false, ops record nothing and results need no gradient ({@code torch.no_grad()}). */
    public void setGradEnabled(boolean enabled) {
        this.gradEnabled = enabled;
    }

    /**
     * Times every op from now on into {@code profile} (null stops): a forward is charged the time from its
     * {@link #output} to the next op's, a backward the run of its record.
     */
    public void setProfile(OpProfile profile) {
        this.profile = profile;
        this.lastOp = null;
    }

    private void markForward(String op) {
        long now = System.nanoTime();
        if (lastOp != null) profile.add(lastOp, false, now - lastMark);
        lastOp = op;
        lastMark = now;
    }

    // ---- the extension API: every op below is built from these four ----

    /** A fresh intermediate from the pool, needing gradients if any non-null input does; contents undefined. */
    public Var output(String op, int[] shape, Var... inputs) {
        if (profile != null) markForward(op);
        boolean needsGrad = false;
        for (Var in : inputs) {
            if (in == null) continue;
            in.checkLive();
            needsGrad |= in.requiresGrad;
        }
        Var v = new Var(op, ParamKind.NONE, pool.take(Var.sizeOf(shape)), gradEnabled && needsGrad, this, shape);
        made.add(v);
        return v;
    }

    /** A pooled array of n floats, valid until {@link #reset()}; contents undefined. */
    public float[] scratch(int n) {
        return pool.take(n);
    }

    /** The gradient array of v, allocated (zeroed) on first use: owned by a leaf, pooled for an intermediate. */
    public float[] grad(Var v) {
        v.checkLive();
        if (v.grad == null) v.grad = v.owner == null ? new float[v.size] : pool.takeZeroed(v.size);
        return v.grad;
    }

    /** {@link #grad(Var)} if v needs gradients, else null (kernels skip null gradients). */
    public float[] gradIfNeeded(Var v) {
        return v.requiresGrad ? grad(v) : null;
    }

    /** Registers the backward of the op that made {@code out}; ignored when out needs no gradient. */
    public void record(Var out, Runnable backward) {
        if (out.requiresGrad) tape.add(new Node(out, backward));
    }

    /** Shares x's storage (and gradient) under a new shape. */
    Var viewOf(Var x, int[] shape) {
        x.checkLive();
        Var v = new Var(x.name, x.kind, x.data, gradEnabled && x.requiresGrad, this, shape);
        if (v.requiresGrad) v.grad = grad(x);
        made.add(v);
        return v;
    }

    // ---- running the tape ----

    /** Back-propagates from a one-element loss, seeding its gradient with 1. */
    public void backward(Var loss) {
        backward(loss, 1f);
    }

    /**
     * Back-propagates from a one-element loss whose gradient is seeded with {@code seed} (1/steps for
     * gradient accumulation, the same as back-propagating loss/steps). Consumes the tape: leaves'
     * gradients accumulate, intermediates' stay readable until {@link #reset()}.
     */
    public void backward(Var loss, float seed) {
        if (loss.size != 1) throw new ShapeMismatchException("backward: loss " + loss + " is not a single value");
        if (!loss.requiresGrad) throw new IllegalStateException("backward: loss " + loss + " does not depend on anything that needs gradients");
        if (profile != null && lastOp != null) {
            profile.add(lastOp, false, System.nanoTime() - lastMark);
            lastOp = null;
        }
        grad(loss)[0] += seed;
        for (int i = tape.size() - 1; i >= 0; i--) {
            Node node = tape.get(i);
            if (node.out.grad == null) continue;
            if (profile == null) {
                node.backward.run();
            } else {
                long t0 = System.nanoTime();
                node.backward.run();
                profile.add(node.out.name, true, System.nanoTime() - t0);
            }
        }
        tape.clear();
    }

    /** Releases every intermediate and buffer of the last step back to the pool; leaves are untouched. */
    public void reset() {
        for (Var v : made) {
            v.released = true;
            v.data = null;
            v.grad = null;
        }
        made.clear();
        tape.clear();
        pool.releaseAll();
    }

    /** How many arrays the pool has ever allocated: constant from the second identical step on. */
    public long allocations() {
        return pool.allocations();
    }

    /** How many floats the pool has ever allocated. */
    public long allocatedFloats() {
        return pool.allocatedFloats();
    }

    // ---- primitives ----

    /** a + b with NumPy broadcasting. */
    public Var add(Var a, Var b) {
        return ElementwiseOps.binary(this, Binary.ADD, a, b);
    }

    /** a − b with NumPy broadcasting. */
    public Var sub(Var a, Var b) {
        return ElementwiseOps.binary(this, Binary.SUB, a, b);
    }

    /** a · b element-wise with NumPy broadcasting. */
    public Var mul(Var a, Var b) {
        return ElementwiseOps.binary(this, Binary.MUL, a, b);
    }

    /** a / b element-wise with NumPy broadcasting. */
    public Var div(Var a, Var b) {
        return ElementwiseOps.binary(this, Binary.DIV, a, b);
    }

    /** x · s. */
    public Var scale(Var x, float s) {
        return ElementwiseOps.affine(this, x, s, 0f);
    }

    /** x + s. */
    public Var addScalar(Var x, float s) {
        return ElementwiseOps.affine(this, x, 1f, s);
    }

    /** f(x) element-wise. */
    public Var apply(Unary f, Var x) {
        return ElementwiseOps.unary(this, f, x);
    }

    /** The sum of all elements, shape (). */
    public Var sum(Var x) {
        return ElementwiseOps.sum(this, x);
    }

    /** Sums over the last dimension, kept as size 1. */
    public Var sumLast(Var x) {
        return ElementwiseOps.sumLast(this, x, false);
    }

    /** Means over the last dimension, kept as size 1. */
    public Var meanLast(Var x) {
        return ElementwiseOps.sumLast(this, x, true);
    }

    /** a (…, M, K) · b (…, K, N), batched; b may be 2-D and shared by the batch. */
    public Var matmul(Var a, Var b) {
        return LayerOps.matmul(this, a, b);
    }

    // ---- layout ----

    /** x's data under another shape (one dimension may be −1); no copy, gradients shared. */
    public Var view(Var x, int... shape) {
        return LayoutOps.view(this, x, shape);
    }

    /** Dimension i of the result is dimension axes[i] of x (a copy). */
    public Var permute(Var x, int... axes) {
        return LayoutOps.permute(this, x, axes);
    }

    /** Swaps the last two dimensions (a copy). */
    public Var transpose(Var x) {
        return LayoutOps.transpose(this, x);
    }

    /** Splits the last dimension into consecutive parts of the given widths (copies). */
    public Var[] split(Var x, int... widths) {
        return LayoutOps.split(this, x, widths);
    }

    // ---- layers ----

    /** Rows of table (V, C) for ids, shaped idShape + (C). ids must stay unchanged until backward. */
    public Var embedding(Var table, int[] ids, int... idShape) {
        return LayerOps.embedding(this, table, ids, idShape);
    }

    /** x (…, IN) · Wᵀ + b for W (OUT, IN) as in {@code torch.nn.Linear}; b may be null. */
    public Var linear(Var x, Var w, Var b) {
        return LayerOps.linear(this, x, w, b);
    }

    /** {@code torch.nn.LayerNorm} over the last dimension; bias may be null. */
    public Var layerNorm(Var x, Var weight, Var bias, float eps) {
        return LayerOps.layerNorm(this, x, weight, bias, eps);
    }

    /** x · rsqrt(mean(x²) + eps) · weight over the last dimension. */
    public Var rmsNorm(Var x, Var weight, float eps) {
        return LayerOps.rmsNorm(this, x, weight, eps);
    }

    /** {@code torch.nn.GELU(approximate)}. */
    public Var gelu(Var x, GeluApproximation approx) {
        return ActivationOps.gelu(this, x, approx);
    }

    /** x · σ(x). */
    public Var silu(Var x) {
        return ActivationOps.silu(this, x);
    }

    /** silu(gate) · up, fused. */
    public Var swiglu(Var gate, Var up) {
        return ActivationOps.swiglu(this, gate, up);
    }

    /** Inverted dropout with a mask drawn from rng; x itself when p is 0 or outside training. */
    public Var dropout(Var x, float p, Rng rng) {
        return ActivationOps.dropout(this, x, p, rng);
    }

    /** Rotary embedding of x (B, T, heads · hs) at positions 0..T−1. */
    public Var rope(Var x, RopeTable table, int heads) {
        return AttentionOps.rope(this, x, table, heads);
    }

    /** Causal self-attention: q (B, T, heads · hs), k and v (B, T, kvHeads · hs), scale 1/√hs. */
    public Var attention(Var q, Var k, Var v, int heads, int kvHeads) {
        return AttentionOps.attention(this, q, k, v, heads, kvHeads);
    }

    /**
     * {@link #attention} of q | k | v read in place from qkv (B, T, (heads + 2·kvHeads) · hs), the output of a
     * fused projection: the same bits as splitting qkv first, without the copies.
     */
    public Var attentionFused(Var qkv, int heads, int kvHeads) {
        return AttentionOps.attentionFused(this, qkv, heads, kvHeads);
    }

    /** Mean softmax cross-entropy of logits (…, V) against targets, skipping ignoreIndex (PyTorch: −100). */
    public Var crossEntropy(Var logits, int[] targets, int ignoreIndex) {
        return LossOps.crossEntropy(this, logits, targets, ignoreIndex);
    }
}
