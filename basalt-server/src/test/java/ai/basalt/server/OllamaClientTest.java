package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.generate.OllamaGenerateRequest;
import io.github.ollama4j.models.generate.OllamaGenerateStreamObserver;
import io.github.ollama4j.models.response.Model;
import io.github.ollama4j.models.response.OllamaResult;
import io.github.ollama4j.utils.OptionsBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.ollama4j.tools.Tools;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Ollama API as the published ollama4j client sees it. */
class OllamaClientTest {
    private static BasaltServer server;
    private static Ollama ollama;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        ollama = new Ollama("http://127.0.0.1:" + server.port());
        ollama.setRequestTimeoutSeconds(120);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OllamaChatRequest greedyChat(String user, int maxTokens) {
        return OllamaChatRequest.builder().withModel(TestServer.NAME).withMessage(OllamaChatMessageRole.USER, user)
                .withOptions(new OptionsBuilder().setTemperature(0f).setNumPredict(maxTokens).build()).build();
    }

    @Test
    void pingsAndListsTheModels() throws Exception {
        assertThat(ollama.ping()).isTrue();
        List<String> names = ollama.listModels().stream().map(Model::getName).toList();
        assertThat(names).containsExactly(TestServer.NAME + ":latest");
    }

    @Test
    void chatAnswersAsTheEngineDoesAlone() throws Exception {
        OllamaChatResult r = ollama.chat(greedyChat("Tell me about the sea.", 24), null);
        String text = r.getResponseModel().getMessage().getResponse();
        assertThat(text).isNotBlank().isEqualTo(TestServer.greedyChatReply("Tell me about the sea.", 24));
        assertThat(r.getResponseModel().getEvalCount()).isBetween(1, 24);
    }

    @Test
    void streamedChatEqualsTheWholeReply() throws Exception {
        StringBuilder streamed = new StringBuilder();
        OllamaChatRequest request = greedyChat("Tell me about the sea.", 24).withStreaming();
        ollama.chat(request, part -> {
            if (part.getMessage() != null && part.getMessage().getResponse() != null) streamed.append(part.getMessage().getResponse());
        });
        assertThat(streamed.toString()).isEqualTo(TestServer.greedyChatReply("Tell me about the sea.", 24));
    }

    @Test
    void generateStreamsAPlainCompletionInRawMode() throws Exception {
        StringBuilder streamed = new StringBuilder();
        OllamaGenerateRequest request = OllamaGenerateRequest.builder().withModel(TestServer.NAME)
                .withPrompt("It was a dark and stormy night").withRaw(true).withStreaming(true)
                .withThink(io.github.ollama4j.models.request.ThinkMode.DISABLED)
                .withOptions(new OptionsBuilder().setTemperature(0f).setNumPredict(20).build()).build();
        OllamaResult r = ollama.generate(request, new OllamaGenerateStreamObserver(null, streamed::append));
        String expected = TestServer.greedyCompletion("It was a dark and stormy night", 20);
        assertThat(streamed.toString()).isNotBlank().isEqualTo(expected);
        assertThat(r.getResponse()).isEqualTo(expected);
    }

    @Test
    void embedReturnsTheEnginesEmbeddings() throws Exception {
        var result = ollama.embed(new io.github.ollama4j.models.embed.OllamaEmbedRequest(TestServer.NAME,
                List.of("The sea was calm.", "Let there be light.")));
        assertThat(result.getEmbeddings()).hasSize(2);
        float[] expected = TestServer.embedding("The sea was calm.");
        List<Double> v = result.getEmbeddings().get(0);
        for (int i = 0; i < expected.length; i++) assertThat(v.get(i).floatValue()).isEqualTo(expected[i]);
        assertThat(result.getEmbeddings().get(1)).isNotEqualTo(v);
    }

    @Test
    void anUnknownModelFailsWithTheServersMessage() {
        assertThatThrownBy(() -> ollama.chat(OllamaChatRequest.builder().withModel("no-such-model")
                .withMessage(OllamaChatMessageRole.USER, "hi").build(), null))
                .hasMessageContaining("no-such-model");
    }

    // ---- structured output and tools (issue 6) ----

    /** A schema this prose model can only fill under constraint: a bounded string, an enum, an integer. */
    private static final Map<String, Object> PERSON = Map.of(
            "type", "object",
            "properties", Map.of(
                    "name", Map.of("type", "string", "maxLength", 12),
                    "mood", Map.of("enum", List.of("glad", "sad", "calm")),
                    "age", Map.of("type", "integer")),
            "required", List.of("name", "mood", "age"),
            "additionalProperties", false);

