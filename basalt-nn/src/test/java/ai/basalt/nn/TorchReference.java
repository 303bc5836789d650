package ai.basalt.nn;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The PyTorch fixture written by {@code tools/nn/torch_reference.py}: named float32 or int32 tensors. The
 * reader checks the magic, the version and every size against the bytes left.
 */
final class TorchReference {
    static final String RESOURCE = "torch-reference.bin";
    private static final int MAGIC = 0x544E4E42; // "BNNT" little-endian
    private static final int VERSION = 1;

    record Entry(int[] shape, float[] floats, int[] ints) {}

    private final Map<String, Entry> entries = new HashMap<>();

    private TorchReference(ByteBuffer buf) {
        int magic = buf.getInt();
        if (magic != MAGIC) throw new IllegalStateException(RESOURCE + ": magic 0x" + Integer.toHexString(magic) + " vs expected 0x" + Integer.toHexString(MAGIC));
        int version = buf.getInt();
        if (version != VERSION) throw new IllegalStateException(RESOURCE + ": version " + version + " vs expected " + VERSION);
        int count = buf.getInt();
        for (int r = 0; r < count; r++) {
            byte[] name = new byte[Short.toUnsignedInt(buf.getShort())];
            buf.get(name);
            int type = buf.get();
            int[] shape = new int[buf.getInt()];
            for (int i = 0; i < shape.length; i++) shape[i] = buf.getInt();
            int n = Var.sizeOf(shape);
            if ((long) n * 4 > buf.remaining()) throw new IllegalStateException(RESOURCE + ": record " + r + " runs past the end");
            float[] f = null;
            int[] ints = null;
            if (type == 0) {
                f = new float[n];
                buf.asFloatBuffer().get(f);
            } else {
                ints = new int[n];
                buf.asIntBuffer().get(ints);
            }
            buf.position(buf.position() + 4 * n);
            entries.put(new String(name, StandardCharsets.UTF_8), new Entry(shape, f, ints));
        }
        if (buf.hasRemaining()) throw new IllegalStateException(RESOURCE + ": " + buf.remaining() + " bytes after the last record");
    }

    static TorchReference load() {
        try (InputStream in = TorchReference.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("fixture missing: " + RESOURCE + " (run tools/nn/torch_reference.py)");
            byte[] bytes = new DataInputStream(in).readAllBytes();
            return new TorchReference(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalStateException(RESOURCE + ": no record '" + name + "'");
        return e;
    }

    float[] floats(String name) {
        return get(name).floats().clone();
    }

    int[] ints(String name) {
        return get(name).ints().clone();
    }

    /** A leaf needing gradients, over a copy of the named tensor. */
    Var leaf(String name) {
        Entry e = get(name);
        return Var.leaf(name, e.floats().clone(), true, e.shape());
    }
}
