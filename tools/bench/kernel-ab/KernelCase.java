import ai.basalt.tensor.DType;
import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * One side of {@link KernelAb}: a rows × 2048 matrix of one stored type (Gaussian weights quantized once) and one
 * input, multiplied by whichever basalt-tensor classes this class was loaded with. With {@code -Dab.count=N} (the
 * script's COUNT), N inputs through {@code matmulEach}: batched decode's product.
 */
public class KernelCase {
    static Tensor w;
    static float[] x, out;
    static float[][] xs, outs;
    static final int COUNT = Integer.getInteger("ab.count", 1);
    static TensorOps ops;

    public static void setup(String type, int rows, int threads) {
        setup(type, rows, threads, null);
    }

    /** The matrix's bytes, for the other side to multiply the very same memory. */
    public static MemorySegment data() {
        return w.data();
    }

    /**
     * As {@link #setup(String, int, int)}, multiplying {@code shared} (the other side's {@link #data()}) where it is
     * given, so that the two sides differ in their code only, not in where their matrix sits in memory.
     */
    public static void setup(String type, int rows, int threads, MemorySegment shared) {
        DType t = DType.valueOf(type);
        int cols = 2048;
        Parallel.setThreads(threads);
        Random rnd = new Random(42);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian() * 0.02f;
        MemorySegment data = shared;
        if (data == null) {
            data = Arena.global().allocate(t.byteSize(values.length), 64);
            Quantizer.quantize(values, 0, values.length, t, data, 0);
        }
        w = new Tensor("w", t, new long[] {cols, rows}, data);
        x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[rows];
        xs = new float[COUNT][];
        outs = new float[COUNT][];
        for (int k = 0; k < COUNT; k++) {
            xs[k] = new float[cols];
            for (int i = 0; i < cols; i++) xs[k][i] = (float) rnd.nextGaussian();
            outs[k] = k == 0 ? out : new float[rows];
        }
        ops = TensorOps.best();
    }

    /** Weights per nanosecond (Gweights/s) over {@code passes} products, times the inputs each weight meets. */
    public static double run(int passes) {
        long t0 = System.nanoTime();
        for (int p = 0; p < passes; p++) {
            if (COUNT == 1) {
                ops.matmul(w, x, out);
            } else {
                ops.matmulEach(w, xs, COUNT, outs);
            }
        }
        return (double) passes * COUNT * w.rows() * w.cols() / (System.nanoTime() - t0);
    }

    public static float first() {
        return out[0];
    }
}
