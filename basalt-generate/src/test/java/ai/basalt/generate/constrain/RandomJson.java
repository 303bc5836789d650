package ai.basalt.generate.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random schemas of the supported subset, random instances of them, a serializer that writes the canonical shape
 * JsonGrammar generates (members in tree order, whitespace runs of at most a given length where JSON allows them)
 * and tree mutations, all driven by one seeded {@link Random} so that a failing case is reproduced by its seed.
 */
final class RandomJson {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] NAMES = {"a", "b", "name", "id", "a b", "q\"t", "sl/ash", "ü", "emoji😀", "x"};
    private static final int[] CODE_POINTS = {'a', 'b', 'z', 'Q', ' ', '0', '"', '\\', '/', '\n', '\t', 0x01, 0x1F, 0x7F,
        0xE9, 0x4E2D, 0x20AC, 0x1F600, 0x10FFFF, 0xFFFD};

    private final Random r;

    RandomJson(long seed) {
        this.r = new Random(seed);
    }

    Random random() {
        return r;
    }

    /** A random schema nesting at most {@code depth} levels of objects, arrays and anyOf. */
    JsonNode schema(int depth) {
        ObjectNode s = NODES.objectNode();
        switch (r.nextInt(depth > 0 ? 13 : 8)) {
            case 0 -> {
                s.put("type", "string");
                int min = r.nextBoolean() ? r.nextInt(4) : 0;
                if (min > 0 || r.nextBoolean()) s.put("minLength", min);
                if (r.nextBoolean()) s.put("maxLength", min + r.nextInt(6));
            }
            case 1 -> s.put("type", "integer");
            case 2 -> s.put("type", "number");
            case 3 -> s.put("type", "boolean");
            case 4 -> s.put("type", "null");
            case 5 -> {
                ArrayNode values = s.putArray("enum");
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    JsonNode v = r.nextBoolean() ? NODES.textNode(NAMES[r.nextInt(NAMES.length)]) : NODES.numberNode(r.nextInt(20) - 5);
                    if (!contains(values, v)) values.add(v);
                }
            }
            case 6 -> s.set("const", r.nextInt(3) == 0 ? NODES.booleanNode(r.nextBoolean()) : NODES.textNode(NAMES[r.nextInt(NAMES.length)]));
            case 7 -> {
                ArrayNode types = s.putArray("type");
                List<String> pool = new ArrayList<>(List.of("string", "integer", "number", "boolean", "null"));
                int n = 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) types.add(pool.remove(r.nextInt(pool.size())));
                if (r.nextBoolean()) s.put("maxLength", 2 + r.nextInt(4));
            }
            case 8, 9 -> {
                s.put("type", "object");
                ObjectNode properties = s.putObject("properties");
                ArrayNode required = s.putArray("required");
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    String name = NAMES[r.nextInt(NAMES.length)];
                    if (properties.has(name)) continue;
                    properties.set(name, schema(depth - 1));
                    if (r.nextBoolean()) required.add(name);
                }
                if (r.nextBoolean()) s.put("additionalProperties", false);
                if (r.nextInt(4) == 0) s.put("description", "annotations are ignored");
            }
            case 10 -> {
                s.put("type", "array");
                s.set("items", schema(depth - 1));
                int min = r.nextInt(3);
                if (min > 0 || r.nextBoolean()) s.put("minItems", min);
                if (r.nextBoolean()) s.put("maxItems", min + r.nextInt(3));
            }
            case 11 -> {
                ArrayNode options = s.putArray(r.nextBoolean() ? "anyOf" : "oneOf");
                int n = 2 + r.nextInt(2);
                for (int i = 0; i < n; i++) options.add(schema(depth - 1));
            }
            default -> {
                if (r.nextBoolean()) return NODES.objectNode(); // {}: any value
                s.put("type", "object");
                s.set("additionalProperties", r.nextBoolean() ? schema(depth - 1) : NODES.booleanNode(false));
            }
        }
        return s;
    }

    /** A random instance of {@code schema}; {@code document} resolves $ref. */
    JsonNode instance(JsonNode document, JsonNode schema, int depth) {
        if (schema.has("$ref")) return instance(document, document.at(schema.get("$ref").textValue().substring(1)), depth);
        for (String key : List.of("anyOf", "oneOf")) {
            if (schema.has(key)) return instance(document, schema.get(key).get(r.nextInt(schema.get(key).size())), depth);
        }
        if (schema.has("const")) return schema.get("const").deepCopy();
        if (schema.has("enum")) return schema.get("enum").get(r.nextInt(schema.get("enum").size())).deepCopy();
        JsonNode type = schema.get("type");
        if (type == null) return anyValue(depth);
        String t = type.isTextual() ? type.textValue() : type.get(r.nextInt(type.size())).textValue();
        return switch (t) {
            case "string" -> {
                int min = schema.path("minLength").asInt(0);
                int max = schema.has("maxLength") ? schema.get("maxLength").asInt() : min + 6;
                yield NODES.textNode(string(min + r.nextInt(max - min + 1)));
            }
            case "integer" -> NODES.numberNode(r.nextInt(2001) - 1000);
            case "number" -> number();
            case "boolean" -> NODES.booleanNode(r.nextBoolean());
            case "null" -> NODES.nullNode();
            case "array" -> {
                int min = schema.path("minItems").asInt(0);
                int max = schema.has("maxItems") ? schema.get("maxItems").asInt() : min + 3;
                ArrayNode a = NODES.arrayNode();
                int n = min + r.nextInt(max - min + 1);
                for (int i = 0; i < n; i++) a.add(schema.has("items") ? instance(document, schema.get("items"), depth - 1) : anyValue(depth - 1));
                yield a;
            }
            default -> object(document, schema, depth);
        };
    }

    private JsonNode object(JsonNode document, JsonNode schema, int depth) {
        ObjectNode o = NODES.objectNode();
        JsonNode properties = schema.get("properties");
        if (properties != null && !properties.isEmpty()) {
            List<String> required = new ArrayList<>();
            schema.path("required").forEach(n -> required.add(n.textValue()));
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                var p = it.next();
                if (required.contains(p.getKey()) || r.nextBoolean()) o.set(p.getKey(), instance(document, p.getValue(), depth - 1));
            }
            return o;
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isBoolean() && !additional.booleanValue()) return o;
        if (additional == null && properties != null) return o; // an empty "properties" alone reads as closed
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            String key = string(r.nextInt(4));
            o.set(key, additional != null && additional.isObject() ? instance(document, additional, depth - 1) : anyValue(depth - 1));
        }
        return o;
    }

    /** Any JSON value, containers nested at most {@code depth} deep. */
    JsonNode anyValue(int depth) {
        switch (r.nextInt(depth > 0 ? 8 : 6)) {
            case 0: return NODES.textNode(string(r.nextInt(5)));
            case 1: return NODES.numberNode(r.nextInt(200) - 100);
            case 2: return number();
            case 3: return NODES.booleanNode(r.nextBoolean());
            case 4: return NODES.nullNode();
            case 5: return NODES.textNode("");
            case 6: {
                ObjectNode o = NODES.objectNode();
                int n = r.nextInt(3);
                for (int i = 0; i < n; i++) o.set(string(1 + r.nextInt(3)), anyValue(depth - 1));
                return o;
            }
            default: {
                ArrayNode a = NODES.arrayNode();
                int n = r.nextInt(3);
                for (int i = 0; i < n; i++) a.add(anyValue(depth - 1));
                return a;
            }
        }
    }

    private JsonNode number() {
        return NODES.numberNode(BigDecimal.valueOf(r.nextInt(200_001) - 100_000, r.nextInt(4)));
    }

    String string(int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) sb.appendCodePoint(CODE_POINTS[r.nextInt(CODE_POINTS.length)]);
        return sb.toString();
    }

    /** {@code node} as JSON text with random whitespace runs of at most {@code maxWhitespace} bytes. */
    String write(JsonNode node, int maxWhitespace) {
        StringBuilder out = new StringBuilder();
        ws(out, maxWhitespace);
        write(node, out, maxWhitespace);
        return out.toString();
    }

    private void write(JsonNode node, StringBuilder out, int w) {
        if (node.isObject()) {
            out.append('{');
            ws(out, w);
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var m = it.next();
                if (!first) {
                    out.append(',');
                    ws(out, w);
                }
                first = false;
                out.append(NODES.textNode(m.getKey()).toString());
                ws(out, w);
                out.append(':');
                ws(out, w);
                write(m.getValue(), out, w);
                ws(out, w);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            ws(out, w);
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                    ws(out, w);
                }
                write(node.get(i), out, w);
                ws(out, w);
            }
            out.append(']');
        } else {
            out.append(node.toString());
        }
    }

    private void ws(StringBuilder out, int max) {
        if (max == 0 || r.nextInt(3) != 0) return;
        int n = 1 + r.nextInt(max);
        for (int i = 0; i < n; i++) out.append(" \t\n\r".charAt(r.nextInt(4)));
    }

    /** A copy of {@code root} with one random change that may or may not keep it valid (never its member order). */
    JsonNode mutate(JsonNode root) {
        JsonNode copy = root.deepCopy();
        List<JsonNode> containers = new ArrayList<>();
        collect(copy, containers);
        if (containers.isEmpty() || r.nextInt(8) == 0) return replacement(copy);
        JsonNode target = containers.get(r.nextInt(containers.size()));
        if (target instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            int what = keys.isEmpty() ? 0 : r.nextInt(4);
            switch (what) {
                case 0 -> o.put("zz extra", 1);
                case 1 -> o.remove(keys.get(r.nextInt(keys.size())));
                case 2 -> {
                    String k = keys.get(r.nextInt(keys.size()));
                    o.set(k, replacement(o.get(k)));
                }
                default -> {
                    String k = keys.get(r.nextInt(keys.size()));
                    o.set(k, stretched(o.get(k)));
                }
            }
        } else {
            ArrayNode a = (ArrayNode) target;
            int what = a.isEmpty() ? 0 : r.nextInt(4);
            switch (what) {
                case 0 -> a.add(a.isEmpty() ? replacement(NODES.nullNode()) : a.get(r.nextInt(a.size())).deepCopy());
                case 1 -> a.remove(r.nextInt(a.size()));
                case 2 -> {
                    int i = r.nextInt(a.size());
                    a.set(i, replacement(a.get(i)));
                }
                default -> {
                    int i = r.nextInt(a.size());
                    a.set(i, stretched(a.get(i)));
                }
            }
        }
        return copy;
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode()) {
            containers.add(node);
            for (JsonNode child : node) collect(child, containers);
        }
    }

    private JsonNode replacement(JsonNode old) {
        return switch (r.nextInt(8)) {
            case 0 -> NODES.textNode(old.isTextual() ? old.textValue() + "x" : "x");
            case 1 -> NODES.numberNode(7);
            case 2 -> NODES.numberNode(new BigDecimal("2.5"));
            case 3 -> NODES.booleanNode(true);
            case 4 -> NODES.nullNode();
            case 5 -> NODES.objectNode();
            case 6 -> NODES.arrayNode();
            default -> NODES.textNode(NAMES[r.nextInt(NAMES.length)]);
        };
    }

    /** A string one character longer or shorter; other values replaced. */
    private JsonNode stretched(JsonNode old) {
        if (!old.isTextual()) return replacement(old);
        String s = old.textValue();
        if (!s.isEmpty() && r.nextBoolean()) return NODES.textNode(s.substring(0, s.offsetByCodePoints(0, s.codePointCount(0, s.length()) - 1)));
        return NODES.textNode(s + string(1));
    }

    private static boolean contains(ArrayNode values, JsonNode v) {
        for (JsonNode x : values) if (x.equals(v)) return true;
        return false;
    }
}
