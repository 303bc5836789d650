package ai.basalt.model.quantize;

import ai.basalt.tensor.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The targets of {@code basalt quantize}: llama.cpp's {@code llama_ftype} values Basalt can write, each with
 * the id stored in {@code general.file_type} ({@code include/llama.h}) and the type most weight matrices get
 * ({@code llama_model_quantize_impl}: {@code default_type}).
 */
public enum QuantizeType {
    Q4_0(2, DType.Q4_0),
    Q4_1(3, DType.Q4_1),
    Q8_0(7, DType.Q8_0),
    Q5_0(8, DType.Q5_0),
    Q5_1(9, DType.Q5_1),
    Q4_K_S(14, DType.Q4_K),
    Q4_K_M(15, DType.Q4_K),
    Q5_K_S(16, DType.Q5_K),
    Q5_K_M(17, DType.Q5_K),
    Q6_K(18, DType.Q6_K);

    private final int fileType;
    private final DType baseType;

    QuantizeType(int fileType, DType baseType) {
        this.fileType = fileType;
        this.baseType = baseType;
    }

    /** The {@code LLAMA_FTYPE_MOSTLY_*} id written to {@code general.file_type}. */
    public int fileType() {
        return fileType;
    }

    /** The type a weight matrix gets unless a rule of the recipe picks another. */
    public DType baseType() {
        return baseType;
    }

    /**
     * The type named {@code name}, ignoring case. {@code Q4_K} and {@code Q5_K} are aliases for {@code Q4_K_M}
     * and {@code Q5_K_M}, as in llama-quantize's {@code QUANT_OPTIONS}.
     *
     * @throws IllegalArgumentException naming the valid types if there is no such type
     */
    public static QuantizeType parse(String name) {
        String key = name.strip().toUpperCase(Locale.ROOT);
        switch (key) {
            case "Q4_K" -> {
                return Q4_K_M;
            }
            case "Q5_K" -> {
                return Q5_K_M;
            }
            default -> {
                for (QuantizeType t : values()) {
                    if (t.name().equals(key)) return t;
                }
                throw new IllegalArgumentException("unknown quantization type '" + name + "', expected one of "
                        + validNames());
            }
        }
    }

    /** The names {@link #parse} accepts, aliases included. */
    public static String validNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (Q4_K = Q4_K_M, Q5_K = Q5_K_M)";
    }
}
