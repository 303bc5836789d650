package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI API as LangChain4j's published {@code langchain4j-open-ai} client sees it: {@link OpenAiChatModel} and
 * {@link OpenAiStreamingChatModel}, each reply compared with the engine's own greedy output. Every request the client
 * sends is recorded, so that a rejected one shows the exact JSON the server must accept.
 */
class LangChain4jOpenAiTest {
    private static final String QUESTION = "Tell me about the sea.";
    private static final int MAX_TOKENS = 24;

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
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    private static OpenAiChatModel.OpenAiChatModelBuilder chatModel(Recording recording) {
        return OpenAiChatModel.builder().httpClientBuilder(recording).baseUrl(baseUrl()).apiKey("unused")
                .modelName(TestServer.NAME).temperature(0.0).maxRetries(0).timeout(Duration.ofSeconds(60));
    }

    private static OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder streamingModel(Recording recording) {
        return OpenAiStreamingChatModel.builder().httpClientBuilder(recording).baseUrl(baseUrl()).apiKey("unused")
                .modelName(TestServer.NAME).temperature(0.0).timeout(Duration.ofSeconds(60));
    }

    @Test
    void chatAnswersAsTheEngineDoesAlone() {
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(MAX_TOKENS).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build()));

        assertThat(r.aiMessage().text()).isNotBlank().isEqualTo(expected);
        assertThat(r.metadata().modelName()).isEqualTo(TestServer.NAME);
        assertThat(r.metadata().id()).startsWith("chatcmpl-");
        assertThat(r.metadata().finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        TokenUsage usage = r.metadata().tokenUsage();
        assertThat(usage.inputTokenCount()).isPositive();
        assertThat(usage.outputTokenCount()).isBetween(1, MAX_TOKENS);
        assertThat(usage.totalTokenCount()).isEqualTo(usage.inputTokenCount() + usage.outputTokenCount());

        JsonNode body = sent.onlyBody();
        assertThat(body.path("model").asText()).isEqualTo(TestServer.NAME);
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(MAX_TOKENS);
        assertThat(body.path("stream").asBoolean(false)).isFalse();
    }

    @Test
    void theStringShortcutAndTheOlderMaxTokensField() {
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxTokens(MAX_TOKENS).build();

        String reply = sent.explain(() -> model.chat(QUESTION));

        assertThat(reply).isEqualTo(expected);
        assertThat(sent.onlyBody().path("max_tokens").asInt()).isEqualTo(MAX_TOKENS);
    }

    @Test
    void theSettingsLangChain4jUsersCommonlySetAreAccepted() {
        // none of these may change a greedy reply: the server accepts them (using or ignoring each) rather than a 400
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(MAX_TOKENS).topP(1.0).seed(42).user("tester")
                .store(false).parallelToolCalls(false).presencePenalty(0.0).frequencyPenalty(0.0)
                .responseFormat("text").metadata(Map.of("suite", "basalt")).stop(List.of("<<no such stop>>")).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build()));

        assertThat(r.aiMessage().text()).isEqualTo(expected);
        JsonNode body = sent.onlyBody();
        // (a "text" response format is LangChain4j's default: it sends no response_format at all)
        for (String field : List.of("seed", "user", "store", "parallel_tool_calls", "metadata", "stop")) {
            assertThat(body.has(field)).as("'%s' was sent in %s", field, body).isTrue();
        }
    }

    @Test
    void aSystemMessageAndAnEarlierTurnAreAccepted() {
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(8).build();

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
        OpenAiStreamingChatModel model = streamingModel(sent).maxCompletionTokens(MAX_TOKENS).build();
        Streamed streamed = new Streamed();
        model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build(), streamed);
        ChatResponse r = sent.explain(() -> streamed.done.get(60, TimeUnit.SECONDS));
        List<String> partials = streamed.partials;

        assertThat(partials).isNotEmpty();
        assertThat(String.join("", partials)).isEqualTo(expected);
        assertThat(r.aiMessage().text()).isEqualTo(expected);
        assertThat(r.metadata().finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        assertThat(r.metadata().modelName()).isEqualTo(TestServer.NAME);
        JsonNode body = sent.onlyBody();
        assertThat(body.path("stream").asBoolean()).isTrue();
        // LangChain4j always asks for the usage chunk: stream_options {"include_usage": true}
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        TokenUsage usage = r.metadata().tokenUsage();
        assertThat(usage).isNotNull();
        assertThat(usage.inputTokenCount()).isPositive();
        assertThat(usage.outputTokenCount()).isBetween(1, MAX_TOKENS);
    }

    @Test
    void aStreamForAnUnknownModelEndsInTheHandlersOnError() throws Exception {
        OpenAiStreamingChatModel model = streamingModel(new Recording()).modelName("no-such-model").maxCompletionTokens(4).build();
        Streamed streamed = new Streamed();
        model.chat("hi", streamed);
        assertThatThrownBy(() -> streamed.done.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("no-such-model");
    }

    @Test
    void aSettingOutOfRangeIsTheClientsInvalidRequestWithTheServersMessage() {
        OpenAiChatModel model = chatModel(new Recording()).temperature(2.5).maxCompletionTokens(4).build();
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("temperature");
    }

    @Test
    void theLanguageModelContinuesAPlainPromptWithTheCompletionsDefaultBudget() {
        // OpenAiLanguageModel has no token limit to set: the completions endpoint's default of 16 applies
        Recording sent = new Recording();
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).apiKey("unused")
                .modelName(TestServer.NAME).temperature(0.0).maxRetries(0).build();

        Response<String> r = sent.explain(() -> model.generate("It was a dark and stormy night"));

        assertThat(r.content()).isNotBlank().isEqualTo(TestServer.greedyCompletion("It was a dark and stormy night", 16));
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 16);
        assertThat(sent.onlyBody().path("prompt").asText()).isEqualTo("It was a dark and stormy night");
    }

    @Test
    void anUnknownModelIsTheClientsModelNotFound() {
        OpenAiChatModel model = chatModel(new Recording()).modelName("no-such-model").maxCompletionTokens(4).build();
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("no-such-model");
    }

    // ---- structured output, tool calls and embeddings (issue 6) ----

    /** A small schema the prose model can only fill under constraint: an enum, an integer, a boolean. */
    static final JsonObjectSchema PERSON = JsonObjectSchema.builder()
            .addEnumProperty("mood", List.of("glad", "sad", "calm"))
            .addIntegerProperty("age")
            .addBooleanProperty("tall")
            .required("mood", "age", "tall").additionalProperties(false).build();

    /** {@code text} as JSON; a failure shows the text. */
    static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + Json.MAPPER.valueToTree(text), e);
        }
    }

    static void assertPerson(String text) {
        JsonNode doc = parse(text);
        assertThat(doc.isObject()).as(text).isTrue();
        assertThat(doc.get("mood").asText()).as(text).isIn("glad", "sad", "calm");
        assertThat(doc.get("age").isIntegralNumber()).as(text).isTrue();
        assertThat(doc.get("tall").isBoolean()).as(text).isTrue();
        assertThat(doc.size()).as(text).isEqualTo(3);
    }

    @Test
    void aJsonSchemaResponseFormatGivesAReplyThatHoldsToIt() throws Exception {
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(160).strictJsonSchema(true)
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("person").rootElement(PERSON).build()).build())
                .build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Describe a person.")).build()));

        assertPerson(r.aiMessage().text());
        assertThat(r.metadata().finishReason()).isEqualTo(FinishReason.STOP);
        JsonNode format = sent.onlyBody().path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asText()).isEqualTo("person");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    }

    @Test
    void aResponseFormatOnTheChatRequestHoldsHotSampledRepliesToTheSchema() throws Exception {
        // the format given per request (not on the model), sampled hot with several seeds: every reply parses and validates
        for (int seed = 1; seed <= 3; seed++) {
            Recording sent = new Recording();
            OpenAiChatModel model = chatModel(sent).maxCompletionTokens(160).seed(seed).build();
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Describe a person.")).temperature(1.2)
                    .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                            .jsonSchema(JsonSchema.builder().name("person").rootElement(PERSON).build()).build())
                    .build();

            ChatResponse r = sent.explain(() -> model.chat(request));

            assertPerson(r.aiMessage().text());
        }
    }

    @Test
    void jsonObjectModeIsSentAsJsonObject() {
        // json_object is any object: a prose model may not close one within a small budget, so only what the grammar
        // guarantees is checked: the reply starts an object, and is a whole one when it stopped on its own
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(40).responseFormat("json_object").build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Describe a person as JSON.")).build()));

        assertThat(sent.onlyBody().path("response_format").path("type").asText()).isEqualTo("json_object");
        assertThat(r.aiMessage().text().strip()).startsWith("{");
        if (r.metadata().finishReason() == FinishReason.STOP) assertThat(parse(r.aiMessage().text()).isObject()).isTrue();
    }

    @Test
    void aRawSchemaWithABoundedStringIsEnforced() throws Exception {
        // LangChain4j's typed schemas cannot bound a string; a raw schema passes maxLength through as written
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(160).build();
        JsonRawSchema raw = JsonRawSchema.from("""
                {"type": "object", "properties": {"name": {"type": "string", "maxLength": 12},
                 "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["name", "unit"], "additionalProperties": false}""");

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("Name a city."))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("city").rootElement(raw).build()).build()).build()));

        JsonNode doc = parse(r.aiMessage().text());
        String name = doc.get("name").asText();
        assertThat(name.codePointCount(0, name.length())).isLessThanOrEqualTo(12);
        assertThat(doc.get("unit").asText()).isIn("celsius", "fahrenheit");
        assertThat(doc.size()).isEqualTo(2);
        assertThat(sent.onlyBody().path("response_format").path("json_schema").path("schema").path("properties")
                .path("name").path("maxLength").asInt()).isEqualTo(12);
    }

    /** Tools small enough that their description leaves room in the model's 256-token context. */
    static final ToolSpecification WEATHER = ToolSpecification.builder().name("get_weather").description("Weather")
            .parameters(JsonObjectSchema.builder()
                    .addEnumProperty("city", List.of("Paris", "Oslo"))
                    .addIntegerProperty("days")
                    .required("city", "days").build())
            .build();

    static final ToolSpecification TIME = ToolSpecification.builder().name("get_time")
            .parameters(JsonObjectSchema.builder().addEnumProperty("zone", List.of("utc", "local")).required("zone").build())
            .build();

    /** A tool without parameters. */
    static final ToolSpecification PING = ToolSpecification.builder().name("ping").build();

    static void assertValidCall(ToolExecutionRequest call) throws Exception {
        JsonNode args = parse(call.arguments());
        assertThat(call.id()).startsWith("call_");
        if (call.name().equals("get_weather")) {
            assertThat(args.get("city").asText()).as(call.arguments()).isIn("Paris", "Oslo");
            assertThat(args.get("days").isIntegralNumber()).as(call.arguments()).isTrue();
            assertThat(args.size()).as(call.arguments()).isEqualTo(2);
        } else if (call.name().equals("ping")) {
            assertThat(args.isObject() && args.isEmpty()).as(call.arguments()).isTrue();
        } else {
            assertThat(call.name()).isEqualTo("get_time");
            assertThat(args.get("zone").asText()).as(call.arguments()).isIn("utc", "local");
            assertThat(args.size()).as(call.arguments()).isEqualTo(1);
        }
    }

    @Test
    void aRequiredToolChoiceGivesToolExecutionRequestsThatHoldToTheSchema() throws Exception {
        // sampled hot with several seeds: each reply is a call, its arguments valid for the tool's parameters
        for (int seed = 1; seed <= 3; seed++) {
            Recording sent = new Recording();
            OpenAiChatModel model = chatModel(sent).maxCompletionTokens(96).seed(seed).build();
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("What is the weather in Paris?"))
                    .toolSpecifications(WEATHER).toolChoice(ToolChoice.REQUIRED).temperature(1.0).build();

            ChatResponse r = sent.explain(() -> model.chat(request));

            AiMessage ai = r.aiMessage();
            assertThat(ai.hasToolExecutionRequests()).as("reply: %s", ai).isTrue();
            assertThat(ai.toolExecutionRequests()).hasSize(1);
            assertThat(ai.toolExecutionRequests().get(0).name()).isEqualTo("get_weather");
            assertValidCall(ai.toolExecutionRequests().get(0));
            assertThat(r.metadata().finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
            JsonNode body = sent.onlyBody();
            assertThat(body.path("tool_choice").asText()).isEqualTo("required");
            assertThat(body.path("tools").get(0).path("function").path("name").asText()).isEqualTo("get_weather");
        }
    }

    @Test
    void aRequiredToolChoiceAmongTwoToolsCallsOneOfThem() throws Exception {
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(60).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("What time is it?"))
                .toolSpecifications(TIME, PING).toolChoice(ToolChoice.REQUIRED).build()));

        assertThat(r.aiMessage().toolExecutionRequests()).as("reply: %s", r.aiMessage()).hasSize(1);
        assertValidCall(r.aiMessage().toolExecutionRequests().get(0));
        assertThat(sent.onlyBody().path("tools").size()).isEqualTo(2);
    }

    @Test
    void strictToolsAreAcceptedAndForcedCallsHoldToTheSchema() throws Exception {
        // strictTools(true) sends "strict": true and additionalProperties false in each function's parameters
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(60).strictTools(true).build();

        ChatResponse r = sent.explain(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("What time is it?"))
                .toolSpecifications(TIME).toolChoice(ToolChoice.REQUIRED).build()));

        assertThat(r.aiMessage().toolExecutionRequests()).hasSize(1);
        assertValidCall(r.aiMessage().toolExecutionRequests().get(0));
        assertThat(sent.onlyBody().path("tools").get(0).path("function").path("strict").asBoolean()).isTrue();
    }

    @Test
    void theToolsResultGoesBackAndTheModelAnswersInText() throws Exception {
        // the loop an AiServices tool call makes: the call, then the assistant turn with tool_calls and the tool's result
        Recording sent = new Recording();
        OpenAiChatModel model = chatModel(sent).maxCompletionTokens(60).build();
        UserMessage question = UserMessage.from("What time is it?");
        ChatResponse call = sent.explain(() -> model.chat(ChatRequest.builder().messages(question)
                .toolSpecifications(TIME).toolChoice(ToolChoice.REQUIRED).build()));
        ToolExecutionRequest request = call.aiMessage().toolExecutionRequests().get(0);

        ChatResponse answer = sent.explain(() -> model.chat(ChatRequest.builder().messages(question, call.aiMessage(),
                ToolExecutionResultMessage.from(request, "It is noon.")).toolSpecifications(TIME).maxOutputTokens(12).build()));

        assertThat(answer.aiMessage().text()).isNotBlank();
        JsonNode messages = sent.body(1).path("messages");
        assertThat(messages.get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo(request.id());
        assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(2).path("tool_call_id").asText()).isEqualTo(request.id());
    }

    @Test
    void aStreamedRequiredToolCallArrivesAsAToolExecutionRequest() throws Exception {
        Recording sent = new Recording();
        OpenAiStreamingChatModel model = streamingModel(sent).maxCompletionTokens(96).build();
        Streamed streamed = new Streamed();
        model.chat(ChatRequest.builder().messages(UserMessage.from("What is the weather in Oslo?"))
                .toolSpecifications(WEATHER).toolChoice(ToolChoice.REQUIRED).build(), streamed);
        ChatResponse r = sent.explain(() -> streamed.done.get(60, TimeUnit.SECONDS));

        assertThat(r.aiMessage().toolExecutionRequests()).as("reply: %s", r.aiMessage()).hasSize(1);
        assertThat(r.aiMessage().toolExecutionRequests().get(0).name()).isEqualTo("get_weather");
        assertValidCall(r.aiMessage().toolExecutionRequests().get(0));
        assertThat(r.metadata().finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        assertThat(sent.onlyBody().path("tool_choice").asText()).isEqualTo("required");
    }

    @Test
    void embeddingsEqualTheEnginesOwn() {
        Recording sent = new Recording();
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().httpClientBuilder(sent).baseUrl(baseUrl()).apiKey("unused")
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
        assertThat(r.tokenUsage().inputTokenCount()).isPositive();
        JsonNode body = sent.onlyBody();
        assertThat(body.path("input").size()).isEqualTo(2);
        assertThat(sent.explain(() -> model.embed("The sea was calm.").content().vector())).containsExactly(TestServer.embedding("The sea was calm."));
    }

    /** A streaming handler that keeps the partial responses and completes {@link #done} with the reply or the error. */
    static final class Streamed implements StreamingChatResponseHandler {
        final List<String> partials = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String partial) {
            partials.add(partial);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    /**
     * LangChain4j's JDK HTTP client with every request kept: a test that fails shows what was sent.
     */
    static final class Recording implements HttpClientBuilder {
        private final HttpClientBuilder delegate = JdkHttpClient.builder();
        private final List<HttpRequest> requests = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Duration connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            delegate.connectTimeout(timeout);
            return this;
        }

        @Override
        public Duration readTimeout() {
            return delegate.readTimeout();
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            delegate.readTimeout(timeout);
            return this;
        }

        @Override
        public HttpClient build() {
            HttpClient client = delegate.build();
            return new HttpClient() {
                @Override
                public SuccessfulHttpResponse execute(HttpRequest request) {
                    requests.add(request);
                    return client.execute(request);
                }

                @Override
                public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
                    requests.add(request);
                    client.execute(request, parser, listener);
                }
            };
        }

        /** The body of the one request sent. */
        JsonNode onlyBody() {
            assertThat(requests).hasSize(1);
            try {
                return Json.MAPPER.readTree(requests.get(0).body());
            } catch (java.io.IOException e) {
                throw new AssertionError("the client sent a body that is not JSON: " + requests.get(0).body(), e);
            }
        }

        /** The body of the {@code i}th request sent. */
        JsonNode body(int i) {
            try {
                return Json.MAPPER.readTree(requests.get(i).body());
            } catch (java.io.IOException e) {
                throw new AssertionError("the client sent a body that is not JSON: " + requests.get(i).body(), e);
            }
        }

        /** What was sent, one line a request. */
        String sent() {
            StringBuilder s = new StringBuilder();
            synchronized (requests) {
                for (HttpRequest r : requests) s.append(r.method()).append(' ').append(r.url()).append(' ').append(r.body()).append('\n');
            }
            return s.toString();
        }

        /** Runs a call; a failure carries the requests sent. */
        <T> T explain(Call<T> call) {
            try {
                return call.run();
            } catch (Exception | AssertionError e) {
                throw new AssertionError("request failed: " + e + "\nsent:\n" + sent(), e);
            }
        }
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }
}
