package ai.basalt.format.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor entry of a safetensors header: name, dtype, shape and the byte range {@code [begin, end)} of its data,
 * relative to the start of the byte buffer that follows the header.
 *
 * <p>The shape is row-major as the format stores it, outermost dimension first: a matrix of {@code rows × cols}
 * has {@code shape = [rows, cols]}. GGML, and so {@link ai.basalt.tensor.Tensor}, lists dimensions innermost
 * first, so the same matrix there has {@code dims = {cols, rows}}: {@link #ggmlDims()} is the shape reversed. The
 * format allows rank-0 tensors (scalars, {@code shape = []}, one element) and dimensions of 0 (no data).
 *
 * @param shape (rank) dimensions, outermost first, each 0 or more
 * @param begin offset of the first byte in the byte buffer
 * @param end   offset one past the last byte; {@code end - begin} is the element count times the dtype's size
 */
public record SafetensorsTensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

    /**
     * @throws IllegalArgumentException if a dimension is negative, an offset is negative, or the range's length is
     *     not the element count times the dtype's size
     * @throws ArithmeticException if the element count or byte size overflows a long
     */
    public SafetensorsTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("dimension " + i + " is " + shape[i] + ", negative");
        }
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("data offsets [" + begin + ", " + end + ") are not a byte range");
        }
        long expected = byteSize(dtype, shape);
        if (end - begin != expected) {
            throw new IllegalArgumentException("data offsets [" + begin + ", " + end + ") hold " + (end - begin)
                    + " bytes, " + expected + " expected for " + dtype + " " + Arrays.toString(shape));
        }
    }

    /** Bytes that {@code shape} elements of {@code dtype} occupy. */
    public static long byteSize(SafetensorsDType dtype, long[] shape) {
        return Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The product of the dimensions: 1 for a scalar, 0 where a dimension is 0. */
    public long elementCount() {
        return elementCount(shape);
    }

    /** Bytes of data, {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    /** The shape in GGML order, innermost first: the shape reversed, and {@code {1}} for a scalar. */
    public long[] ggmlDims() {
        if (shape.length == 0) return new long[] {1};
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[shape.length - 1 - i];
        return dims;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsTensorInfo other && name.equals(other.name) && dtype == other.dtype
                && Arrays.equals(shape, other.shape) && begin == other.begin && end == other.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }

    private static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
