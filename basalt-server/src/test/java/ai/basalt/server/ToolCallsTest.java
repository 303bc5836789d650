package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Tools and tool_choice as requests give them, and replies read back as calls. */
class ToolCallsTest {
    private static JsonNode body(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    private static final String WEATHER = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";

    @Test
    void aReplyThatIsExactlyACallOfAnOfferedToolIsACall() throws Exception {
        ToolCalls tools = ToolCalls.of(body("{\"tools\":[" + WEATHER + "]}"));
        assertThat(tools.choice()).isEqualTo("auto");
        ObjectNode call = tools.parse("  {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n");
        assertThat(call.get("id").asText()).startsWith("call_");
        assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(Json.MAPPER.readTree(call.get("function").get("arguments").asText()).get("city").asText()).isEqualTo("Oslo");
    }

    @Test
    void anythingElseStaysText() throws Exception {
        ToolCalls tools = ToolCalls.of(body("{\"tools\":[" + WEATHER + "]}"));
        assertThat(tools.parse("The weather is fine.")).isNull();
        assertThat(tools.parse("{\"name\": \"other_tool\", \"arguments\": {}}")).isNull();
        assertThat(tools.parse("{\"name\": \"get_weather\", \"arguments\": {}} and more")).isNull();
        assertThat(tools.parse("{\"name\": \"get_weather\"}")).isNull();
        assertThat(ToolCalls.NONE.parse("{\"name\": \"get_weather\", \"arguments\": {}}")).isNull();
        assertThat(ToolCalls.of(body("{\"tools\":[" + WEATHER + "],\"tool_choice\":\"none\"}"))
                .parse("{\"name\": \"get_weather\", \"arguments\": {}}")).isNull();
    }

    @Test
    void forcedChoicesHaveAGrammar() throws Exception {
        assertThat(ToolCalls.of(body("{\"tools\":[" + WEATHER + "],\"tool_choice\":\"required\"}")).grammarOrNull()).isNotNull();
        assertThat(ToolCalls.of(body("{\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}"))
                .forced()).isTrue();
        assertThat(ToolCalls.of(body("{\"tools\":[" + WEATHER + "]}")).grammarOrNull()).isNull();
    }

    @Test
    void badToolsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> ToolCalls.of(body("{\"tools\":[{\"type\":\"retrieval\"}]}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("tools[0]");
        assertThatThrownBy(() -> ToolCalls.of(body("{\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> ToolCalls.of(body("{\"tools\":[" + WEATHER + "," + WEATHER + "]}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("two tools");
        assertThatThrownBy(() -> ToolCalls.of(body("{\"tool_choice\":\"required\"}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("needs 'tools'");
        assertThatThrownBy(() -> ToolCalls.of(body("{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"multipleOf\":2}}}}}],\"tool_choice\":\"required\"}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("multipleOf");
    }

    @Test
    void historyCallsBecomeTheCallsText() throws Exception {
        String text = ToolCalls.callsAsText(body("[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]"), "messages[1].tool_calls");
        assertThat(Json.MAPPER.readTree(text).get("arguments").get("city").asText()).isEqualTo("Oslo");
    }

    @org.junit.jupiter.api.Test
    void nullMembersOfAToolsParametersAreDropped() throws Exception {
        JsonNode body = Json.MAPPER.readTree("{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", "
                + "\"parameters\": {\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"description\": null, "
                + "\"enum\": [\"x\", null]}}, \"required\": null}}}]}");
        String described = ToolCalls.of(body).systemMessage().content();
        org.assertj.core.api.Assertions.assertThat(described)
                .endsWith("f: {\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"enum\":[\"x\",null]}}}");
    }
}
