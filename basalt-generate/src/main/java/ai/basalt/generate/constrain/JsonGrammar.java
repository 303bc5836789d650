package ai.basalt.generate.constrain;

import static ai.basalt.generate.constrain.Grammar.Builder.of;
import static ai.basalt.generate.constrain.Grammar.Builder.seq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents a request allows, compiled to a byte-level grammar: any object (OpenAI's
 * {@code json_object}, Ollama's {@code format: "json"}), the instances of a JSON Schema, or a call of one of a
 * set of tools. Immutable and thread-safe; compile once per schema and make a {@link GrammarMatcher} or a
 * {@link GrammarConstraint} per generation.
 *
 * <h2>Supported JSON Schema subset</h2>
 * {@code type} (a name or an array of names), {@code properties} with {@code required}, {@code additionalProperties},
 * {@code enum}, {@code const}, {@code items}, {@code minItems}/{@code maxItems}, {@code minLength}/{@code maxLength}
 * (in code points), {@code anyOf} and {@code oneOf} (generated as anyOf: a value may match more than one
 * branch), local {@code $ref} ({@code #}, {@code #/$defs/...}, {@code #/definitions/...}, any JSON Pointer),
 * recursive where an object or array lies between a reference and itself. Annotations ({@code title},
 * {@code description}, {@code default}, {@code examples}, {@code $schema}, {@code $id}, {@code $comment},
 * {@code deprecated}, {@code readOnly}, {@code writeOnly}) are ignored. Anything else ({@code pattern},
 * {@code format}, {@code minimum}, {@code allOf}, tuple {@code items}, ...) throws {@link JsonSchemaException}
 * naming the keyword's JSON Pointer, as does a keyword beside {@code $ref}/{@code anyOf}/{@code oneOf} other than
 * annotations.
 *
 * <h2>Shape of the output</h2>
 * What is generated is always valid against the schema, in a canonical shape that is a subset of all valid
 * texts: object members in the order of {@code properties} (optional ones may be left out); no members beyond
 * {@code properties}, as in OpenAI's strict mode, even where {@code additionalProperties} is true or absent (an
 * object with no properties declared is any object, a map of the {@code additionalProperties} schema, or {@code {}}
 * where that is false or where an empty {@code properties} stands without it, as a tool without parameters); enum and
 * const values exactly as Jackson writes them compactly; numbers with at most 16 integral, 16 fractional and 3
 * exponent digits; integers without fraction or exponent; {@code \}{@code u} escapes of surrogates left out (raw
 * UTF-8 instead). Between tokens and before the document, at most {@link #DEFAULT_MAX_WHITESPACE} (or the given
 * limit) bytes of whitespace in a row, so that a model cannot loop on whitespace; nothing after the document.
 */
public final class JsonGrammar {
    /** Whitespace bytes allowed in one run: a newline and four levels of two-space indentation. */
    public static final int DEFAULT_MAX_WHITESPACE = 9;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Grammar grammar;

    private JsonGrammar(Grammar grammar) {
        this.grammar = grammar;
    }

    /** Any JSON object. */
    public static JsonGrammar anyObject() {
        return anyObject(DEFAULT_MAX_WHITESPACE);
    }

    public static JsonGrammar anyObject(int maxWhitespace) {
        Grammar.Builder b = new Grammar.Builder();
        JsonRules json = new JsonRules(b, checkWhitespace(maxWhitespace));
        return new JsonGrammar(b.build(b.rule(of(json.ws, json.object))));
    }

    /** Any JSON value (a JSON text of any type). */
    public static JsonGrammar anyValue() {
        Grammar.Builder b = new Grammar.Builder();
        JsonRules json = new JsonRules(b, DEFAULT_MAX_WHITESPACE);
        return new JsonGrammar(b.build(b.rule(of(json.ws, json.value))));
    }

    /** The instances of {@code schema} (see the class comment for the subset). */
    public static JsonGrammar fromSchema(JsonNode schema) {
        return fromSchema(schema, DEFAULT_MAX_WHITESPACE);
    }

    /**
     * @throws JsonSchemaException if the schema uses what is not supported, or is malformed
     */
    public static JsonGrammar fromSchema(JsonNode schema, int maxWhitespace) {
        Grammar.Builder b = new Grammar.Builder();
        JsonRules json = new JsonRules(b, checkWhitespace(maxWhitespace));
        int root = SchemaCompiler.compileDocument(b, json, schema);
        return new JsonGrammar(b.build(b.rule(of(json.ws, root))));
    }

    /**
     * The schema written as JSON text.
     *
     * @throws JsonSchemaException if the text is not JSON (pointer {@code ""}) or the schema is not supported
     */
    public static JsonGrammar fromSchema(String schemaJson) {
        try {
            return fromSchema(JSON.readTree(schemaJson));
        } catch (JsonProcessingException e) {
            throw new JsonSchemaException("", "schema is not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /**
     * A call of one of {@code tools}, as {@code {"name": NAME, "arguments": {...}}}: the name one of the keys, the
     * arguments an instance of that tool's parameters schema (each its own document for {@code $ref}). An
     * OpenAI-style tool with no parameters takes {@code {"type": "object", "properties": {}}}.
     *
     * @throws JsonSchemaException if a parameters schema is not supported; the message names the tool
     */
    public static JsonGrammar toolCall(Map<String, JsonNode> parametersByTool) {
        return toolCall(parametersByTool, DEFAULT_MAX_WHITESPACE);
    }

    /** As {@link #toolCall(Map)}, with at most {@code maxWhitespace} whitespace bytes in a row. */
    public static JsonGrammar toolCall(Map<String, JsonNode> parametersByTool, int maxWhitespace) {
        if (parametersByTool.isEmpty()) throw new IllegalArgumentException("a tool call needs at least one tool");
        Grammar.Builder b = new Grammar.Builder();
        JsonRules json = new JsonRules(b, maxWhitespace);
        List<int[]> calls = new ArrayList<>();
        int[] comma = seq(b.literal(","), of(json.ws));
        for (var tool : parametersByTool.entrySet()) {
            int arguments;
            try {
                arguments = SchemaCompiler.compileDocument(b, json, tool.getValue());
            } catch (JsonSchemaException e) {
                throw new JsonSchemaException(e.pointer(), "tool '" + tool.getKey() + "' parameters: "
                        + e.getMessage().substring(0, e.getMessage().lastIndexOf(" at ")));
            }
            int[] name = b.literal(JSON.getNodeFactory().textNode(tool.getKey()).toString());
            calls.add(seq(b.literal("{"), of(json.ws), b.literal("\"name\""), of(json.ws), b.literal(":"), of(json.ws),
                    name, of(json.ws), comma, b.literal("\"arguments\""), of(json.ws), b.literal(":"),
                    of(json.ws, arguments, json.ws), b.literal("}")));
        }
        return new JsonGrammar(b.build(b.rule(of(json.ws, b.rule(calls.toArray(int[][]::new))))));
    }

    /** A fresh byte-level matcher at the start of a document. */
    public GrammarMatcher matcher() {
        return new GrammarMatcher(new Automaton(grammar));
    }

    Grammar grammar() {
        return grammar;
    }

    private static int checkWhitespace(int maxWhitespace) {
        if (maxWhitespace < 0) throw new IllegalArgumentException("maxWhitespace " + maxWhitespace + " must not be negative");
        return maxWhitespace;
    }
}
