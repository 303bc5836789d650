package ai.basalt.format.safetensors;

import ai.basalt.tensor.DType;
import java.util.Set;

/**
 * The element types of safetensors that Basalt reads, named as in the header's {@code "dtype"} field, in the
 * order of the reference implementation's {@code Dtype} enum (huggingface/safetensors {@code tensor.rs}), which
 * is ascending alignment: the writer lays tensors out in descending order of it, as the reference does, so every
 * tensor's data is aligned to its element size.
 *
 * <p>All are little-endian. The floating-point and signed integer types that GGML also has map to a
 * {@link DType} and can be read as {@link ai.basalt.tensor.Tensor}s; {@code BOOL} (one byte, 0 or 1), {@code U8},
 * {@code U16}, {@code U32} and {@code U64} are read as raw bytes only. The 4-, 6- and 8-bit float types and
 * {@code C64} are named by the format but refused with a message saying so ({@link #UNSUPPORTED}).
 */
public enum SafetensorsDType {
    BOOL(1, null),
    U8(1, null),
    I8(1, DType.I8),
    I16(2, DType.I16),
    U16(2, null),
    F16(2, DType.F16),
    BF16(2, DType.BF16),
    I32(4, DType.I32),
    U32(4, null),
    F32(4, DType.F32),
    F64(8, DType.F64),
    I64(8, DType.I64),
    U64(8, null);

    /** Dtype names of the format that Basalt refuses: sub-byte and 8-bit floats, and complex numbers. */
    public static final Set<String> UNSUPPORTED = Set.of(
            "F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "C64");

    private final int byteSize;
    private final DType ggml;

    SafetensorsDType(int byteSize, DType ggml) {
        this.byteSize = byteSize;
        this.ggml = ggml;
    }

    /** Bytes one element occupies. */
    public int byteSize() {
        return byteSize;
    }

    /** The GGML type with the same element encoding, or null where GGML has none. */
    public DType ggml() {
        return ggml;
    }

    /** The safetensors dtype with the same element encoding as {@code type}, or null where there is none. */
    public static SafetensorsDType of(DType type) {
        for (SafetensorsDType t : values()) {
            if (t.ggml == type) return t;
        }
        return null;
    }

    /** The dtype named {@code name} exactly (the format's names are upper case), or null if Basalt reads none. */
    public static SafetensorsDType fromName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }
}
