package ai.basalt.model.layers;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.model.ModelLoadException;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads tensors of a GGUF file (or another model seen as one) with their shapes and types checked against what an architecture expects. */
public final class GgufWeights {
    /** The types Basalt has kernels for ({@link DType#computable()}). */
    private static final Set<DType> COMPUTABLE = Arrays.stream(DType.values()).filter(DType::computable)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(DType.class)));

    private final GgufView file;

    public GgufWeights(GgufView file) {
        this.file = file;
    }

    /** A (rows, cols) matrix stored as GGML dims {cols, rows}, in a type Basalt computes. */
    public Tensor matrix(String name, int cols, int rows) {
        Tensor t = require(name);
        if (t.rank() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
            throw new ModelLoadException(where() + ": tensor " + name + " has shape " + Arrays.toString(t.dims())
                    + ", expected [" + cols + ", " + rows + "]");
        }
        return checkType(t);
    }

    /** A vector of {@code length} elements, copied to floats. */
    public float[] vector(String name, int length) {
        Tensor t = require(name);
        if (t.elementCount() != length) {
            throw new ModelLoadException(where() + ": tensor " + name + " has shape " + Arrays.toString(t.dims())
                    + ", expected [" + length + "]");
        }
        return checkType(t).toFloatArray();
    }

    private Tensor require(String name) {
        if (!has(name)) throw new ModelLoadException(where() + ": tensor " + name + " is missing");
        return file.tensor(name);
    }

    /** Whether the file has a tensor of that name. */
    public boolean has(String name) {
        return file.findTensor(name).isPresent();
    }

    /** Total number of weight elements in the file. */
    public long parameterCount() {
        return file.tensors().stream().mapToLong(t -> Arrays.stream(t.dims()).reduce(1, Math::multiplyExact)).sum();
    }

    private Tensor checkType(Tensor t) {
        if (!COMPUTABLE.contains(t.type())) {
            throw new ModelLoadException(where() + ": tensor " + t.name() + " has type " + t.type()
                    + ", which Basalt cannot compute yet (supported: "
                    + COMPUTABLE.stream().map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
        return t;
    }

    private String where() {
        return file.path().getFileName().toString();
    }
}
