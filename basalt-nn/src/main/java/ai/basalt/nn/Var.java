package ai.basalt.nn;

import java.util.Arrays;

/**
 * A float tensor that autograd tracks: row-major {@code data}, a {@code grad} of the same size allocated
 * when the first gradient reaches it, a shape, and whether gradients are wanted.
 *
 * <p>Two lifetimes. A <em>leaf</em> (a parameter, an input, a constant) owns its arrays; its gradient
 * accumulates across {@link Graph#backward} calls until {@link #zeroGrad()}, which is how micro-batches
 * accumulate. An <em>intermediate</em> is made by a {@link Graph} op from the graph's buffer pool and is
 * valid until {@link Graph#reset()}, after which touching it throws.
 */
public final class Var {
    final String name;
    final ParamKind kind;
    final int[] shape;
    final int size;
    final boolean requiresGrad;
    /** Null for leaves; the graph whose pool holds this intermediate's arrays. */
    final Graph owner;
    float[] data;
    float[] grad;
    boolean released;

    Var(String name, ParamKind kind, float[] data, boolean requiresGrad, Graph owner, int[] shape) {
        this.size = sizeOf(shape);
        if (data.length < size) {
            throw new ShapeMismatchException("var '" + name + "': data of length " + data.length + " for shape "
                    + Arrays.toString(shape) + " (" + size + " elements)");
        }
        this.name = name;
        this.kind = kind;
        this.shape = shape.clone();
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.owner = owner;
    }

    /** A zero-filled trainable parameter. */
    public static Var param(String name, ParamKind kind, int... shape) {
        return new Var(name, kind, new float[sizeOf(shape)], true, null, shape);
    }

    /** A leaf over {@code data} (not copied), with or without gradients. */
    public static Var leaf(String name, float[] data, boolean requiresGrad, int... shape) {
        return new Var(name, ParamKind.NONE, data, requiresGrad, null, shape);
    }

    /** A constant over {@code data} (not copied): no gradient flows into it. */
    public static Var of(float[] data, int... shape) {
        return new Var("const", ParamKind.NONE, data, false, null, shape);
    }

    /** The number of elements of a shape; the empty shape is a scalar with one. */
    public static int sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new ShapeMismatchException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new ShapeMismatchException("shape " + Arrays.toString(shape) + " has more than 2^31 elements");
            }
        }
        return (int) n;
    }

    public String name() {
        return name;
    }

    public ParamKind kind() {
        return kind;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}; negative indices count from the end ({@code -1} is the last). */
    public int dim(int i) {
        int at = i < 0 ? shape.length + i : i;
        if (at < 0 || at >= shape.length) {
            throw new ShapeMismatchException("var '" + name + "' of shape " + Arrays.toString(shape) + " has no dimension " + i);
        }
        return shape[at];
    }

    public int size() {
        return size;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Whether this is a leaf (owns its arrays) rather than an intermediate of a graph. */
    public boolean isLeaf() {
        return owner == null;
    }

    /** The values, row-major; may be longer than {@link #size()}. */
    public float[] data() {
        checkLive();
        return data;
    }

    /** The accumulated gradient, or null if none has reached this tensor yet. */
    public float[] grad() {
        checkLive();
        return grad;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (size != 1) throw new ShapeMismatchException("item() of var '" + name + "' with shape " + Arrays.toString(shape));
        return data()[0];
    }

    /** Sets the gradient to zeros in place, keeping its array (torch's {@code zero_grad(set_to_none=False)}). */
    public void zeroGrad() {
        checkLive();
        if (grad != null) Arrays.fill(grad, 0, size, 0f);
    }

    void checkLive() {
        if (released) throw new IllegalStateException("var '" + name + "' was released by Graph.reset() and may not be used");
    }

    /** The last dimension, or 1 for a scalar. */
    int cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    @Override
    public String toString() {
        return "Var[" + name + " " + Arrays.toString(shape) + (requiresGrad ? " grad" : "") + "]";
    }
}
