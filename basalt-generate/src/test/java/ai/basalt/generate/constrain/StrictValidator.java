package ai.basalt.generate.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An independent validator of Jackson trees against the JSON Schema subset JsonGrammar supports, with strict
 * mode's reading of objects: members beyond {@code properties} are invalid whenever {@code properties} is given
 * (an empty {@code properties} too, unless {@code additionalProperties} says otherwise).
 * Equality for enum/const is Jackson's node equality (3 and 3.0 differ), and integers are integral nodes: the
 * canonical reading the grammar generates.
 */
final class StrictValidator {
    private final JsonNode document;

    StrictValidator(JsonNode document) {
        this.document = document;
    }

    static boolean valid(JsonNode schema, JsonNode value) {
        return new StrictValidator(schema).validate(schema, value);
    }

    boolean validate(JsonNode schema, JsonNode value) {
        if (schema.isBoolean()) return schema.booleanValue();
        if (schema.has("$ref")) return validate(document.at(schema.get("$ref").textValue().substring(1)), value);
        for (String key : new String[] {"anyOf", "oneOf"}) {
            if (schema.has(key)) {
                for (JsonNode option : schema.get(key)) if (validate(option, value)) return true;
                return false;
            }
        }
        if (schema.has("const")) return schema.get("const").equals(value);
        if (schema.has("enum")) {
            for (JsonNode v : schema.get("enum")) if (v.equals(value)) return true;
            return false;
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            boolean any = false;
            if (type.isTextual()) any = isType(type.textValue(), value);
            else for (JsonNode t : type) any |= isType(t.textValue(), value);
            if (!any) return false;
        }
        if (value.isObject() && !objectValid(schema, value)) return false;
        if (value.isArray() && !arrayValid(schema, value)) return false;
        if (value.isTextual()) {
            int length = value.textValue().codePointCount(0, value.textValue().length());
            if (schema.has("minLength") && length < schema.get("minLength").asInt()) return false;
            if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) return false;
        }
        return true;
    }

    private static boolean isType(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new IllegalArgumentException(type);
        };
    }

    private boolean objectValid(JsonNode schema, JsonNode value) {
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        Set<String> required = new HashSet<>();
        if (schema.has("required")) for (JsonNode r : schema.get("required")) required.add(r.textValue());
        for (String r : required) if (!value.has(r)) return false;
        boolean hasProperties = properties != null && !properties.isEmpty();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            var member = it.next();
            if (hasProperties) {
                if (!properties.has(member.getKey())) return false;
                if (!validate(properties.get(member.getKey()), member.getValue())) return false;
            } else if (additional == null) {
                if (properties != null) return false; // "properties": {} alone reads as closed
            } else if (!validate(additional, member.getValue())) {
                return false;
            }
        }
        return true;
    }

    private boolean arrayValid(JsonNode schema, JsonNode value) {
        if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) return false;
        if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) return false;
        if (schema.has("items")) for (JsonNode item : value) if (!validate(schema.get("items"), item)) return false;
        return true;
    }
}
