package ai.basalt.server.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.server.Json;
import ai.basalt.server.ToolCalls;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.AnyToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.AutoToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.JsonSchemaDefinition;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.OutputFormatStructure;
import software.amazon.awssdk.services.bedrockruntime.model.OutputFormatType;
import software.amazon.awssdk.services.bedrockruntime.model.SpecificToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * Converse tool use through the AWS SDK for Java v2: forced calls (toolChoice any, or a tool by name) are decoded under
 * the tools' input schemas, so at temperature 1 every reply is a valid toolUse; streamed, the call arrives as
 * contentBlockStart, contentBlockDelta and contentBlockStop. Structured output is a forced tool whose input schema is the
 * shape wanted. The model is the prose model basalt-mini (256 tokens of context), so only forced calls are asserted.
 */
class BedrockToolUseTest extends BedrockServerTest {
    private static Document strings(String... values) {
        var list = Document.listBuilder();
        for (String v : values) list.addString(v);
        return list.build();
    }

    /**
     * {"type":"object","properties":{"city":{"type":"string","maxLength":16},"unit":{"enum":["C","F"]}},...}: small, as
     * basalt-mini's tokens are about 1.5 characters and its context 256 tokens.
     */
    private static Document weatherSchema() {
        return Document.mapBuilder().putString("type", "object")
                .putDocument("properties", Document.mapBuilder()
                        .putDocument("city", Document.mapBuilder().putString("type", "string").putNumber("maxLength", 16).build())
                        .putDocument("unit", Document.mapBuilder().putDocument("enum", strings("C", "F")).build())
                        .build())
                .putDocument("required", strings("city", "unit")).build();
    }

    private static Tool weather() {
        return Tool.fromToolSpec(ToolSpecification.builder().name("get_weather").description("Weather")
                .inputSchema(ToolInputSchema.fromJson(weatherSchema())).build());
    }

    private static Tool day() {
        Document schema = Document.mapBuilder().putString("type", "object")
                .putDocument("properties", Document.mapBuilder()
                        .putDocument("n", Document.mapBuilder().putString("type", "integer").build()).build())
                .putDocument("required", strings("n")).build();
        return Tool.fromToolSpec(ToolSpecification.builder().name("get_day")
                .inputSchema(ToolInputSchema.fromJson(schema)).build());
    }

    private static Document timeSchema() {
        return Document.mapBuilder().putString("type", "object")
                .putDocument("properties", Document.mapBuilder()
                        .putDocument("zone", Document.mapBuilder().putDocument("enum", strings("utc", "local")).build()).build())
                .putDocument("required", strings("zone")).build();
    }

    private static Tool time() {
        return Tool.fromToolSpec(ToolSpecification.builder().name("get_time")
                .inputSchema(ToolInputSchema.fromJson(timeSchema())).build());
    }

