package ai.basalt.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane-wise maths that gives the same bits in every JIT tier. Two Vector API operations are avoided for
 * that reason: {@code lanewise(EXP/TANH)} (compiled code calls a vector math library, the interpreter
 * {@code Math}; they differ in the last bits) and {@code reduceLanes(ADD)} on floating-point lanes (whose
 * order is unspecified). {@link #exp} is a polynomial of exact IEEE operations with a scalar twin of
 * identical steps, and the sums add lanes in index order. Without this, the same prompt could give
 * different logits before and after the JIT compiles a kernel.
 */
public final class VectorMath {
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in a high part exact in float and the rest (Cody and Waite 1980). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float EXP_MAX = 88.3762626647949f;
    private static final float EXP_MIN = -87.3365448f;
    /** The minimax polynomial of Cephes {@code expf} for e^r − 1 − r on |r| ≤ ln2/2 (about 1 ulp). */
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private VectorMath() {}

    /** The lanes added in index order. */
    public static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /**
     * The values of {@code lanes} added in index order: the same sum as {@link #sum(FloatVector)} of the vector
     * stored there with {@code intoArray}. For large kernels, where a call taking the vector itself is not
     * inlined and the vector is boxed on the way.
     */
    public static float sum(float[] lanes) {
        float s = 0f;
        for (float v : lanes) s += v;
        return s;
    }

    /** The lanes added in index order. */
    public static double sum(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /** e^x, clamped to the normal float range (e^−∞ is about 1e−38, not 0: harmless in softmax sums). */
    public static FloatVector exp(FloatVector x) {
        x = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = x.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector pow2 = t.reinterpretAsInts().sub(ROUND_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(pow2.reinterpretAsFloats());
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = F.withLanes(double.class);
    private static final ThreadLocal<double[]> DOUBLE_LANES = ThreadLocal.withInitial(() -> new double[D.length()]);

    /**
     * x[off + i] ← e^(x[off + i] − shift) for i in [0, n), returning the sum of the results accumulated in double:
     * softmax's middle pass. The same bits as {@link #exp(FloatVector)} lane by lane (and {@link #exp(float)} on the
     * tail), with its operations written out in the loop: where C2 does not inline a call that takes or returns a
     * vector it boxes the vector, and attention's softmax, called per head per layer, was producing some 100 MB of
     * such garbage a second at 1,000 positions of context.
     */
    public static double expShiftedSum(float[] x, int off, int n, float shift) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, off + i).sub(shift).max(EXP_MIN).min(EXP_MAX);
            FloatVector t = v.mul(LOG2E).add(ROUND);
            FloatVector k = t.sub(ROUND);
            FloatVector r = v.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
            FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
            p = p.mul(r.mul(r)).add(r).add(1f);
            IntVector pow2 = t.reinterpretAsInts().sub(ROUND_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(pow2.reinterpretAsFloats());
            e.intoArray(x, off + i);
            // widened to double, two halves added: exact, so the order of the lanes does not matter
            acc = acc.add(((DoubleVector) e.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) e.convertShape(VectorOperators.F2D, D, 1)));
        }
        double[] lanes = DOUBLE_LANES.get();
        acc.intoArray(lanes, 0);
        double sum = 0;
        for (double lane : lanes) sum += lane;
        for (; i < n; i++) {
            float e = exp(x[off + i] - shift);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations, so the same bits. */
    public static float exp(float x) {
        x = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = x * LOG2E + ROUND;
        float n = t - ROUND;
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = ((((r * P0 + P1) * r + P2) * r + P3) * r + P4) * r + P5;
        p = p * (r * r) + r + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUND_BITS + 127) << 23);
    }
}
