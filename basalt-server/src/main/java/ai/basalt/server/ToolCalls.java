package ai.basalt.server;

import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.JsonSchemaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Function calling, as every API offers it: the tools on offer and the choice (OpenAI's {@code tools} and
 * {@code tool_choice}; Bedrock's {@code toolConfig}), how they reach the prompt, and the reply read back as a call.
 *
 * <p>A call is the JSON document {@code {"name": NAME, "arguments": {...}}}. With {@code tool_choice} "required" or a
 * named function, decoding is constrained to the calls allowed, with their parameters' schemas, so the reply is
 * always a valid call. With "auto" the model writes freely and a reply that is exactly such a document for a known
 * function is returned as a call; otherwise it is text. Chat templates that take a {@code tools} variable get the
 * tools there; for the others a system message describes them and the call format.
 *
 * @param tools  the functions offered, by name, with their parameters' schemas (in order)
 * @param choice "none", "auto", "required" or the one function's name
 */
public record ToolCalls(Map<String, Tool> tools, String choice) {

    /** One function on offer. */
    public record Tool(String name, String description, JsonNode parameters) {}

    public static final ToolCalls NONE = new ToolCalls(Map.of(), "none");

    /**
     * Whitespace a constrained document (a forced call, structured output) may hold between its tokens: none is
     * needed, and a model left free pads with it (up to the grammar's limit at every gap, spending the token budget).
     */
    public static final int CALL_WHITESPACE = 1;

    /** The request's tools, checked; {@link #NONE} when it offers none. */
    public static ToolCalls of(JsonNode body) {
        JsonNode array = Json.array(body, "tools");
        if (array == null || array.isEmpty()) {
            if (body.hasNonNull("tool_choice") && !"none".equals(body.get("tool_choice").asText())) {
                throw ApiException.badField("tool_choice", "'tool_choice' needs 'tools'");
            }
            return NONE;
        }
        Map<String, Tool> tools = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode t = array.get(i);
            String where = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(Json.string(t, "type"))) {
                throw ApiException.badField(where, "'" + where + "' must be an object of type 'function'");
            }
            JsonNode f = Json.objectField(t, "function");
            if (f == null) throw ApiException.badField(where, "'" + where + ".function' is required");
            String name = Json.requiredString(f, "name");
            if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw ApiException.badField(where, "'" + where + ".function.name' must be 1-64 letters, digits, _ or -");
            }
            JsonNode parameters = Json.objectField(f, "parameters");
            if (parameters == null) parameters = Json.MAPPER.createObjectNode().put("type", "object").set("properties", Json.newObject());
            parameters = withoutNulls(parameters); // some clients send "description": null and the like: no schema meaning
            if (tools.put(name, new Tool(name, Json.string(f, "description"), parameters)) != null) {
                throw ApiException.badField(where, "two tools are named '" + name + "'");
            }
        }
        JsonNode c = body.get("tool_choice");
        String choice = "auto";
        if (c != null && !c.isNull()) {
            if (c.isTextual()) {
                choice = c.asText();
                if (!List.of("none", "auto", "required").contains(choice)) {
                    throw ApiException.badField("tool_choice", "'tool_choice' '" + choice + "' is not one of none, auto, required");
                }
            } else if (c.isObject() && c.has("function")) {
                choice = Json.requiredString(c.get("function"), "name");
                if (!tools.containsKey(choice)) throw ApiException.badField("tool_choice", "'tool_choice' names '" + choice + "', which is not in 'tools'");
            } else {
                throw ApiException.badField("tool_choice", "'tool_choice' must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":...}}");
            }
        }
        ToolCalls calls = new ToolCalls(tools, choice);
        calls.grammarOrNull(); // schema errors are the request's fault: report them now
        return calls;
    }

    /** {@code node} with every null-valued object member removed, recursively (a copy; arrays keep their nulls). */
    static JsonNode withoutNulls(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = Json.newObject();
            node.properties().forEach(e -> {
                if (!e.getValue().isNull()) out.set(e.getKey(), withoutNulls(e.getValue()));
            });
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            node.forEach(e -> out.add(withoutNulls(e)));
            return out;
        }
        return node;
    }

    public boolean offered() {
        return !tools.isEmpty() && !choice.equals("none");
    }

    /** Whether the reply must be a call (constrained). */
    public boolean forced() {
        return offered() && !choice.equals("auto");
    }

    /** The grammar a forced reply follows, or null. */
    public JsonGrammar grammarOrNull() {
        if (!forced()) return null;
        Map<String, JsonNode> allowed = new LinkedHashMap<>();
        for (Tool t : tools.values()) {
            if (choice.equals("required") || choice.equals(t.name())) allowed.put(t.name(), t.parameters());
        }
        try {
            return JsonGrammar.toolCall(allowed, CALL_WHITESPACE);
        } catch (JsonSchemaException e) {
            throw ApiException.badField("tools", e.getMessage());
        }
    }

    /** The template variable {@code tools}, as chat templates expect it (OpenAI's own shape). */
    public List<Map<String, Object>> templateValue() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Tool t : tools.values()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", t.name());
            if (t.description() != null) f.put("description", t.description());
            f.put("parameters", Json.MAPPER.convertValue(t.parameters(), Map.class));
            out.add(Map.of("type", "function", "function", f));
        }
        return out;
    }

    /**
     * The prompt of {@code messages} with these tools on offer: through the template's {@code tools} variable where
     * the template has one, else after a system message describing them.
     */
    public int[] prompt(ServedModel model, List<ChatMessage> messages) {
        if (!offered()) return Prompts.chat(model, messages);
        if (model.model().chatTemplate().orElse("").contains("tools")) {
            return Prompts.chat(model, messages, Map.of("tools", templateValue()));
        }
        List<ChatMessage> withTools = new ArrayList<>();
        withTools.add(systemMessage());
        withTools.addAll(messages);
        return Prompts.chat(model, withTools);
    }

    /** A system message describing the tools and the call format, for templates that have no {@code tools} variable. */
    public ChatMessage systemMessage() {
        StringBuilder s = new StringBuilder("To call a function, reply with only {\"name\": NAME, \"arguments\": {...}}. Functions:\n");
        for (Tool t : tools.values()) {
            s.append(t.name());
            if (t.description() != null) s.append(" (").append(t.description()).append(')');
            s.append(": ").append(t.parameters()).append('\n');
        }
        return ChatMessage.system(s.toString().strip());
    }

    /** The call {@code text} is, if it is exactly a call of an offered function; else null. */
    public ObjectNode parse(String text) {
        if (!offered()) return null;
        String t = text.strip();
        if (!t.startsWith("{")) return null;
        try {
            JsonNode doc = Json.MAPPER.readTree(t);
            if (doc == null || !doc.isObject() || doc.size() != 2) return null;
            JsonNode name = doc.get("name");
            JsonNode arguments = doc.get("arguments");
            if (name == null || !name.isTextual() || !tools.containsKey(name.asText()) || arguments == null || !arguments.isObject()) {
                return null;
            }
            ObjectNode call = Json.newObject();
            call.put("id", "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
            call.put("type", "function");
            ObjectNode function = call.putObject("function");
            function.put("name", name.asText());
            function.put("arguments", arguments.toString());
            return call;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /** An assistant message's {@code tool_calls} as the text a model writes for them (one call per line). */
    public static String callsAsText(JsonNode toolCalls, String where) {
        StringBuilder s = new StringBuilder();
        for (JsonNode call : toolCalls) {
            JsonNode f = call.get("function");
            if (f == null || !f.isObject()) throw ApiException.badField(where, "'" + where + "' entries need a 'function'");
            String name = Json.requiredString(f, "name");
            String arguments = Json.string(f, "arguments");
            JsonNode args;
            try {
                args = arguments == null ? Json.newObject() : Json.MAPPER.readTree(arguments);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw ApiException.badField(where, "'" + where + "' arguments of '" + name + "' are not JSON");
            }
            ObjectNode doc = Json.newObject();
            doc.put("name", name);
            doc.set("arguments", args);
            if (!s.isEmpty()) s.append('\n');
            s.append(doc);
        }
        return s.toString();
    }

    public static ArrayNode array(ObjectNode call) {
        return Json.MAPPER.createArrayNode().add(call);
    }
}
