package ai.basalt.model.hf;

import ai.basalt.model.ModelLoadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A JSON object read from one file of a Hugging Face folder, with typed getters whose failures are one-line
 * {@link ModelLoadException}s naming the file and the field: {@code DIR/config.json: field 'num_attention_heads' is
 * the string "4", a positive integer expected}. A JSON {@code null} counts as absent, as {@code transformers} reads
 * it ({@code "rope_scaling": null}, {@code "head_dim": null}).
 */
final class JsonFile {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Path file;
    private final ObjectNode root;

    private JsonFile(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /**
     * Reads {@code file}, which must hold a JSON object in UTF-8.
     *
     * @throws ModelLoadException naming the file if it is missing, unreadable or not a JSON object
     */
    static JsonFile read(Path file, String purpose) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(file + ": no such file (" + purpose + ")", e);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
        JsonNode root;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            root = JSON.readTree(text);
        } catch (CharacterCodingException e) {
            throw new ModelLoadException(file + ": not valid UTF-8", e);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException(file + ": not valid JSON (" + oneLine(e.getOriginalMessage()) + ", line "
                    + e.getLocation().getLineNr() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + ": not a JSON object (found " + describe(root) + ")");
        }
        return new JsonFile(file, (ObjectNode) root);
    }

    /** Writes {@code node} to {@code file}, indented, as transformers writes its JSON files. */
    static void write(Path file, ObjectNode node) {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Reads {@code file} if it exists. */
    static Optional<JsonFile> readIfPresent(Path file, String purpose) {
        return Files.exists(file) ? Optional.of(read(file, purpose)) : Optional.empty();
    }

    Path file() {
        return file;
    }

    ObjectNode root() {
        return root;
    }

    /** The field's node, or null when absent or JSON null; {@code name} may be a dotted path into objects. */
    JsonNode node(String name) {
        JsonNode n = root;
        for (String part : name.split("\\.")) {
            n = n.get(part);
            if (n == null || n.isNull()) return null;
        }
        return n;
    }

    boolean has(String name) {
        return node(name) != null;
    }

    int requirePositiveInt(String name) {
        JsonNode n = node(name);
        if (n == null) throw missing(name);
        return positiveInt(name, n);
    }

    OptionalInt positiveInt(String name) {
        JsonNode n = node(name);
        return n == null ? OptionalInt.empty() : OptionalInt.of(positiveInt(name, n));
    }

    /** A non-negative integer field, such as a token id. */
    OptionalInt id(String name) {
        JsonNode n = node(name);
        if (n == null) return OptionalInt.empty();
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw mistyped(name, n, "a non-negative integer");
        }
        return OptionalInt.of(n.intValue());
    }

    /** A positive finite number, read as a float (GGUF stores hyper-parameters as FLOAT32). */
    float positiveFloat(String name, float orElse) {
        JsonNode n = node(name);
        if (n == null) return orElse;
        if (!n.isNumber() || !(n.doubleValue() > 0) || !Double.isFinite(n.doubleValue())) {
            throw mistyped(name, n, "a positive number");
        }
        return (float) n.doubleValue();
    }

    boolean bool(String name, boolean orElse) {
        JsonNode n = node(name);
        if (n == null) return orElse;
        if (!n.isBoolean()) throw mistyped(name, n, "true or false");
        return n.booleanValue();
    }

    Optional<String> string(String name) {
        JsonNode n = node(name);
        if (n == null) return Optional.empty();
        if (!n.isTextual()) throw mistyped(name, n, "a string");
        return Optional.of(n.textValue());
    }

    ModelLoadException missing(String name) {
        return new ModelLoadException(file + ": field '" + name + "' is missing");
    }

    ModelLoadException mistyped(String name, JsonNode found, String expected) {
        return new ModelLoadException(file + ": field '" + name + "' is " + describe(found) + ", " + expected
                + " expected");
    }

    /** A failure about field {@code name} in this file's words. */
    ModelLoadException fail(String name, String problem) {
        return new ModelLoadException(file + ": field '" + name + "' " + problem);
    }

    private int positiveInt(String name, JsonNode n) {
        boolean integral = n.isIntegralNumber() || (n.isNumber() && n.canConvertToExactIntegral());
        if (!integral || !n.canConvertToInt() || n.intValue() <= 0) throw mistyped(name, n, "a positive integer");
        return n.intValue();
    }

    /** A short description of a JSON value for messages: its kind, and its text where short. */
    static String describe(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        if (n.isTextual()) {
            String s = n.textValue();
            return "the string \"" + oneLine(s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (n.isNumber() || n.isBoolean()) return n.asText();
        if (n.isArray()) return "an array";
        return "an object";
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