    private static JsonNode json(Document d) {
        try {
            return Json.MAPPER.readTree(toJson(d));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String toJson(Document d) {
        if (d.isNull()) return "null";
        if (d.isString()) return Json.MAPPER.getNodeFactory().textNode(d.asString()).toString();
        if (d.isNumber()) return d.asNumber().toString();
        if (d.isBoolean()) return Boolean.toString(d.asBoolean());
        if (d.isList()) {
            List<String> items = new ArrayList<>();
            for (Document e : d.asList()) items.add(toJson(e));
            return "[" + String.join(",", items) + "]";
        }
        List<String> fields = new ArrayList<>();
        for (var e : d.asMap().entrySet()) {
            fields.add(Json.MAPPER.getNodeFactory().textNode(e.getKey()).toString() + ":" + toJson(e.getValue()));
        }
        return "{" + String.join(",", fields) + "}";
    }

    private static void assertValidWeather(JsonNode input) {
        assertThat(input.isObject()).as(input.toString()).isTrue();
        assertThat(input.size()).as(input.toString()).isEqualTo(2);
        assertThat(input.get("city").isTextual()).as(input.toString()).isTrue();
        assertThat(input.get("city").asText().codePointCount(0, input.get("city").asText().length())).isLessThanOrEqualTo(16);
        assertThat(input.get("unit").asText()).isIn("C", "F");
    }

    private static ConverseRequest.Builder ask(String question, ToolChoice choice, Tool... tools) {
        return ConverseRequest.builder().modelId(BedrockFixture.NAME).messages(user(question))
                .toolConfig(ToolConfiguration.builder().tools(tools).toolChoice(choice).build())
                .inferenceConfig(c -> c.maxTokens(100).temperature(1f));
    }

    private static ToolUseBlock onlyToolUse(ConverseResponse r) {
        assertThat(r.stopReason()).as(r.toString()).isEqualTo(StopReason.TOOL_USE);
        assertThat(r.output().message().content()).hasSize(1);
        ToolUseBlock use = r.output().message().content().get(0).toolUse();
        assertThat(use).as(r.toString()).isNotNull();
        assertThat(use.toolUseId()).startsWith("tooluse_");
        return use;
    }

    @Test
    void toolChoiceAnyGivesAValidToolUseEveryTime() {
        for (int i = 0; i < 3; i++) {
            ConverseResponse r = client.converse(ask("What is the weather in Paris?",
                    ToolChoice.fromAny(AnyToolChoice.builder().build()), weather()).build());
            ToolUseBlock use = onlyToolUse(r);
            assertThat(use.name()).isEqualTo("get_weather");
            assertValidWeather(json(use.input()));
            assertThat(r.usage().outputTokens()).isPositive();
        }
    }

    @Test
    void aNamedToolIsTheOneCalled() {
        for (int i = 0; i < 3; i++) {
            ConverseResponse r = client.converse(ask("What time is it?", ToolChoice.fromTool(SpecificToolChoice.builder()
                    .name("get_time").build()), day(), time()).build());
            ToolUseBlock use = onlyToolUse(r);
            assertThat(use.name()).isEqualTo("get_time");
            JsonNode input = json(use.input());
            assertThat(input.get("zone").asText()).as(input.toString()).isIn("utc", "local");
        }
    }

    @Test
    void structuredOutputIsAForcedToolWhoseInputIsTheShape() {
        Document schema = Document.mapBuilder().putString("type", "object")
                .putDocument("properties", Document.mapBuilder()
                        .putDocument("name", Document.mapBuilder().putString("type", "string").putNumber("maxLength", 12).build())
                        .putDocument("age", Document.mapBuilder().putString("type", "integer").build())
                        .putDocument("mood", Document.mapBuilder().putDocument("enum", strings("calm", "wild")).build())
                        .build())
                .putDocument("required", strings("name", "age", "mood")).build();
        Tool record = Tool.fromToolSpec(ToolSpecification.builder().name("record")
                .inputSchema(ToolInputSchema.fromJson(schema)).build());
        for (int i = 0; i < 3; i++) {
            ToolUseBlock use = onlyToolUse(client.converse(ask("Describe an old sailor.",
                    ToolChoice.fromTool(SpecificToolChoice.builder().name("record").build()), record).build()));
            JsonNode input = json(use.input());
            assertThat(input.size()).as(input.toString()).isEqualTo(3);
            assertThat(input.get("name").isTextual()).isTrue();
            assertThat(input.get("name").asText().length()).isLessThanOrEqualTo(12);
            assertThat(input.get("age").isIntegralNumber()).as(input.toString()).isTrue();
            assertThat(input.get("mood").asText()).isIn("calm", "wild");
        }
    }

    @Test
    void outputConfigHoldsTheTextToItsSchema() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"sea\":{\"enum\":[\"calm\",\"rough\"]},"
                + "\"word\":{\"type\":\"string\",\"maxLength\":10}},\"required\":[\"sea\",\"word\"],\"additionalProperties\":false}";
        for (int i = 0; i < 2; i++) {
            ConverseResponse r = client.converse(ConverseRequest.builder().modelId(BedrockFixture.NAME)
                    .messages(user("How is the sea today? Answer in JSON."))
                    .outputConfig(o -> o.textFormat(f -> f.type(OutputFormatType.JSON_SCHEMA).structure(OutputFormatStructure
                            .fromJsonSchema(JsonSchemaDefinition.builder().name("sea").schema(schema).build()))))
                    .inferenceConfig(c -> c.maxTokens(100).temperature(1f)).build());
            assertThat(r.stopReason()).as(r.toString()).isEqualTo(StopReason.END_TURN);
            JsonNode doc = Json.MAPPER.readTree(r.output().message().content().get(0).text());
            assertThat(doc.get("sea").asText()).isIn("calm", "rough");
            assertThat(doc.get("word").asText().length()).isLessThanOrEqualTo(10);
            assertThat(doc.size()).isEqualTo(2);
        }
    }

    @Test
    void converseStreamSendsTheCallAsStartDeltaAndStop() {
        for (int i = 0; i < 2; i++) {
            ConverseStreamRequest request = ConverseStreamRequest.builder().modelId(BedrockFixture.NAME)
                    .messages(user("What is the weather in Oslo?"))
                    .toolConfig(ToolConfiguration.builder().tools(weather())
                            .toolChoice(ToolChoice.fromTool(SpecificToolChoice.builder().name("get_weather").build())).build())
                    .inferenceConfig(c -> c.maxTokens(100).temperature(1f)).build();
            List<ConverseStreamOutput> events = Collections.synchronizedList(new ArrayList<>());
            async.converseStream(request, ConverseStreamResponseHandler.builder().subscriber(events::add).build()).join();

            List<ConverseStreamOutput.EventType> types = events.stream().map(ConverseStreamOutput::sdkEventType).toList();
            assertThat(types).as(events.toString()).containsExactly(ConverseStreamOutput.EventType.MESSAGE_START,
                    ConverseStreamOutput.EventType.CONTENT_BLOCK_START, ConverseStreamOutput.EventType.CONTENT_BLOCK_DELTA,
                    ConverseStreamOutput.EventType.CONTENT_BLOCK_STOP, ConverseStreamOutput.EventType.MESSAGE_STOP,
                    ConverseStreamOutput.EventType.METADATA);
            ContentBlockStartEvent start = (ContentBlockStartEvent) events.get(1);
            assertThat(start.contentBlockIndex()).isZero();
            assertThat(start.start().toolUse().name()).isEqualTo("get_weather");
            assertThat(start.start().toolUse().toolUseId()).startsWith("tooluse_");
            StringBuilder input = new StringBuilder();
            for (ConverseStreamOutput e : events) {
                if (e instanceof ContentBlockDeltaEvent d) {
                    assertThat(d.delta().toolUse()).as(d.toString()).isNotNull();
                    input.append(d.delta().toolUse().input());
                }
            }
            try {
                assertValidWeather(Json.MAPPER.readTree(input.toString()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError(input.toString(), e);
            }
            assertThat(((MessageStopEvent) events.get(4)).stopReason()).isEqualTo(StopReason.TOOL_USE);
        }
    }

    @Test
    void aToolResultInTheHistoryIsReadAsAToolMessage() {
        Message call = Message.builder().role(ConversationRole.ASSISTANT).content(ContentBlock.fromToolUse(ToolUseBlock.builder()
                .toolUseId("tooluse_1").name("get_time").input(Document.mapBuilder().putString("zone", "utc").build()).build())).build();
        Message result = Message.builder().role(ConversationRole.USER).content(ContentBlock.fromToolResult(ToolResultBlock.builder()
                .toolUseId("tooluse_1").content(ToolResultContentBlock.fromJson(Document.mapBuilder()
                        .putNumber("h", 9).build()), ToolResultContentBlock.fromText("Noon.")).build())).build();
        ConverseRequest request = ConverseRequest.builder().modelId(BedrockFixture.NAME)
                .messages(user("What time is it?"), call, result)
                .toolConfig(ToolConfiguration.builder().tools(time()).toolChoice(ToolChoice.fromAuto(AutoToolChoice.builder().build())).build())
                .inferenceConfig(c -> c.maxTokens(16).temperature(0f)).build();

        ConverseResponse r = client.converse(request);

        Map<String, ToolCalls.Tool> tools = new LinkedHashMap<>();
        tools.put("get_time", new ToolCalls.Tool("get_time", null, json(timeSchema())));
        String expected = BedrockFixture.greedyChatReply(List.of(new ToolCalls(tools, "auto").systemMessage(),
                ChatMessage.user("What time is it?"),
                ChatMessage.assistant("{\"name\":\"get_time\",\"arguments\":{\"zone\":\"utc\"}}"),
                new ChatMessage("tool", "{\"h\":9}\nNoon.")), 16);
        ContentBlock block = r.output().message().content().get(0);
        if (block.toolUse() != null) {
            // the greedy reply happened to be a call: then it is the engine's reply read as one
            assertThat(r.stopReason()).isEqualTo(StopReason.TOOL_USE);
        } else {
            assertThat(block.text()).isEqualTo(expected);
            assertThat(r.stopReason()).isIn(StopReason.END_TURN, StopReason.MAX_TOKENS);
        }
        // and a forced call after the result is still valid
        ConverseResponse again = client.converse(request.toBuilder().toolConfig(ToolConfiguration.builder().tools(time())
                .toolChoice(ToolChoice.fromAny(AnyToolChoice.builder().build())).build())
                .inferenceConfig(c -> c.maxTokens(60).temperature(1f)).build());
        assertThat(json(onlyToolUse(again).input()).get("zone").asText()).isIn("utc", "local");
    }

    @Test
    void aBadToolConfigIsAValidationExceptionNamingTheFault() {
        assertThatThrownBy(() -> client.converse(ask("hi", ToolChoice.fromTool(SpecificToolChoice.builder().name("get_tide").build()),
                weather()).build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("get_tide")
                .satisfies(e -> assertThat(((ValidationException) e).statusCode()).isEqualTo(400));
        Document bad = Document.mapBuilder().putString("type", "object").putDocument("properties", Document.mapBuilder()
                .putDocument("n", Document.mapBuilder().putString("type", "integer").putNumber("multipleOf", 3).build()).build()).build();
        Tool multiple = Tool.fromToolSpec(ToolSpecification.builder().name("count").inputSchema(ToolInputSchema.fromJson(bad)).build());
        for (ToolChoice choice : List.of(ToolChoice.fromAny(AnyToolChoice.builder().build()), ToolChoice.fromAuto(AutoToolChoice.builder().build()))) {
            assertThatThrownBy(() -> client.converse(ask("hi", choice, multiple).build()))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("multipleOf").hasMessageContaining("count");
        }
        assertThatThrownBy(() -> client.converse(ask("hi", ToolChoice.fromAny(AnyToolChoice.builder().build()), weather(), weather()).build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("get_weather");
        assertThatThrownBy(() -> client.converse(ConverseRequest.builder().modelId(BedrockFixture.NAME).messages(user("hi"))
                .outputConfig(o -> o.textFormat(f -> f.type(OutputFormatType.JSON_SCHEMA).structure(OutputFormatStructure
                        .fromJsonSchema(JsonSchemaDefinition.builder().name("x").schema("{\"type\":\"number\",\"multipleOf\":2}").build()))))
                .build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("multipleOf");
    }
}
