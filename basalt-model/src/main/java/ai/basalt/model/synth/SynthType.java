package ai.basalt.model.synth;

import ai.basalt.model.quantize.QuantizeType;
import ai.basalt.tensor.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The types {@code basalt synth} writes: the float types of llama.cpp's converter ({@code --outtype f32/f16/bf16}:
 * weight matrices in that type, vectors in F32) and every {@link QuantizeType} recipe of {@code basalt quantize}.
 */
public enum SynthType {
    F32(0, DType.F32, null),
    F16(1, DType.F16, null),
    BF16(32, DType.BF16, null),
    Q4_0(QuantizeType.Q4_0),
    Q4_1(QuantizeType.Q4_1),
    Q8_0(QuantizeType.Q8_0),
    Q5_0(QuantizeType.Q5_0),
    Q5_1(QuantizeType.Q5_1),
    Q4_K_S(QuantizeType.Q4_K_S),
    Q4_K_M(QuantizeType.Q4_K_M),
    Q5_K_S(QuantizeType.Q5_K_S),
    Q5_K_M(QuantizeType.Q5_K_M),
    Q6_K(QuantizeType.Q6_K);

    private final int fileType;
    private final DType matrixType;
    private final QuantizeType recipe;

    SynthType(QuantizeType recipe) {
        this(recipe.fileType(), recipe.baseType(), recipe);
    }

    SynthType(int fileType, DType matrixType, QuantizeType recipe) {
        this.fileType = fileType;
        this.matrixType = matrixType;
        this.recipe = recipe;
    }

    /** The {@code LLAMA_FTYPE_*} id written to {@code general.file_type}. */
    public int fileType() {
        return fileType;
    }

    /** The type most weight matrices get. */
    public DType matrixType() {
        return matrixType;
    }

    /** The quantization recipe, or null for a float type. */
    public QuantizeType recipe() {
        return recipe;
    }

    /**
     * The type named {@code name}, ignoring case: a float type, or a recipe as {@link QuantizeType#parse} names it
     * ({@code Q4_K} and {@code Q5_K} mean {@code Q4_K_M} and {@code Q5_K_M}).
     *
     * @throws IllegalArgumentException naming the valid types if there is no such type
     */
    public static SynthType parse(String name) {
        String key = name.strip().toUpperCase(Locale.ROOT);
        for (SynthType t : values()) {
            if (t.recipe == null && t.name().equals(key)) return t;
        }
        try {
            return valueOf(QuantizeType.parse(name).name());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + name + "', expected one of " + validNames(), e);
        }
    }

    /** The names {@link #parse} accepts, aliases included. */
    public static String validNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (Q4_K = Q4_K_M, Q5_K = Q5_K_M)";
    }
}
