package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.SystemMessage;
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
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
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
        List<String> partials = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build(), new StreamingChatResponseHandler() {
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
        });
        ChatResponse r = sent.explain(() -> done.get(60, TimeUnit.SECONDS));

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
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("hi", new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        assertThatThrownBy(() -> done.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelNotFoundException.class)
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
