package ai.basalt.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean matches(String schema, String text) {
        return GrammarMatcher.matches(JsonGrammar.fromSchema(schema), text);
    }

    @Test
    void anyObjectTakesObjectsOnly() {
        JsonGrammar g = JsonGrammar.anyObject();
        assertThat(GrammarMatcher.matches(g, "{}")).isTrue();
        assertThat(GrammarMatcher.matches(g, "{\"a\": [1, -2.5e+10, true, null, {\"b\": \"\\u00e9\\n😀\"}]}")).isTrue();
        assertThat(GrammarMatcher.matches(g, "  {\n  \"a\": 1\n}")).isTrue();
        for (String bad : new String[] {"[]", "1", "\"s\"", "{\"a\":01}", "{\"a\":1,}", "{a:1}", "{\"a\":1}x", "{\"a\":\"\t\"}",
            "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{} "}) {
            assertThat(GrammarMatcher.matches(g, bad)).as(bad).isFalse();
        }
    }

    @Test
    void invalidUtf8IsRejectedInsideStrings() {
        GrammarMatcher m = JsonGrammar.anyObject().matcher();
        assertThat(m.accept("{\"a\":\"")).isTrue();
        assertThat(m.accept(new byte[] {(byte) 0xE2, (byte) 0x82})).as("first two bytes of €").isTrue();
        assertThat(m.isLive()).isTrue();
        assertThat(m.accept((byte) 0xAC)).as("last byte of €").isTrue();
        for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF5}, {(byte) 0x80}}) {
            GrammarMatcher n = JsonGrammar.anyObject().matcher();
            n.accept("{\"a\":\"");
            assertThat(n.accept(bad)).as("overlong, surrogate, out of range, stray continuation").isFalse();
        }
    }

    @Test
    void whitespaceRunsAreBounded() {
        JsonGrammar g = JsonGrammar.anyObject(3);
        assertThat(GrammarMatcher.matches(g, "{   \"a\"   :   1   }")).isTrue();
        assertThat(GrammarMatcher.matches(g, "{    \"a\":1}")).isFalse();
        assertThat(GrammarMatcher.matches(JsonGrammar.anyObject(0), "{ }")).isFalse();
    }

    @Test
    void propertiesComeInSchemaOrderAndOptionalOnesMayBeSkipped() {
        String schema = """
                {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"boolean"}},
                 "required":["b"]}""";
        assertThat(matches(schema, "{\"a\":1,\"b\":\"x\",\"c\":true}")).isTrue();
        assertThat(matches(schema, "{\"b\":\"x\"}")).isTrue();
        assertThat(matches(schema, "{\"a\":1,\"b\":\"x\"}")).isTrue();
        assertThat(matches(schema, "{\"b\":\"x\",\"c\":false}")).isTrue();
        assertThat(matches(schema, "{\"b\":\"x\",\"a\":1}")).as("out of schema order").isFalse();
        assertThat(matches(schema, "{\"a\":1}")).as("required b missing").isFalse();
        assertThat(matches(schema, "{\"b\":\"x\",\"d\":1}")).as("additional member").isFalse();
        assertThat(matches(schema, "{\"a\":1.5,\"b\":\"x\"}")).as("integer with a fraction").isFalse();
        assertThat(matches(schema, "{}")).isFalse();
    }

    @Test
    void stringLengthsCountCodePoints() {
        String schema = "{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}";
        assertThat(matches(schema, "\"ab\"")).isTrue();
        assertThat(matches(schema, "\"😀€\\n\"")).isTrue();
        assertThat(matches(schema, "\"a\"")).isFalse();
        assertThat(matches(schema, "\"abcd\"")).isFalse();
        assertThat(matches(schema, "\"\\u00e9\\u00e9\"")).isTrue();
    }

    @Test
    void arraysHonourTheirItemCounts() {
        String schema = "{\"type\":\"array\",\"items\":{\"enum\":[\"x\",3,null]},\"minItems\":1,\"maxItems\":2}";
        assertThat(matches(schema, "[\"x\"]")).isTrue();
        assertThat(matches(schema, "[3, null]")).isTrue();
        assertThat(matches(schema, "[]")).isFalse();
        assertThat(matches(schema, "[3,3,3]")).isFalse();
        assertThat(matches(schema, "[4]")).isFalse();
    }

    @Test
    void typeArraysAnyOfAndConst() {
        assertThat(matches("{\"type\":[\"string\",\"null\"]}", "null")).isTrue();
        assertThat(matches("{\"type\":[\"string\",\"null\"]}", "\"s\"")).isTrue();
        assertThat(matches("{\"type\":[\"string\",\"null\"]}", "1")).isFalse();
        String anyOf = "{\"anyOf\":[{\"type\":\"integer\"},{\"const\":{\"k\":[1,2]}}]}";
        assertThat(matches(anyOf, "12")).isTrue();
        assertThat(matches(anyOf, "{\"k\":[1,2]}")).isTrue();
        assertThat(matches(anyOf, "{\"k\":[1,3]}")).isFalse();
        assertThat(matches("{\"oneOf\":[{\"type\":\"boolean\"},{\"type\":\"null\"}]}", "false")).isTrue();
    }

    @Test
    void localReferencesResolveAndMayRecurseThroughContainers() {
        String tree = """
                {"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},
                  "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value"],
                  "additionalProperties":false}},
                 "$ref":"#/$defs/node"}""";
        assertThat(matches(tree, "{\"value\":1,\"children\":[{\"value\":2},{\"value\":3,\"children\":[{\"value\":4,\"children\":[]}]}]}")).isTrue();
        assertThat(matches(tree, "{\"value\":1,\"children\":[{\"children\":[]}]}")).isFalse();
        String list = "{\"type\":\"object\",\"properties\":{\"next\":{\"anyOf\":[{\"$ref\":\"#\"},{\"type\":\"null\"}]}},\"required\":[\"next\"]}";
        assertThat(matches(list, "{\"next\":{\"next\":{\"next\":null}}}")).isTrue();
        assertThat(matches("{\"definitions\":{\"a\":{\"type\":\"boolean\"}},\"$ref\":\"#/definitions/a\"}", "true")).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"type":"string","pattern":"^a"}                                       | /pattern              | 'pattern'
            {"type":"object","properties":{"a/b":{"type":"number","minimum":0}}}   | /properties/a~1b/minimum | 'minimum'
            {"type":"array","items":{"type":"string","format":"date"}}             | /items/format         | 'format'
            {"anyOf":[{"type":"string"},{"allOf":[]}]}                             | /anyOf/1/allOf        | 'allOf'
            {"$defs":{"x":{"not":{}}},"$ref":"#/$defs/x"}                          | /$defs/x/not          | 'not'
            {"type":"object","properties":{"a":{"$ref":"#/$defs/missing"}}}        | /properties/a/$ref    | points at nothing
            {"$ref":"http://example.com/schema"}                                   | /$ref                 | only local references
            {"$defs":{"a":{"anyOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}    | /$defs/a/anyOf/0/$ref | refers back to itself
            {"type":"strin"}                                                       | /type                 | unknown type 'strin'
            {"type":"array","items":[{"type":"string"}]}                           | /items                | tuple items
            {"type":"string","minLength":3,"maxLength":2}                          | /maxLength            | below minLength
            {"type":"object","properties":{},"required":["a"]}                     | /required/0           | 'a' is not among properties
            {"enum":[]}                                                            | /enum                 | non-empty
            {"type":"object","anyOf":[{"required":["a"]}]}                         | /type                 | beside anyOf
            """)
    void unsupportedOrMalformedSchemasNameTheirPointer(String schema, String pointer, String problem) {
        assertThatThrownBy(() -> JsonGrammar.fromSchema(schema))
                .isInstanceOf(JsonSchemaException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem)
                .hasMessageEndingWith("at " + pointer)
                .satisfies(e -> assertThat(((JsonSchemaException) e).pointer()).isEqualTo(pointer));
    }

    @Test
    void annotationsAreIgnored() {
        assertThat(matches("""
                {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"T","description":"d",
                 "type":"integer","default":1,"examples":[2],"$comment":"c"}""", "7")).isTrue();
    }

    @Test
    void toolCallsNameAToolAndMatchItsParameters() throws Exception {
        Map<String, JsonNode> tools = new LinkedHashMap<>();
        tools.put("get_weather", JSON.readTree("""
                {"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["C","F"]}},"required":["city"]}"""));
        tools.put("now", JSON.readTree("{\"type\":\"object\",\"properties\":{}}"));
        JsonGrammar g = JsonGrammar.toolCall(tools);
        assertThat(GrammarMatcher.matches(g, "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"unit\": \"C\"}}")).isTrue();
        assertThat(GrammarMatcher.matches(g, "{\"name\":\"now\",\"arguments\":{}}")).isTrue();
        assertThat(GrammarMatcher.matches(g, "{\"name\":\"now\",\"arguments\":{\"city\":\"Oslo\"}}")).isFalse();
        assertThat(GrammarMatcher.matches(g, "{\"name\":\"other\",\"arguments\":{}}")).isFalse();
        tools.put("bad", JSON.readTree("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\",\"pattern\":\".\"}}}"));
        assertThatThrownBy(() -> JsonGrammar.toolCall(tools))
                .isInstanceOf(JsonSchemaException.class)
                .hasMessage("tool 'bad' parameters: unsupported JSON Schema keyword 'pattern' at /properties/x/pattern");
    }

    @Test
    void schemaTextThatIsNotJsonIsReported() {
        assertThatThrownBy(() -> JsonGrammar.fromSchema("{\"type\":")).isInstanceOf(JsonSchemaException.class)
                .hasMessageStartingWith("schema is not JSON");
    }
}
