package ai.basalt.format.gguf;

import ai.basalt.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Assembles GGUF bytes field by field, independently of {@link GgufWriter}, so tests can state the spec's layout
 * directly and build files the writer would refuse to write.
 */
final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version and the two counts. */
    static GgufBytes header(int version, long tensorCount, long kvCount) {
        return new GgufBytes().raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensorCount).u64(kvCount);
    }

    GgufBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u16(int v) {
        return raw(buffer(2).putShort((short) v).array());
    }

    GgufBytes u32(long v) {
        return raw(buffer(4).putInt((int) v).array());
    }

    GgufBytes u64(long v) {
        return raw(buffer(8).putLong(v).array());
    }

    GgufBytes f32(float v) {
        return raw(buffer(4).putFloat(v).array());
    }

    GgufBytes f64(double v) {
        return raw(buffer(8).putDouble(v).array());
    }

    GgufBytes str(String s) {
        return str(s.getBytes(StandardCharsets.UTF_8));
    }

    GgufBytes str(byte[] utf8) {
        return u64(utf8.length).raw(utf8);
    }

    /** A key and a value type; the caller writes the value. */
    GgufBytes kv(String key, GgufValueType type) {
        return str(key).u32(type.id());
    }

    GgufBytes tensorInfo(String name, DType type, long offset, long... dims) {
        str(name).u32(dims.length);
        for (long d : dims) u64(d);
        return u32(type.ggmlId()).u64(offset);
    }

    GgufBytes padTo(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    GgufBytes zeros(int n) {
        return raw(new byte[n]);
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private static ByteBuffer buffer(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
