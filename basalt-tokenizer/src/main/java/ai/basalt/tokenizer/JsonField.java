package ai.basalt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A value of a JSON file together with its path from the root ({@code model.merges[12]}), so that every check a
 * reader makes fails with one line naming the file, the path and what was found:
 * {@code tokenizer.json: model.merges[12]: expected a string, found the number 7}.
 *
 * @param file where messages say the value comes from
 * @param path the path from the root, empty for the root itself
 * @param node the value; {@link MissingNode} where the field is absent
 */
record JsonField(String file, String path, JsonNode node) {
    /** Longest excerpt of a value or key that messages quote. */
    private static final int EXCERPT = 60;

    static JsonField root(String file, JsonNode node) {
        return new JsonField(file, "", node);
    }

    /** The member {@code name} of this object, missing if this is not an object or lacks it. */
    JsonField field(String name) {
        JsonNode child = node.isObject() ? node.get(name) : null;
        return new JsonField(file, path.isEmpty() ? name : path + "." + name,
                child == null ? MissingNode.getInstance() : child);
    }

    /** The entry {@code key} of this object used as a map, with the path {@code path["key"]}. */
    JsonField key(String key) {
        JsonNode child = node.isObject() ? node.get(key) : null;
        return new JsonField(file, path + "[" + quote(key) + "]", child == null ? MissingNode.getInstance() : child);
    }

    /** Element {@code i} of this array. */
    JsonField element(int i) {
        JsonNode child = node.get(i);
        return new JsonField(file, path + "[" + i + "]", child == null ? MissingNode.getInstance() : child);
    }

    /** The elements of this array; fails unless it is one. */
    List<JsonField> elements() {
        requireArray();
        List<JsonField> elements = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) elements.add(element(i));
        return elements;
    }

    /** An entry of an object used as a map: its key and its value. */
    record Entry(String key, JsonField value) {}

    /** The entries of this object used as a map, each value with the path {@code path["key"]}; fails unless it is one. */
    List<Entry> entries() {
        requireObject();
        List<Entry> entries = new ArrayList<>(node.size());
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            entries.add(new Entry(e.getKey(), new JsonField(file, path + "[" + quote(e.getKey()) + "]", e.getValue())));
        }
        return entries;
    }

    /** Whether the field is absent or {@code null}. */
    boolean isAbsent() {
        return node.isMissingNode() || node.isNull();
    }

    void requireObject() {
        if (!node.isObject()) throw fail("expected an object, found " + describe(node));
    }

    void requireArray() {
        if (!node.isArray()) throw fail("expected an array, found " + describe(node));
    }

    String string() {
        if (!node.isTextual()) throw fail("expected a string, found " + describe(node));
        return node.textValue();
    }

    /** The string, or {@code otherwise} where the field is absent or null. */
    String string(String otherwise) {
        return isAbsent() ? otherwise : string();
    }

    boolean bool() {
        if (!node.isBoolean()) throw fail("expected true or false, found " + describe(node));
        return node.booleanValue();
    }

    /** The boolean, or {@code otherwise} where the field is absent or null. */
    boolean bool(boolean otherwise) {
        return isAbsent() ? otherwise : bool();
    }

    /** A token id: an integer from 0 to {@link Integer#MAX_VALUE}. */
    int id() {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw fail("expected a token id (an integer from 0 to " + Integer.MAX_VALUE + "), found " + describe(node));
        }
        return node.intValue();
    }

    /** The failure of a check on this field: {@code file: path: problem}, on one line. */
    TokenizerFormatException fail(String problem) {
        return new TokenizerFormatException(file + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    }

    /** What a value is, for messages: its kind and, for scalars, an excerpt of it. */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing (the field is missing)";
        if (node.isNull()) return "null";
        if (node.isTextual()) return "the string " + quote(node.textValue());
        if (node.isNumber()) return "the number " + excerpt(node.asText());
        if (node.isBoolean()) return node.asText();
        if (node.isArray()) return "an array of " + node.size();
        if (node.isObject()) {
            JsonNode type = node.get("type");
            return type != null && type.isTextual() ? "an object of type " + quote(type.textValue())
                    : "an object of " + node.size() + " fields";
        }
        return node.getNodeType().toString();
    }

    /** {@code text} in quotes, shortened, with line breaks and other controls escaped so that it stays on one line. */
    static String quote(String text) {
        return "'" + excerpt(text) + "'";
    }

    /** {@code text} shortened to {@value #EXCERPT} chars, with controls, line and paragraph separators escaped. */
    static String excerpt(String text) {
        return excerpt(text, EXCERPT);
    }

    /** {@code text} shortened to {@code max} chars, with controls, line and paragraph separators escaped. */
    static String excerpt(String text, int max) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder();
        int n = Math.min(text.length(), max);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c)
                    ? i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c) && !paired) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > n) out.append("...");
        return out.toString();
    }
}
