package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.server.LangChain4jOpenAiTest.Recording;
import ai.basalt.server.LangChain4jOpenAiTest.Streamed;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModelCard;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.ollama.RunningOllamaModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Ollama API as LangChain4j's published {@code langchain4j-ollama} client sees it: {@link OllamaChatModel},
 * {@link OllamaStreamingChatModel} and {@link OllamaModels}, each reply compared with the engine's own greedy output.
 */
class LangChain4jOllamaTest {
    private static final String QUESTION = "Tell me about the sea.";
    private static final int MAX_TOKENS = 24;
    /** The name Ollama's listing gives the model, as an Ollama user would copy it. */
    private static final String TAGGED = TestServer.NAME + ":latest";

    private static BasaltServer server;
    private static String expected;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        expected = TestServer.greedyChatReply(QUESTION, MAX_TOKENS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void chatAnswersAsTheEngineDoesAlone() {
        Recording sent = new Recording();
        OllamaChatModel model = OllamaChatModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).modelName(TestServer.NAME)
                .temperature(0.0).numPredict(MAX_TOKENS).maxRetries(0).timeout(Duration.ofSeconds(60)).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build()));

        assertThat(r.aiMessage().text()).isNotBlank().isEqualTo(expected);
        assertThat(r.metadata().finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        TokenUsage usage = r.metadata().tokenUsage();
        assertThat(usage.inputTokenCount()).isPositive();
        assertThat(usage.outputTokenCount()).isBetween(1, MAX_TOKENS);

        JsonNode body = sent.onlyBody();
        assertThat(body.path("stream").asBoolean(true)).isFalse();
        // LangChain4j sends "tools": [] (and "tool_calls": [] on assistant turns) even without tools: the server takes them
        assertThat(body.path("tools").isArray()).isTrue();
        assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(MAX_TOKENS);
        assertThat(body.path("options").path("temperature").asDouble(-1)).isZero();
    }

    @Test
    void theTaggedNameAndTheCommonOptionsAreAccepted() {
        // settings that cannot change a greedy reply: the server takes them rather than a 400
        Recording sent = new Recording();
        OllamaChatModel model = OllamaChatModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).modelName(TAGGED)
                .temperature(0.0).numPredict(MAX_TOKENS).topK(40).topP(0.9).seed(42).repeatPenalty(1.0).numCtx(TestServer.CONTEXT)
                .stop(List.of("<<no such stop>>")).maxRetries(0).build();

        String reply = sent.explain(() -> model.chat(QUESTION));

        assertThat(reply).isEqualTo(expected);
        JsonNode options = sent.onlyBody().path("options");
        for (String field : List.of("top_k", "top_p", "seed", "repeat_penalty", "num_ctx", "stop")) {
            assertThat(options.has(field)).as("'%s' was sent in %s", field, options).isTrue();
        }
    }

    @Test
    void aSystemMessageAndAnEarlierTurnAreAccepted() {
        Recording sent = new Recording();
        OllamaChatModel model = OllamaChatModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).modelName(TestServer.NAME)
                .temperature(0.0).numPredict(8).maxRetries(0).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(
                SystemMessage.from("You are brief."), UserMessage.from("Hello."),
                dev.langchain4j.data.message.AiMessage.from("Hello there."), UserMessage.from(QUESTION)).build()));

        assertThat(r.aiMessage().text()).isNotBlank();
        assertThat(r.metadata().tokenUsage().outputTokenCount()).isBetween(1, 8);
        assertThat(sent.onlyBody().path("messages").size()).isEqualTo(4);
    }

    @Test
    void streamedChatEqualsTheWholeReply() throws Exception {
        Recording sent = new Recording();
        OllamaStreamingChatModel model = OllamaStreamingChatModel.builder().httpClientBuilder(sent).baseUrl(baseUrl())
                .modelName(TestServer.NAME).temperature(0.0).numPredict(MAX_TOKENS).timeout(Duration.ofSeconds(60)).build();
        Streamed streamed = new Streamed();
        model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build(), streamed);
        ChatResponse r = sent.explain(() -> streamed.done.get(60, TimeUnit.SECONDS));
        List<String> partials = streamed.partials;

        assertThat(partials).isNotEmpty();
        assertThat(String.join("", partials)).isEqualTo(expected);
        assertThat(r.aiMessage().text()).isEqualTo(expected);
        assertThat(r.metadata().finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        assertThat(r.metadata().tokenUsage().inputTokenCount()).isPositive();
        assertThat(r.metadata().tokenUsage().outputTokenCount()).isBetween(1, MAX_TOKENS);
        assertThat(sent.onlyBody().path("stream").asBoolean(false)).isTrue();
    }

    @Test
    void theLanguageModelsGenerateAnswersThroughTheChatTemplate() {
        // /api/generate without "raw" wraps the prompt in the model's chat template, as Ollama does
        Recording sent = new Recording();
        OllamaLanguageModel model = OllamaLanguageModel.builder().httpClientBuilder(sent).baseUrl(baseUrl())
                .modelName(TestServer.NAME).temperature(0.0).numPredict(MAX_TOKENS).maxRetries(0).build();

        Response<String> r = sent.explain(() -> model.generate(QUESTION));

        assertThat(r.content()).isNotBlank().isEqualTo(expected);
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, MAX_TOKENS);
        assertThat(sent.onlyBody().path("prompt").asText()).isEqualTo(QUESTION);
    }

    @Test
    void anUnknownModelIsTheClientsModelNotFound() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(baseUrl()).modelName("no-such-model").numPredict(4)
                .maxRetries(0).build();
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("no-such-model");
    }

    private static OllamaModels models(Recording sent) {
        return OllamaModels.builder().httpClientBuilder(sent).baseUrl(baseUrl()).maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void theListingOffersTheModelByItsTaggedName() {
        Recording sent = new Recording();
        List<OllamaModel> listed = sent.explain(() -> models(sent).availableModels().content());

        assertThat(listed).extracting(OllamaModel::getName).containsExactly(TAGGED);
        OllamaModel m = listed.get(0);
        assertThat(m.getModel()).isEqualTo(TAGGED);
        assertThat(m.getSize()).isPositive();
        assertThat(m.getDigest()).hasSize(64);
        assertThat(m.getModifiedAt()).isNotNull();
        assertThat(m.getDetails().getFormat()).isEqualTo("gguf");
    }

    @Test
    void theModelCardDescribesTheModel() {
        Recording sent = new Recording();
        OllamaModelCard card = sent.explain(() -> models(sent).modelCard(TAGGED).content());

        assertThat(card.getModelfile()).startsWith("FROM ");
        assertThat(card.getDetails().getFormat()).isEqualTo("gguf");
        assertThat(card.getDetails().getFamily()).isNotBlank();
        assertThat(card.getModelInfo()).containsKey("general.architecture");
        assertThat(card.getCapabilities()).contains("completion");
        assertThat(card.getModifiedAt()).isNotNull();
    }

    @Test
    void theRunningModelsIncludeOneThatHasAnswered() {
        Recording sent = new Recording();
        OllamaChatModel model = OllamaChatModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).modelName(TestServer.NAME)
                .temperature(0.0).numPredict(2).maxRetries(0).build();
        sent.explain(() -> model.chat("Hi."));

        List<RunningOllamaModel> running = sent.explain(() -> models(sent).runningModels().content());

        assertThat(running).extracting(RunningOllamaModel::getName).containsExactly(TAGGED);
        assertThat(running.get(0).getSize()).isPositive();
    }

    // ---- structured output, tools and embeddings (issue 6) ----

    private static OllamaChatModel.OllamaChatModelBuilder chatModel(Recording sent) {
        return OllamaChatModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).modelName(TestServer.NAME)
                .temperature(0.0).maxRetries(0).timeout(Duration.ofSeconds(60));
    }

    private static ResponseFormat personFormat() {
        return ResponseFormat.builder().type(ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder().name("person").rootElement(LangChain4jOpenAiTest.PERSON).build()).build();
    }

    @Test
    void aJsonSchemaResponseFormatIsSentAsFormatAndTheReplyHoldsToIt() {
        Recording sent = new Recording();
        OllamaChatModel model = chatModel(sent).numPredict(160).responseFormat(personFormat()).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Describe a person.")).build()));

        LangChain4jOpenAiTest.assertPerson(r.aiMessage().text());
        assertThat(r.metadata().finishReason()).isEqualTo(FinishReason.STOP);
        JsonNode format = sent.onlyBody().path("format");
        assertThat(format.path("type").asText()).isEqualTo("object");
        assertThat(format.path("properties").has("mood")).isTrue();
    }

    @Test
    void aSchemaOnTheChatRequestHoldsHotSampledRepliesToIt() {
        for (int seed = 1; seed <= 3; seed++) {
            Recording sent = new Recording();
            OllamaChatModel model = chatModel(sent).numPredict(160).seed(seed).build();

            ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Describe a person."))
                    .temperature(1.2).responseFormat(personFormat()).build()));

            LangChain4jOpenAiTest.assertPerson(r.aiMessage().text());
        }
    }

    @Test
    void aRawSchemaWithABoundedStringIsEnforced() {
        Recording sent = new Recording();
        OllamaChatModel model = chatModel(sent).numPredict(160).build();
        JsonRawSchema raw = JsonRawSchema.from("""
                {"type": "object", "properties": {"name": {"type": "string", "maxLength": 12},
                 "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["name", "unit"]}""");

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Name a city."))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("city").rootElement(raw).build()).build()).build()));

        JsonNode doc = LangChain4jOpenAiTest.parse(r.aiMessage().text());
        String name = doc.get("name").asText();
        assertThat(name.codePointCount(0, name.length())).isLessThanOrEqualTo(12);
        assertThat(doc.get("unit").asText()).isIn("celsius", "fahrenheit");
        assertThat(sent.onlyBody().path("format").path("properties").path("name").path("maxLength").asInt()).isEqualTo(12);
    }

    @Test
    void jsonModeIsSentAsFormatJson() {
        // ResponseFormat.JSON is format "json": any object. A prose model may not close one within a small budget, so
        // only what the grammar guarantees is checked: the reply is (the start of) a JSON object, complete when it stopped
        Recording sent = new Recording();
        OllamaChatModel model = chatModel(sent).numPredict(40).responseFormat(ResponseFormat.JSON).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Describe a person as JSON.")).build()));

        assertThat(sent.onlyBody().path("format").asText()).isEqualTo("json");
        assertThat(r.aiMessage().text().strip()).startsWith("{");
        if (r.metadata().finishReason() == FinishReason.STOP) assertThat(LangChain4jOpenAiTest.parse(r.aiMessage().text()).isObject()).isTrue();
    }

    @Test
    void aChatWithToolsOnOfferIsAcceptedAndAnswered() {
        // Ollama has no tool_choice: a call cannot be forced, and this prose model never writes one, so the reply is text
        Recording sent = new Recording();
        OllamaChatModel model = chatModel(sent).numPredict(MAX_TOKENS).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION))
                .toolSpecifications(LangChain4jOpenAiTest.WEATHER, LangChain4jOpenAiTest.TIME).build()));

        assertThat(r.aiMessage().hasToolExecutionRequests()).isFalse();
        assertThat(r.aiMessage().text()).isNotBlank();
        JsonNode tools = sent.onlyBody().path("tools");
        assertThat(tools.size()).isEqualTo(2);
        assertThat(tools.get(0).path("function").path("name").asText()).isEqualTo("get_weather");
    }

    @Test
    void aHistoryWithACallAndItsResultIsAcceptedAndAnswered() {
        // the turn after a tool ran: the assistant's tool_calls and the tool's result go back in the messages
        Recording sent = new Recording();
        OllamaChatModel model = chatModel(sent).numPredict(12).build();
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("get_time").arguments("{\"zone\":\"utc\"}").build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("What time is it?"),
                AiMessage.from(call), ToolExecutionResultMessage.from(call, "It is noon."))
                .toolSpecifications(LangChain4jOpenAiTest.TIME).build()));

        assertThat(r.aiMessage().text()).isNotBlank();
        JsonNode messages = sent.onlyBody().path("messages");
        assertThat(messages.get(1).path("tool_calls").get(0).path("function").path("name").asText()).isEqualTo("get_time");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
    }

    @Test
    void embeddingsEqualTheEnginesOwn() {
        Recording sent = new Recording();
        OllamaEmbeddingModel model = OllamaEmbeddingModel.builder().httpClientBuilder(sent).baseUrl(baseUrl())
                .modelName(TestServer.NAME).maxRetries(0).timeout(Duration.ofSeconds(60)).build();
        List<String> texts = List.of("The sea was calm.", "Let there be light.");

        Response<List<Embedding>> r = sent.explain(() -> model.embedAll(texts.stream().map(TextSegment::from).toList()));

        assertThat(r.content()).hasSize(2);
        for (int t = 0; t < texts.size(); t++) {
            float[] expected = TestServer.embedding(texts.get(t));
            float[] actual = r.content().get(t).vector();
            assertThat(actual).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) assertThat(actual[i]).as("%s [%d]", texts.get(t), i).isEqualTo(expected[i]);
        }
        assertThat(sent.onlyBody().path("input").size()).isEqualTo(2);
        assertThat(sent.sent()).contains("/api/embed ");
    }
}
