package ai.basalt.model.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A PyTorch training fixture written by {@code tools/pytorch/make_fixtures.py} (format version 1, described in
 * {@code tools/pytorch/README.md}): magic {@code BSLTFIX\0}, version, a JSON header, then named float32/int32
 * tensors. The reader checks the magic, the version, that the header lies inside the file and that every tensor's
 * size matches its shape and lies inside the data section.
 */
final class TorchFixture {
    private static final byte[] MAGIC = "BSLTFIX\0".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private record Entry(String dtype, int[] shape, long offset) {}

    private final String where;
    private final JsonNode header;
    private final ByteBuffer data;
    private final Map<String, Entry> tensors = new HashMap<>();

    private TorchFixture(String where, byte[] bytes) {
        this.where = where;
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        require(bytes.length >= 16 && Arrays.equals(Arrays.copyOf(bytes, 8), MAGIC), "magic is not BSLTFIX");
        int version = buf.getInt(8);
        require(version == VERSION, "version " + version + " vs expected " + VERSION);
        long headerLength = Integer.toUnsignedLong(buf.getInt(12));
        require(16 + headerLength <= bytes.length, "header of " + headerLength + " bytes runs past the end (" + bytes.length + ")");
        try {
            header = new ObjectMapper().readTree(new String(bytes, 16, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(where + ": header is not JSON: " + e.getMessage(), e);
        }
        long dataSize = header.path("data_size").asLong(-1);
        require(16 + headerLength + dataSize == bytes.length,
                "data_size " + dataSize + " does not fill the file of " + bytes.length + " bytes");
        data = ByteBuffer.wrap(bytes, (int) (16 + headerLength), (int) dataSize).slice().order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode t : header.path("tensors")) {
            int[] shape = new int[t.path("shape").size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asInt();
                elements *= shape[i];
            }
            long offset = t.path("offset").asLong();
            long nbytes = t.path("nbytes").asLong();
            String name = t.path("name").asText();
            require(nbytes == 4 * elements, name + ": " + nbytes + " bytes for shape " + Arrays.toString(shape));
            require(offset >= 0 && offset + nbytes <= dataSize, name + ": bytes [" + offset + ", " + (offset + nbytes) + ") outside the data");
            tensors.put(name, new Entry(t.path("dtype").asText(), shape, offset));
        }
    }

    /** Reads {@code fixtures/<name>} from the test class path; a missing fixture fails the test. */
    static TorchFixture load(String name) {
        String resource = "/fixtures/" + name;
        try (InputStream in = TorchFixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + resource + " is missing (tools/pytorch/make_fixtures.py writes it)");
            }
            return new TorchFixture(resource, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": " + e.getMessage(), e);
        }
    }

    private void require(boolean ok, String message) {
        if (!ok) throw new IllegalStateException(where + ": " + message);
    }

    JsonNode header() {
        return header;
    }

    JsonNode config() {
        return header.path("config");
    }

    List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The names in {@code params}, in named_parameters() order. */
    List<String> params() {
        return strings(header.path("params"));
    }

    int[] shape(String name) {
        return entry(name).shape().clone();
    }

    float[] floats(String name) {
        Entry e = entry(name);
        require(e.dtype().equals("f32"), name + " is " + e.dtype() + ", f32 expected");
        float[] out = new float[size(e.shape())];
        data.slice((int) e.offset(), 4 * out.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    int[] ints(String name) {
        Entry e = entry(name);
        require(e.dtype().equals("i32"), name + " is " + e.dtype() + ", i32 expected");
        int[] out = new int[size(e.shape())];
        data.slice((int) e.offset(), 4 * out.length).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    float scalar(String name) {
        return floats(name)[0];
    }

    private Entry entry(String name) {
        Entry e = tensors.get(name);
        require(e != null, "no tensor '" + name + "'");
        return e;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
