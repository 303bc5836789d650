package ai.basalt.model;

/**
 * The element type of a state's KV cache. {@link #F16} (llama.cpp's default) holds each key and value in half
 * precision, half the memory and half the reads per decoded token of {@link #F32}; {@link #F32} keeps them as
 * computed.
 */
public enum KvType {
    F32,
    F16;

    /** The type a state's cache takes unless told otherwise: F16, as llama.cpp's. */
    public static final KvType DEFAULT = F16;

    /** The type named {@code name} ("f16", "F32", …), or an IllegalArgumentException naming the choices. */
    public static KvType parse(String name) {
        for (KvType t : values()) if (t.name().equalsIgnoreCase(name)) return t;
        throw new IllegalArgumentException("KV cache type '" + name + "' is not one of f32, f16");
    }
}
