package ai.basalt.format.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The index of a sharded checkpoint, {@code model.safetensors.index.json} as Hugging Face transformers writes it:
 * {@code {"metadata": {"total_size": BYTES}, "weight_map": {"TENSOR_NAME": "SHARD_FILE", ...}}}.
 *
 * <p>The reader requires {@code "weight_map"}, an object whose values are plain file names in the index's folder
 * (no folder part, so an index cannot point outside it), and checks {@code "metadata"."total_size"}, where
 * present, is a non-negative integer; other metadata keys are ignored. The writer writes what transformers'
 * {@code json.dumps(index, indent=2, sort_keys=True)} writes: keys sorted, two-space indents, non-ASCII escaped.
 *
 * @param totalSize bytes of tensor data in all shards, or -1 where the index does not say
 * @param weightMap tensor name to shard file name, sorted by name
 */
public record SafetensorsIndex(long totalSize, Map<String, String> weightMap) {
    /** The index's name in a model folder. */
    public static final String FILE_NAME = "model.safetensors.index.json";

    public SafetensorsIndex {
        if (totalSize < -1) throw new IllegalArgumentException("total size " + totalSize + " is negative");
        weightMap = Collections.unmodifiableMap(new TreeMap<>(weightMap));
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            if (!plainFileName(e.getValue())) {
                throw new IllegalArgumentException("shard of tensor '" + e.getKey() + "' is '" + e.getValue()
                        + "', not a plain file name");
            }
        }
    }

    /**
     * Reads the index at {@code path}.
     *
     * @throws SafetensorsFormatException naming the file if it is not a well-formed index
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static SafetensorsIndex read(Path path) {
        Objects.requireNonNull(path, "path");
        String source = path.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read safetensors index (" + SafetensorsFile.describe(e)
                    + ")", e);
        }
        JsonNode root;
        try {
            root = SafetensorsReader.JSON.readTree(StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (JsonProcessingException e) {
            throw SafetensorsReader.fail(source, "index is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw SafetensorsReader.fail(source, "index is not valid UTF-8");
        }
        if (root == null || !root.isObject()) throw SafetensorsReader.fail(source, "index is not a JSON object");
        return new SafetensorsIndex(totalSize(source, root.get("metadata")), weightMap(source, root.get("weight_map")));
    }

    private static long totalSize(String source, JsonNode metadata) {
        if (metadata == null || metadata.isNull()) return -1;
        if (!metadata.isObject()) throw SafetensorsReader.fail(source, "index \"metadata\" is not an object");
        JsonNode size = metadata.get("total_size");
        if (size == null || size.isNull()) return -1;
        // Some tools write the size as a float; any non-negative whole number is accepted.
        if (!size.isNumber() || !size.canConvertToExactIntegral() || !size.canConvertToLong() || size.longValue() < 0) {
            throw SafetensorsReader.fail(source, "index \"total_size\" is " + size
                    + ", a non-negative integer expected");
        }
        return size.longValue();
    }

    private static Map<String, String> weightMap(String source, JsonNode node) {
        if (node == null) throw SafetensorsReader.fail(source, "index has no \"weight_map\"");
        if (!node.isObject()) throw SafetensorsReader.fail(source, "index \"weight_map\" is not an object");
        Map<String, String> map = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String where = "index \"weight_map\" entry " + SafetensorsFormatException.quote(e.getKey());
            if (!e.getValue().isTextual()) throw SafetensorsReader.fail(source, where + " is not a string");
            String file = e.getValue().textValue();
            if (!plainFileName(file)) {
                throw SafetensorsReader.fail(source, where + " names " + SafetensorsFormatException.quote(file)
                        + ", not a plain file name in the index's folder");
            }
            map.put(e.getKey(), file);
        }
        return map;
    }

    /** Writes the index to {@code path} as transformers does, replacing any file there, atomically. */
    public void write(Path path) {
        StringBuilder json = new StringBuilder("{\n");
        if (totalSize >= 0) json.append("  \"metadata\": {\n    \"total_size\": ").append(totalSize).append("\n  },\n");
        json.append("  \"weight_map\": {");
        String separator = "\n";
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            json.append(separator).append("    ").append(JsonText.string(e.getKey(), true)).append(": ")
                    .append(JsonText.string(e.getValue(), true));
            separator = ",\n";
        }
        json.append(weightMap.isEmpty() ? "}\n}\n" : "\n  }\n}\n");
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        SafetensorsWriter.writeAtomically(path, "safetensors index", channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) channel.write(buffer);
        });
    }

    static boolean plainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && name.indexOf('\0') < 0 && name.indexOf(':') < 0;
    }
}