    private static void assertPerson(String text) throws Exception {
        JsonNode doc = Json.MAPPER.readTree(text);
        assertThat(doc.isObject()).as(text).isTrue();
        String name = doc.get("name").asText();
        assertThat(name.codePointCount(0, name.length())).as(text).isLessThanOrEqualTo(12);
        assertThat(doc.get("mood").asText()).as(text).isIn("glad", "sad", "calm");
        assertThat(doc.get("age").isIntegralNumber()).as(text).isTrue();
        assertThat(doc.size()).as(text).isEqualTo(3);
    }

    @Test
    void generateWithASchemaFormatGivesJsonThatHoldsToIt() throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            OllamaGenerateRequest request = OllamaGenerateRequest.builder().withModel(TestServer.NAME)
                    .withPrompt("Describe a person.").withFormat(PERSON).withThink(io.github.ollama4j.models.request.ThinkMode.DISABLED)
                    .withOptions(new OptionsBuilder().setTemperature(1.2f).setSeed(seed).setNumPredict(160).build()).build();

            OllamaResult r = ollama.generate(request, null);

            assertPerson(r.getResponse());
            assertThat(r.getDoneReason()).isEqualTo("stop");
            // ollama4j's own reading of a structured reply
            Map<String, Object> structured = r.getStructuredResponse();
            assertThat(structured).containsOnlyKeys("name", "mood", "age");
        }
    }

    @Test
    void chatWithASchemaFormatGivesJsonThatHoldsToIt() throws Exception {
        // ollama4j's chat builder has only withGetJsonResponse() ("json"); a schema is set on the request's format
        OllamaChatRequest request = greedyChat("Describe a person.", 160);
        request.setFormat(PERSON);

        OllamaChatResult r = ollama.chat(request, null);

        assertPerson(r.getResponseModel().getMessage().getResponse());
        assertThat(r.getResponseModel().getDoneReason()).isEqualTo("stop");
    }

    @Test
    void chatInJsonModeIsAcceptedAndStartsAnObject() throws Exception {
        // format "json" is any object: a prose model may not close one within the budget, so only its start is certain
        OllamaChatRequest request = greedyChat("Describe a person as JSON.", 40).withGetJsonResponse();
        assertThat(request.getFormat()).isEqualTo("json");

        OllamaChatResult r = ollama.chat(request, null);

        String text = r.getResponseModel().getMessage().getResponse();
        assertThat(text.strip()).startsWith("{");
        if ("stop".equals(r.getResponseModel().getDoneReason())) assertThat(Json.MAPPER.readTree(text).isObject()).isTrue();
    }

    private static Tools.Tool weatherTool() {
        Map<String, Tools.Property> properties = new LinkedHashMap<>();
        properties.put("city", Tools.Property.builder().type("string").required(true).build());
        properties.put("unit", Tools.Property.builder().type("string").enumValues(List.of("celsius", "fahrenheit")).required(true).build());
        return Tools.Tool.builder().type("function")
                .toolSpec(Tools.ToolSpec.builder().name("get_weather").description("Weather")
                        .parameters(Tools.Parameters.of(properties)).build())
                .toolFunction(args -> "sunny").build();
    }

    @Test
    void aChatWithToolsIsAcceptedAndAnsweredInText() throws Exception {
        // Ollama has no tool_choice: a call cannot be forced, and this prose model never writes one, so the reply is text
        OllamaChatRequest request = greedyChat("Tell me about the sea.", 24).withTools(new java.util.ArrayList<>(List.of(weatherTool())));
        JsonNode sent = Json.MAPPER.readTree(io.github.ollama4j.utils.Utils.getObjectMapper().writeValueAsString(request));
        assertThat(sent.path("tools").size()).as("ollama4j sends %s", sent).isEqualTo(1);
        // ollama4j's parameters have no "type": "object", and properties carry "description": null: the server takes both
        assertThat(sent.path("tools").get(0).path("function").path("parameters").has("type")).as("ollama4j sends %s", sent).isFalse();

        OllamaChatResult r = ollama.chat(request, null);

        assertThat(r.getResponseModel().getMessage().getResponse()).isNotBlank();
        assertThat(r.getResponseModel().getMessage().getToolCalls()).isNullOrEmpty();
    }

    @Test
    void aChatWithRegisteredToolsIsAcceptedAndAnsweredInText() throws Exception {
        // registered tools are added to every chat that uses tools (the default): the server must take them
        Ollama client = new Ollama("http://127.0.0.1:" + server.port());
        client.setRequestTimeoutSeconds(120);
        client.registerTool(weatherTool());

        OllamaChatResult r = client.chat(greedyChat("Tell me about the sea.", 24), null);

        assertThat(r.getResponseModel().getMessage().getResponse()).isNotBlank();
        assertThat(r.getResponseModel().getMessage().getToolCalls()).isNullOrEmpty();
    }
}
