package ai.basalt.server.bedrock;

import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.JsonSchemaException;
import ai.basalt.server.ApiException;
import ai.basalt.server.Json;
import ai.basalt.server.Prompts;
import ai.basalt.server.ServedModel;
import ai.basalt.server.ToolCalls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Bedrock Converse's tool use in {@link ToolCalls}' terms: the request's {@code toolConfig} (tool specs with their
 * {@code inputSchema.json}, and {@code toolChoice} {@code auto}, {@code any} or {@code tool}), {@code toolUse} and
 * {@code toolResult} blocks of the history as the messages a model reads, a call read back as a {@code toolUse} block,
 * and {@code outputConfig}'s JSON schema text format as a grammar.
 *
 * <p>{@code any} and {@code tool} are forced: decoding follows the allowed tools' input schemas, so the reply is always a
 * valid call. {@code auto} lets the model write; a reply that is exactly a call of an offered tool is returned as one.
 * Structured output the Bedrock way, a forced tool whose input schema is the wanted shape, is thus exact.
 */
final class BedrockTools {
    private BedrockTools() {}

    /** The request's {@code toolConfig}, checked; {@link ToolCalls#NONE} when absent. */
    static ToolCalls of(JsonNode body) {
        JsonNode config = Json.objectField(body, "toolConfig");
        if (config == null) return ToolCalls.NONE;
        JsonNode array = config.get("tools");
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw ApiException.badField("toolConfig.tools", "'toolConfig.tools' must be an array of at least one tool");
        }
        Map<String, ToolCalls.Tool> tools = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode t = array.get(i);
            String where = "toolConfig.tools[" + i + "]";
            if (!t.isObject()) throw ApiException.badField(where, "'" + where + "' must be an object");
            if (t.has("cachePoint") && !t.has("toolSpec")) continue; // a caching hint
            JsonNode spec = t.get("toolSpec");
            if (spec == null || !spec.isObject()) {
                String kind = t.fieldNames().hasNext() ? t.fieldNames().next() : "(empty)";
                throw ApiException.badField(where, "'" + where + "' is a '" + kind + "' tool; only 'toolSpec' tools are supported");
            }
            String name = spec.get("name") != null && spec.get("name").isTextual() ? spec.get("name").asText() : null;
            if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_-]{0,63}")) {
                throw ApiException.badField(where, "'" + where + ".toolSpec.name' must be 1-64 letters, digits, _ or -, a letter first");
            }
            JsonNode description = spec.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                throw ApiException.badField(where, "'" + where + ".toolSpec.description' must be a string");
            }
            JsonNode input = spec.get("inputSchema");
            JsonNode schema = input == null || !input.isObject() ? null : input.get("json");
            if (schema == null || !schema.isObject()) {
                throw ApiException.badField(where, "'" + where + ".toolSpec.inputSchema.json' must be a JSON Schema object");
            }
            String text = description == null || description.isNull() ? null : description.asText();
            if (tools.put(name, new ToolCalls.Tool(name, text, schema)) != null) {
                throw ApiException.badField(where, "'toolConfig.tools' holds two tools named '" + name + "'");
            }
        }
        if (tools.isEmpty()) throw ApiException.badField("toolConfig.tools", "'toolConfig.tools' holds no 'toolSpec' tool");
        ToolCalls calls = new ToolCalls(tools, choice(config.get("toolChoice"), tools));
        // every schema is checked, whatever the choice: one the grammar cannot follow is the request's fault
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        for (ToolCalls.Tool t : tools.values()) schemas.put(t.name(), t.parameters());
        try {
            JsonGrammar.toolCall(schemas, ToolCalls.CALL_WHITESPACE);
        } catch (JsonSchemaException e) {
            throw ApiException.badField("toolConfig.tools", "'toolConfig.tools': " + e.getMessage());
        }
        return calls;
    }

    /** {@code {"auto":{}}} → "auto", {@code {"any":{}}} → "required", {@code {"tool":{"name":N}}} → N. */
    private static String choice(JsonNode c, Map<String, ToolCalls.Tool> tools) {
        if (c == null || c.isNull()) return "auto";
        String where = "toolConfig.toolChoice";
        if (!c.isObject() || c.size() != 1) {
            throw ApiException.badField(where, "'" + where + "' must hold exactly one of auto, any, tool");
        }
        if (c.has("auto")) return "auto";
        if (c.has("any")) return "required";
        if (c.has("tool")) {
            JsonNode tool = c.get("tool");
            JsonNode name = tool.isObject() ? tool.get("name") : null;
            if (name == null || !name.isTextual()) throw ApiException.badField(where, "'" + where + ".tool.name' is required");
            if (!tools.containsKey(name.asText())) {
                throw ApiException.badField(where, "'" + where + ".tool.name' names '" + name.asText()
                        + "', which is not among 'toolConfig.tools'");
            }
            return name.asText();
        }
        throw ApiException.badField(where, "'" + where + "' '" + c.fieldNames().next() + "' is not one of auto, any, tool");
    }

    /**
     * The messages of one Bedrock message: its text and {@code toolUse} blocks (as the calls' JSON, one a line) as one
     * message of its role; each {@code toolResult} block as a message of role {@code tool}, ahead of the user's text.
     */
    static List<ChatMessage> messages(String role, JsonNode blocks, String where) {
        List<ChatMessage> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            String at = where + "[" + i + "]";
            if (!block.isObject()) throw ApiException.badField(at, "'" + at + "' must be an object");
            if (block.has("cachePoint")) continue; // a caching hint, nothing to render
            if (block.has("text")) {
                if (!text.isEmpty()) text.append('\n');
                text.append(Json.requiredString(block, "text"));
                any = true;
            } else if (block.has("toolUse") && role.equals("assistant")) {
                if (!text.isEmpty()) text.append('\n');
                text.append(useAsText(block.get("toolUse"), at + ".toolUse"));
                any = true;
            } else if (block.has("toolResult") && role.equals("user")) {
                out.add(new ChatMessage("tool", resultText(block.get("toolResult"), at + ".toolResult")));
            } else {
                String kind = block.fieldNames().hasNext() ? block.fieldNames().next() : "(empty)";
                throw ApiException.badField(at, "'" + at + "' is a '" + kind + "' block; only 'text' blocks, 'toolUse' "
                        + "(assistant) and 'toolResult' (user) blocks are supported");
            }
        }
        if (any || out.isEmpty()) out.add(new ChatMessage(role, text.toString()));
        return out;
    }

    /** A {@code toolUse} block as the call a model writes: {@code {"name": NAME, "arguments": INPUT}}. */
    static String useAsText(JsonNode use, String where) {
        if (use == null || !use.isObject()) throw ApiException.badField(where, "'" + where + "' must be an object");
        JsonNode name = use.get("name");
        if (name == null || !name.isTextual()) throw ApiException.badField(where, "'" + where + ".name' is required");
        JsonNode input = use.get("input");
        ObjectNode doc = Json.newObject();
        doc.put("name", name.asText());
        doc.set("arguments", input == null || input.isNull() ? Json.newObject() : input);
        return doc.toString();
    }

    /** A {@code toolResult} block's content: its text and JSON blocks, one a line; an error's marked as one. */
    static String resultText(JsonNode result, String where) {
        if (result == null || !result.isObject()) throw ApiException.badField(where, "'" + where + "' must be an object");
        JsonNode content = result.get("content");
        if (content == null || !content.isArray()) throw ApiException.badField(where, "'" + where + ".content' must be an array");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode c = content.get(i);
            String at = where + ".content[" + i + "]";
            String piece;
            if (c.isObject() && c.has("text") && c.get("text").isTextual()) {
                piece = c.get("text").asText();
            } else if (c.isObject() && c.has("json")) {
                piece = c.get("json").toString();
            } else {
                String kind = c.isObject() && c.fieldNames().hasNext() ? c.fieldNames().next() : "(empty)";
                throw ApiException.badField(at, "'" + at + "' is a '" + kind + "' block; only 'text' and 'json' are supported");
            }
            if (!s.isEmpty()) s.append('\n');
            s.append(piece);
        }
        JsonNode status = result.get("status");
        if (status != null && "error".equals(status.asText())) return "Error: " + s;
        return s.toString();
    }

    /**
     * A call as {@link ToolCalls#parse} gives it, as the {@code toolUse} block's fields: {@code toolUseId}, {@code name},
     * {@code input}.
     */
    static ObjectNode toolUse(ObjectNode call) {
        JsonNode f = call.get("function");
        ObjectNode use = Json.newObject();
        use.put("toolUseId", "tooluse_" + UUID.randomUUID().toString().replace("-", "").substring(0, 22));
        use.put("name", f.get("name").asText());
        try {
            use.set("input", Json.MAPPER.readTree(f.get("arguments").asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed call's arguments are JSON", e);
        }
        return use;
    }

    /**
     * The grammar of {@code outputConfig}: {@code {"textFormat": {"type": "json_schema", "structure": {"jsonSchema":
     * {"schema": "...JSON Schema as text...", "name", "description"}}}}}; null when absent.
     */
    static JsonGrammar outputGrammar(JsonNode body) {
        JsonNode config = Json.objectField(body, "outputConfig");
        if (config == null) return null;
        for (var it = config.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("textFormat")) throw ApiException.badField("outputConfig." + f, "'outputConfig." + f + "' is not supported by this server");
        }
        JsonNode format = config.get("textFormat");
        if (format == null || !format.isObject()) throw ApiException.badField("outputConfig.textFormat", "'outputConfig.textFormat' is required");
        JsonNode type = format.get("type");
        if (type == null || !"json_schema".equals(type.asText())) {
            throw ApiException.badField("outputConfig.textFormat.type", "'outputConfig.textFormat.type' must be json_schema");
        }
        JsonNode structure = format.get("structure");
        JsonNode def = structure == null || !structure.isObject() ? null : structure.get("jsonSchema");
        JsonNode schema = def == null || !def.isObject() ? null : def.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw ApiException.badField("outputConfig.textFormat.structure.jsonSchema.schema",
                    "'outputConfig.textFormat.structure.jsonSchema.schema' must be a JSON Schema as a string");
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(schema.asText());
        } catch (JsonProcessingException e) {
            throw ApiException.badField("outputConfig.textFormat.structure.jsonSchema.schema",
                    "'outputConfig.textFormat.structure.jsonSchema.schema' is not JSON: " + e.getOriginalMessage());
        }
        try {
            // whitespace bounded as in a forced call: a model left free pads with it
            return JsonGrammar.fromSchema(parsed, ToolCalls.CALL_WHITESPACE);
        } catch (JsonSchemaException e) {
            throw ApiException.badField("outputConfig.textFormat.structure.jsonSchema.schema",
                    "'outputConfig.textFormat.structure.jsonSchema.schema': " + e.getMessage());
        }
    }
}
