package ai.basalt.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reading request bodies field by field, each wrong field a 400 that names it. */
public final class Json {
    /** Strict about trailing content: a body (or a reply read as a call) is one JSON document and nothing more. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /** The body as a JSON object. */
    public static ObjectNode object(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON in the request body: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("unreadable request body: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) throw ApiException.badRequest("the request body is empty; a JSON object is expected");
        if (!node.isObject()) throw ApiException.badRequest("the request body must be a JSON object, not " + kind(node));
        return (ObjectNode) node;
    }

    public static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    public static String string(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw wrongType(field, "a string", v);
        return v.asText();
    }

    public static String requiredString(JsonNode o, String field) {
        String s = string(o, field);
        if (s == null) throw ApiException.badField(field, "'" + field + "' is required");
        return s;
    }

    public static Integer integer(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw wrongType(field, "an integer", v);
        return v.asInt();
    }

    public static Long longValue(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw wrongType(field, "an integer", v);
        return v.asLong();
    }

    public static Double number(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw wrongType(field, "a number", v);
        return v.asDouble();
    }

    public static Boolean bool(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw wrongType(field, "true or false", v);
        return v.asBoolean();
    }

    public static JsonNode objectField(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw wrongType(field, "an object", v);
        return v;
    }

    public static JsonNode array(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw wrongType(field, "an array", v);
        return v;
    }

    /** A string or an array of strings, as OpenAI's {@code stop}; empty when absent. */
    public static List<String> strings(JsonNode o, String field) {
        JsonNode v = o.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) throw wrongType(field, "a string or an array of strings", v);
        for (JsonNode e : v) {
            if (!e.isTextual()) throw wrongType(field, "a string or an array of strings", v);
            out.add(e.asText());
        }
        return out;
    }

    public static ApiException wrongType(String field, String expected, JsonNode actual) {
        return ApiException.badField(field, "'" + field + "' must be " + expected + ", not " + kind(actual));
    }

    private static String kind(JsonNode n) {
        if (n.isTextual()) return "a string";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "a boolean";
        if (n.isArray()) return "an array";
        if (n.isObject()) return "an object";
        return "null";
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
