package ai.basalt.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A typed, shaped view over memory, in its stored type (quantized tensors stay quantized).
 *
 * <p>Dimensions are in GGML order: {@code dims[0]} is the innermost (contiguous) one, so a matrix of
 * {@code rows × cols} has {@code dims = {cols, rows}} and row {@code r} starts at byte
 * {@code r * rowBytes()}.
 */
public final class Tensor {
    private final String name;
    private final DType type;
    private final long[] dims;
    private final MemorySegment data;

    public Tensor(String name, DType type, long[] dims, MemorySegment data) {
        if (dims.length == 0 || dims.length > 4) {
            throw new IllegalArgumentException("tensor " + name + ": 1 to 4 dimensions expected, got " + dims.length);
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) throw new IllegalArgumentException("tensor " + name + ": dimension " + d + " is not positive");
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": row length " + dims[0]
                    + " is not a multiple of " + type + "'s block size " + type.blockSize());
        }
        long expected = type.byteSize(elements);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize() + " bytes of data, expected "
                    + expected + " for " + type + " " + Arrays.toString(dims));
        }
        this.name = name;
        this.type = type;
        this.dims = dims.clone();
        this.data = data;
    }

    /** A tensor over a heap float array (for tests and small weights). */
    public static Tensor ofFloats(String name, float[] values, long... dims) {
        MemorySegment seg = MemorySegment.ofArray(values.clone());
        return new Tensor(name, DType.F32, dims, seg);
    }

    public String name() {
        return name;
    }

    public DType type() {
        return type;
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code i} in GGML order (0 = innermost). */
    public long dim(int i) {
        return i < dims.length ? dims[i] : 1;
    }

    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    /** Elements per row: the innermost dimension. */
    public int cols() {
        return Math.toIntExact(dims[0]);
    }

    /** Number of rows: the product of all dimensions but the innermost. */
    public int rows() {
        return Math.toIntExact(elementCount() / dims[0]);
    }

    /** Bytes one row occupies. */
    public long rowBytes() {
        return type.byteSize(dims[0]);
    }

    public MemorySegment data() {
        return data;
    }

    /** Copies the whole tensor into a new float array, dequantizing as needed. */
    public float[] toFloatArray() {
        int rows = rows();
        int cols = cols();
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) ScalarTensorOps.INSTANCE.dequantizeRow(this, r, out, r * cols);
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }
}
