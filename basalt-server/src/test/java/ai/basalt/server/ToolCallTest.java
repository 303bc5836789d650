package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Function calling through openai-java: forced calls are constrained to the tools' schemas, streamed or not. */
class ToolCallTest extends OpenAiServerTest {
    private static FunctionDefinition weather() {
        FunctionParameters.Builder p = FunctionParameters.builder();
        Map.<String, Object>of("type", "object",
                "properties", Map.of("city", Map.of("type", "string", "maxLength", 16),
                        "unit", Map.of("enum", List.of("celsius", "fahrenheit"))),
                "required", List.of("city", "unit"), "additionalProperties", false)
                .forEach((k, v) -> p.putAdditionalProperty(k, JsonValue.from(v)));
        return FunctionDefinition.builder().name("get_weather").description("The weather in a city").parameters(p.build()).build();
    }

    private static FunctionDefinition time() {
        FunctionParameters.Builder p = FunctionParameters.builder();
        Map.<String, Object>of("type", "object", "properties", Map.of("zone", Map.of("enum", List.of("utc", "local"))),
                "required", List.of("zone")).forEach((k, v) -> p.putAdditionalProperty(k, JsonValue.from(v)));
        return FunctionDefinition.builder().name("get_time").parameters(p.build()).build();
    }

    private static void assertWeatherCall(String name, String arguments) throws Exception {
        assertThat(name).isEqualTo("get_weather");
        JsonNode args = Json.MAPPER.readTree(arguments);
        assertThat(args.get("city").isTextual()).as(arguments).isTrue();
        assertThat(args.get("unit").asText()).isIn("celsius", "fahrenheit");
        assertThat(args.size()).isEqualTo(2);
    }

    @Test
    void aNamedToolChoiceGivesAValidCallOfThatTool() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(ChatModel.of(TestServer.NAME)).addUserMessage("What is the weather in Paris?")
                    .addFunctionTool(weather())
                    .toolChoice(ChatCompletionNamedToolChoice.builder().function(
                            ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())
                    .temperature(1.0).seed(seed).maxCompletionTokens(100).build());
            var choice = c.choices().get(0);
            assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
            assertThat(choice.message().content()).isEmpty();
            List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                    .map(t -> t.asFunction()).toList();
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).id()).startsWith("call_");
            assertWeatherCall(calls.get(0).function().name(), calls.get(0).function().arguments());
        }
    }

    @Test
    void requiredToolCallsStreamAsToolCallDeltas() throws Exception {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(ChatModel.of(TestServer.NAME))
                .addUserMessage("What time is it?").addFunctionTool(time())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).temperature(0.0).maxCompletionTokens(60).build();
        StringBuilder name = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        StringBuilder finish = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().toolCalls().ifPresent(calls -> calls.forEach(call -> call.function().ifPresent(f -> {
                    f.name().ifPresent(name::append);
                    f.arguments().ifPresent(arguments::append);
                })));
                choice.finishReason().ifPresent(r -> finish.append(r.asString()));
            }));
        }
        assertThat(finish.toString()).isEqualTo("tool_calls");
        assertThat(name.toString()).isEqualTo("get_time");
        assertThat(Json.MAPPER.readTree(arguments.toString()).get("zone").asText()).isIn("utc", "local");
    }

    @Test
    void withToolChoiceNoneTheReplyIsText() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of(TestServer.NAME)).addUserMessage("Tell me about the sea.").addFunctionTool(weather())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE).temperature(0.0).maxCompletionTokens(16).build());
        assertThat(c.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(c.choices().get(0).message().content().orElseThrow()).isNotBlank();
    }
}
