package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Structured output enforced by constrained decoding: OpenAI's {@code response_format} json_schema through
 * openai-java and Ollama's {@code format} schema; replies parse and hold to the schema even from a model trained on
 * prose, sampled hot.
 */
class StructuredOutputTest extends OpenAiServerTest {
    private static final Map<String, Object> PERSON = Map.of(
            "type", "object",
            "properties", Map.of(
                    "name", Map.of("type", "string", "maxLength", 12),
                    "age", Map.of("type", "integer"),
                    "mood", Map.of("enum", List.of("glad", "sad", "calm"))),
            "required", List.of("name", "age", "mood"),
            "additionalProperties", false);

    private static void assertPerson(String text) throws Exception {
        JsonNode doc = Json.MAPPER.readTree(text);
        assertThat(doc.isObject()).as(text).isTrue();
        assertThat(doc.get("name").isTextual()).as(text).isTrue();
        assertThat(doc.get("name").asText().codePointCount(0, doc.get("name").asText().length())).isLessThanOrEqualTo(12);
        assertThat(doc.get("age").isIntegralNumber()).as(text).isTrue();
        assertThat(doc.get("mood").asText()).isIn("glad", "sad", "calm");
        assertThat(doc.size()).isEqualTo(3);
    }

    @Test
    void openAiJsonSchemaRepliesHoldToTheSchema() throws Exception {
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        PERSON.forEach((k, v) -> schema.putAdditionalProperty(k, JsonValue.from(v)));
        for (long seed = 1; seed <= 4; seed++) {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(ChatModel.of(TestServer.NAME))
                    .addUserMessage("Describe a person as JSON.").temperature(1.2).seed(seed).maxCompletionTokens(120)
                    .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                            .name("person").schema(schema.build()).strict(true).build()).build())
                    .build();
            var choice = client.chat().completions().create(params).choices().get(0);
            assertThat(choice.finishReason().asString()).isEqualTo("stop");
            assertPerson(choice.message().content().orElseThrow());
        }
    }

    @Test
    void ollamaFormatSchemaRepliesHoldToTheSchema() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int seed = 1; seed <= 3; seed++) {
            String body = Json.MAPPER.writeValueAsString(Map.of("model", TestServer.NAME, "stream", false, "format", PERSON,
                    "messages", List.of(Map.of("role", "user", "content", "Describe a person.")),
                    "options", Map.of("temperature", 1.2, "seed", seed, "num_predict", 120)));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode reply = Json.MAPPER.readTree(r.body());
            assertThat(reply.get("done_reason").asText()).isEqualTo("stop");
            assertPerson(reply.get("message").get("content").asText());
        }
    }

    @Test
    void anUnsupportedSchemaKeywordIsA400NamingWhere() {
        ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("n", Map.of("type", "integer", "multipleOf", 3))))
                .build();
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of(TestServer.NAME)).addUserMessage("hi")
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                        .name("n").schema(schema).build()).build()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("multipleOf").hasMessageContaining("/properties/n");
    }
}
