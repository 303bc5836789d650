package ai.basalt.format.gguf;

import ai.basalt.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF file's tensor infos ({@code gguf_tensor_info_t}): name, type, dimensions in GGML order
 * ({@code dims[0]} innermost) and the offset of the data, relative to the start of the data section.
 *
 * @param offset bytes from the start of the file's data section, a multiple of the file's alignment
 */
public record GgufTensorInfo(String name, DType type, long[] dims, long offset) {
    /** Most dimensions a tensor may have (ggml {@code GGML_MAX_DIMS}). */
    public static final int MAX_DIMS = 4;

    /**
     * @throws IllegalArgumentException if there are not 1 to 4 dimensions, a dimension is not positive, the
     *     innermost one is not a whole number of {@code type}'s blocks, or the offset is negative
     * @throws ArithmeticException if the element count or byte size overflows a long
     */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
        if (dims.length == 0 || dims.length > MAX_DIMS) {
            throw new IllegalArgumentException(dims.length + " dimensions, 1 to " + MAX_DIMS + " expected");
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) throw new IllegalArgumentException("dimension " + i + " is " + dims[i] + ", not positive");
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("row length " + dims[0] + " is not a multiple of " + type
                    + "'s block size " + type.blockSize());
        }
        if (offset < 0) throw new IllegalArgumentException("offset " + offset + " is negative");
        type.byteSize(elementCount(dims));
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        return elementCount(dims);
    }

    /** Bytes of data the tensor occupies in its type. */
    public long byteSize() {
        return type.byteSize(elementCount(dims));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo other && name.equals(other.name) && type == other.type
                && Arrays.equals(dims, other.dims) && offset == other.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + offset;
    }

    private static long elementCount(long[] dims) {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }
}
