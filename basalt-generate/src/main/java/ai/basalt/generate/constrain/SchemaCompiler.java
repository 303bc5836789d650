package ai.basalt.generate.constrain;

import static ai.basalt.generate.constrain.Grammar.Builder.of;
import static ai.basalt.generate.constrain.Grammar.Builder.ref;
import static ai.basalt.generate.constrain.Grammar.Builder.seq;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one JSON Schema document (the subset {@link JsonGrammar} documents) into grammar rules. Each schema
 * becomes a rule whose language is a subset of the JSON texts valid against it, in a canonical shape: object
 * members in the order of {@code properties}, enum and const values in Jackson's compact serialization.
 */
final class SchemaCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keywords that say nothing about validity; skipped wherever they appear. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema",
            "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties",
            "enum", "const", "items", "minItems", "maxItems", "minLength", "maxLength", "anyOf", "oneOf", "$ref");
    private static final Set<String> OBJECT_KEYWORDS = Set.of("properties", "required", "additionalProperties");
    private static final Set<String> ARRAY_KEYWORDS = Set.of("items", "minItems", "maxItems");
    private static final Set<String> STRING_KEYWORDS = Set.of("minLength", "maxLength");

    private final Grammar.Builder b;
    private final JsonRules json;
    private final JsonNode document;
    /** The rule of each $ref target compiled so far, by JSON Pointer. */
    private final Map<String, Integer> refRules = new HashMap<>();
    /** $ref targets being compiled with no object or array entered since: meeting one again is left recursion. */
    private Set<String> unguarded = new HashSet<>();

    private SchemaCompiler(Grammar.Builder b, JsonRules json, JsonNode document) {
        this.b = b;
        this.json = json;
        this.document = document;
    }

    /** The rule element matching the instances of {@code document}, built into {@code b}. */
    static int compileDocument(Grammar.Builder b, JsonRules json, JsonNode document) {
        return new SchemaCompiler(b, json, document).reference("", "");
    }

    private int compile(JsonNode schema, String at) {
        if (schema.isBoolean()) {
            if (schema.booleanValue()) return json.value;
            throw new JsonSchemaException(at, "schema false matches nothing");
        }
        if (!schema.isObject()) throw new JsonSchemaException(at, "a schema must be an object or a boolean, found " + kind(schema));
        for (var it = schema.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (!SUPPORTED.contains(keyword) && !ANNOTATIONS.contains(keyword)) {
                throw new JsonSchemaException(child(at, keyword), "unsupported JSON Schema keyword '" + keyword + "'");
            }
        }
        if (schema.has("$ref")) {
            alone(schema, at, "$ref");
            JsonNode target = schema.get("$ref");
            if (!target.isTextual() || !target.textValue().startsWith("#")) {
                throw new JsonSchemaException(child(at, "$ref"), "only local references (#/...) are supported, found " + target);
            }
            return reference(target.textValue().substring(1), child(at, "$ref"));
        }
        if (schema.has("anyOf") && schema.has("oneOf")) throw new JsonSchemaException(child(at, "oneOf"), "anyOf beside oneOf is unsupported");
        for (String key : List.of("anyOf", "oneOf")) {
            if (!schema.has(key)) continue;
            alone(schema, at, key);
            JsonNode options = schema.get(key);
            if (!options.isArray() || options.isEmpty()) throw new JsonSchemaException(child(at, key), key + " must be a non-empty array");
            List<int[]> alts = new ArrayList<>();
            for (int i = 0; i < options.size(); i++) alts.add(of(compile(options.get(i), child(child(at, key), String.valueOf(i)))));
            return b.rule(alts.toArray(int[][]::new));
        }
        if (schema.has("const")) return b.rule(literal(schema.get("const")));
        if (schema.has("enum")) {
            JsonNode values = schema.get("enum");
            if (!values.isArray() || values.isEmpty()) throw new JsonSchemaException(child(at, "enum"), "enum must be a non-empty array");
            List<int[]> alts = new ArrayList<>();
            for (JsonNode v : values) alts.add(literal(v));
            return b.rule(alts.toArray(int[][]::new));
        }
        List<int[]> alts = new ArrayList<>();
        for (String type : types(schema, at)) alts.add(of(typed(type, schema, at)));
        return b.rule(alts.toArray(int[][]::new));
    }

    /** The rule of the schema at {@code pointer} in the document, compiled once and shared by every $ref to it. */
    private int reference(String pointer, String at) {
        Integer known = refRules.get(pointer);
        if (known != null) {
            if (unguarded.contains(pointer)) {
                throw new JsonSchemaException(at, "$ref '#" + pointer + "' refers back to itself without an object or array in between");
            }
            return ref(known);
        }
        JsonNode target;
        try {
            target = document.at(JsonPointer.compile(pointer));
        } catch (IllegalArgumentException e) {
            throw new JsonSchemaException(at, "malformed $ref '#" + pointer + "'");
        }
        if (target.isMissingNode()) throw new JsonSchemaException(at, "$ref '#" + pointer + "' points at nothing");
        int rule = b.declare();
        refRules.put(pointer, rule);
        unguarded.add(pointer);
        int body = compile(target, pointer);
        unguarded.remove(pointer);
        b.define(rule, List.of(of(body)));
        return ref(rule);
    }

    /** The type names a schema allows: its {@code type}, or the one its keywords imply, or all of them. */
    private static List<String> types(JsonNode schema, String at) {
        JsonNode type = schema.get("type");
        if (type == null) {
            if (hasAny(schema, OBJECT_KEYWORDS)) return List.of("object");
            if (hasAny(schema, ARRAY_KEYWORDS)) return List.of("array");
            if (hasAny(schema, STRING_KEYWORDS)) return List.of("string");
            return List.of("any");
        }
        List<String> names = new ArrayList<>();
        if (type.isTextual()) {
            names.add(type.textValue());
        } else if (type.isArray() && !type.isEmpty()) {
            for (JsonNode t : type) {
                if (!t.isTextual()) throw new JsonSchemaException(child(at, "type"), "type names must be strings, found " + t);
                names.add(t.textValue());
            }
        } else {
            throw new JsonSchemaException(child(at, "type"), "type must be a name or a non-empty array of names, found " + type);
        }
        for (String n : names) {
            if (!Set.of("object", "array", "string", "number", "integer", "boolean", "null").contains(n)) {
                throw new JsonSchemaException(child(at, "type"), "unknown type '" + n + "'");
            }
        }
        return names;
    }

    private int typed(String type, JsonNode schema, String at) {
        return switch (type) {
            case "object" -> object(schema, at);
            case "array" -> array(schema, at);
            case "string" -> json.string(count(schema, "minLength", at, 0), count(schema, "maxLength", at, -1));
            case "number" -> json.number;
            case "integer" -> json.integer;
            case "boolean" -> json.bool;
            case "null" -> json.nul;
            default -> json.value;
        };
    }

    /**
     * Members in the order of {@code properties}; optional ones may be left out. Members beyond
     * {@code properties} are never generated, whatever {@code additionalProperties} says (OpenAI's strict mode
     * requires it false; true or absent still allow the output, which has no others). With no properties declared,
     * the object is {@code {}} if additionalProperties is false, or absent beside an empty {@code properties} (strict
     * mode's reading of a tool without parameters); a map of its values if it is a schema; else any object.
     */
    private int object(JsonNode schema, String at) {
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        if (properties != null && !properties.isObject()) throw new JsonSchemaException(child(at, "properties"), "properties must be an object");
        if (additional != null && !additional.isBoolean() && !additional.isObject()) {
            throw new JsonSchemaException(child(at, "additionalProperties"), "additionalProperties must be a boolean or a schema");
        }
        Set<String> required = required(schema, at, properties);
        Set<String> saved = unguarded;
        unguarded = new HashSet<>();
        try {
            if (properties == null || properties.isEmpty()) {
                boolean closed = additional == null ? properties != null : additional.isBoolean() && !additional.booleanValue();
                if (!closed && (additional == null || additional.isBoolean())) return json.object;
                int[] open = seq(b.literal("{"), of(json.ws));
                if (closed) return b.rule(seq(open, b.literal("}")));
                int value = compile(additional, child(at, "additionalProperties"));
                int[] member = seq(of(json.string, json.ws), b.literal(":"), of(json.ws, value, json.ws));
                int members = b.separated(member, seq(b.literal(","), of(json.ws)), 0, -1);
                return b.rule(seq(open, of(members), b.literal("}")));
            }
            List<int[]> members = new ArrayList<>();
            List<Boolean> mandatory = new ArrayList<>();
            for (var it = properties.fields(); it.hasNext(); ) {
                var e = it.next();
                int value = compile(e.getValue(), child(child(at, "properties"), e.getKey()));
                members.add(seq(literal(JSON.getNodeFactory().textNode(e.getKey())), of(json.ws), b.literal(":"),
                        of(json.ws, value, json.ws)));
                mandatory.add(required.contains(e.getKey()));
            }
            return b.rule(seq(b.literal("{"), of(json.ws, firstMember(members, mandatory)), b.literal("}")));
        } finally {
            unguarded = saved;
        }
    }

    /**
     * Rules for the members from {@code i} on when none has been written yet ({@code first}) and when one has
     * ({@code rest}, each member then preceded by a comma): first(i) = m(i) rest(i+1), or first(i+1) as well when
     * member i is optional.
     */
    private int firstMember(List<int[]> members, List<Boolean> mandatory) {
        int n = members.size();
        int first = b.rule(new int[0]);
        int rest = b.rule(new int[0]);
        for (int i = n - 1; i >= 0; i--) {
            int[] withComma = seq(b.literal(","), of(json.ws), members.get(i), of(rest));
            int[] alone = seq(members.get(i), of(rest));
            int newRest = mandatory.get(i) ? b.rule(withComma) : b.rule(withComma, of(rest));
            first = mandatory.get(i) ? b.rule(alone) : b.rule(alone, of(first));
            rest = newRest;
        }
        return first;
    }

    private static Set<String> required(JsonNode schema, String at, JsonNode properties) {
        JsonNode required = schema.get("required");
        Set<String> names = new HashSet<>();
        if (required == null) return names;
        if (!required.isArray()) throw new JsonSchemaException(child(at, "required"), "required must be an array of names");
        for (int i = 0; i < required.size(); i++) {
            JsonNode name = required.get(i);
            String where = child(child(at, "required"), String.valueOf(i));
            if (!name.isTextual()) throw new JsonSchemaException(where, "required names must be strings, found " + name);
            if (properties == null || !properties.has(name.textValue())) {
                throw new JsonSchemaException(where, "required property '" + name.textValue() + "' is not among properties (unsupported)");
            }
            names.add(name.textValue());
        }
        return names;
    }

    private int array(JsonNode schema, String at) {
        JsonNode items = schema.get("items");
        if (items != null && items.isArray()) throw new JsonSchemaException(child(at, "items"), "tuple items (an array of schemas) are unsupported");
        int min = count(schema, "minItems", at, 0);
        int max = count(schema, "maxItems", at, -1);
        Set<String> saved = unguarded;
        unguarded = new HashSet<>();
        try {
            int item = items == null ? json.value : compile(items, child(at, "items"));
            int list = b.separated(of(item, json.ws), seq(b.literal(","), of(json.ws)), min, max);
            return b.rule(seq(b.literal("["), of(json.ws, list), b.literal("]")));
        } finally {
            unguarded = saved;
        }
    }

    /** A non-negative integer keyword, or {@code absent}; a maximum below its minimum is an error. */
    private static int count(JsonNode schema, String keyword, String at, int absent) {
        JsonNode v = schema.get(keyword);
        if (v == null) return absent;
        if (!v.canConvertToExactIntegral() || v.asLong() < 0 || v.asLong() > 100_000) {
            throw new JsonSchemaException(child(at, keyword), keyword + " must be an integer in 0..100000, found " + v);
        }
        int n = v.asInt();
        String minimum = keyword.startsWith("max") ? "min" + keyword.substring(3) : null;
        if (minimum != null && schema.has(minimum) && schema.get(minimum).asInt() > n) {
            throw new JsonSchemaException(child(at, keyword), keyword + " " + n + " is below " + minimum + " " + schema.get(minimum));
        }
        return n;
    }

    private int[] literal(JsonNode value) {
        try {
            return b.literal(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value, e);
        }
    }

    /** Throws unless {@code keyword} has only annotations beside it. */
    private static void alone(JsonNode schema, String at, String keyword) {
        for (var it = schema.fieldNames(); it.hasNext(); ) {
            String other = it.next();
            if (!other.equals(keyword) && !ANNOTATIONS.contains(other)) {
                throw new JsonSchemaException(child(at, other), "'" + other + "' beside " + keyword + " is unsupported");
            }
        }
    }

    private static boolean hasAny(JsonNode schema, Set<String> keywords) {
        for (String k : keywords) if (schema.has(k)) return true;
        return false;
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The JSON Pointer of {@code name} inside {@code pointer} (RFC 6901 escaping). */
    static String child(String pointer, String name) {
        return pointer + "/" + name.replace("~", "~0").replace("/", "~1");
    }
}
