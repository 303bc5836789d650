package ai.basalt.server.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.generate.chat.ChatMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/** The Bedrock Runtime API as the AWS SDK for Java v2 sees it, SigV4-signed with dummy credentials. */
class BedrockClientTest extends BedrockServerTest {
    private static final String QUESTION = "Tell me about the sea.";
    private static ConverseRequest greedy(String modelId, String question, int maxTokens) {
        return ConverseRequest.builder().modelId(modelId).messages(user(question))
                .inferenceConfig(c -> c.maxTokens(maxTokens).temperature(0f)).build();
    }

    @Test
    void converseAnswersAsTheEngineDoesAlone() {
        ConverseResponse r = client.converse(greedy(BedrockFixture.NAME, QUESTION, 24));

        String text = r.output().message().content().get(0).text();
        assertThat(text).isNotBlank();
        assertThat(text).isEqualTo(BedrockFixture.greedyChatReply(List.of(ChatMessage.user(QUESTION)), 24));
        assertThat(r.output().message().role()).isEqualTo(ConversationRole.ASSISTANT);
        assertThat(r.stopReason()).isIn(StopReason.END_TURN, StopReason.MAX_TOKENS);
        assertThat(r.usage().inputTokens()).isPositive();
        assertThat(r.usage().outputTokens()).isBetween(1, 24);
        assertThat(r.usage().totalTokens()).isEqualTo(r.usage().inputTokens() + r.usage().outputTokens());
        assertThat(r.metrics().latencyMs()).isNotNegative();
        assertThat(r.responseMetadata().requestId()).isNotBlank();
    }

    @Test
    void aSystemPromptAndEarlierTurnsReachTheTemplate() {
        ConverseRequest request = ConverseRequest.builder().modelId(BedrockFixture.NAME)
                .system(SystemContentBlock.fromText("You are terse."))
                .messages(user("Hello."), Message.builder().role(ConversationRole.ASSISTANT)
                        .content(ContentBlock.fromText("Hello!")).build(), user(QUESTION))
                .inferenceConfig(c -> c.maxTokens(16).temperature(0f)).build();

        String text = client.converse(request).output().message().content().get(0).text();

        assertThat(text).isEqualTo(BedrockFixture.greedyChatReply(List.of(ChatMessage.system("You are terse."),
                ChatMessage.user("Hello."), ChatMessage.assistant("Hello!"), ChatMessage.user(QUESTION)), 16));
    }

    @Test
    void converseStreamSendsEveryEventAndTheSameReply() {
        ConverseStreamRequest request = ConverseStreamRequest.builder().modelId(BedrockFixture.NAME).messages(user(QUESTION))
                .inferenceConfig(c -> c.maxTokens(24).temperature(0f)).build();
        List<ConverseStreamOutput> events = Collections.synchronizedList(new ArrayList<>());
        ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder().subscriber(events::add).build();

        async.converseStream(request, handler).join();

        List<ConverseStreamOutput.EventType> types = events.stream().map(ConverseStreamOutput::sdkEventType).toList();
        assertThat(types.get(0)).isEqualTo(ConverseStreamOutput.EventType.MESSAGE_START);
        assertThat(types.subList(types.size() - 3, types.size())).containsExactly(ConverseStreamOutput.EventType.CONTENT_BLOCK_STOP,
                ConverseStreamOutput.EventType.MESSAGE_STOP, ConverseStreamOutput.EventType.METADATA);
        assertThat(types.subList(1, types.size() - 3)).isNotEmpty().containsOnly(ConverseStreamOutput.EventType.CONTENT_BLOCK_DELTA);
        StringBuilder streamed = new StringBuilder();
        for (ConverseStreamOutput e : events) {
            if (e instanceof ContentBlockDeltaEvent d) streamed.append(d.delta().text());
        }
        ConverseResponse whole = client.converse(greedy(BedrockFixture.NAME, QUESTION, 24));
        assertThat(streamed.toString()).isNotBlank().isEqualTo(whole.output().message().content().get(0).text());
        assertThat(((MessageStopEvent) events.get(events.size() - 2)).stopReason()).isEqualTo(whole.stopReason());
        ConverseStreamMetadataEvent metadata = (ConverseStreamMetadataEvent) events.get(events.size() - 1);
        assertThat(metadata.usage().outputTokens()).isEqualTo(whole.usage().outputTokens());
        assertThat(metadata.usage().inputTokens()).isEqualTo(whole.usage().inputTokens());
        assertThat(BedrockFixture.metrics(server)).as("the async client spoke h2c")
                .containsPattern("basalt_requests_total\\{method=\"POST\",protocol=\"HTTP/2.0\",route=\"/model/\\{modelId\\}/converse-stream\",status=\"200\"\\} [1-9]");
    }

    @Test
    void invokeModelTakesALlamaStyleBody() {
        String prompt = "It was a dark and stormy night";
        InvokeModelResponse r = client.invokeModel(b -> b.modelId(BedrockFixture.NAME).contentType("application/json")
                .accept("application/json").body(SdkBytes.fromUtf8String(
                        "{\"prompt\": \"" + prompt + "\", \"max_gen_len\": 20, \"temperature\": 0}")));

        var body = ai.basalt.server.Json.object(r.body().asByteArray());
        assertThat(body.get("generation").asText()).isNotBlank().isEqualTo(BedrockFixture.greedyContinuation(prompt, 20));
        assertThat(body.get("prompt_token_count").asInt()).isPositive();
        assertThat(body.get("generation_token_count").asInt()).isBetween(1, 20);
        assertThat(body.get("stop_reason").asText()).isIn("stop", "length");
        assertThat(r.contentType()).startsWith("application/json");
    }

    @Test
    void invokeModelWithResponseStreamSendsTheSameText() {
        String body = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 16, \"temperature\": 0}";
        List<String> chunks = Collections.synchronizedList(new ArrayList<>());
        var handler = InvokeModelWithResponseStreamResponseHandler.builder()
                .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                        .onChunk(c -> chunks.add(c.bytes().asUtf8String())).build()).build();

        async.invokeModelWithResponseStream(InvokeModelWithResponseStreamRequest.builder().modelId(BedrockFixture.NAME)
                .contentType("application/json").body(SdkBytes.fromUtf8String(body)).build(), handler).join();

        StringBuilder streamed = new StringBuilder();
        for (String c : chunks) streamed.append(ai.basalt.server.Json.object(c.getBytes()).get("generation").asText());
        assertThat(streamed.toString()).isNotBlank().isEqualTo(BedrockFixture.greedyContinuation("Once upon a time", 16));
        var last = ai.basalt.server.Json.object(chunks.get(chunks.size() - 1).getBytes());
        assertThat(last.get("stop_reason").asText()).isIn("stop", "length");
        assertThat(last.get("amazon-bedrock-invocationMetrics").get("outputTokenCount").asInt()).isBetween(1, 16);
    }

    @Test
    void anUnknownModelIsResourceNotFound() {
        assertThatThrownBy(() -> client.converse(greedy("no-such-model", "hi", 4)))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("no-such-model")
                .satisfies(e -> assertThat(((ResourceNotFoundException) e).statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> client.converse(greedy("us.meta.llama3-2-1b-instruct-v1:0", "hi", 4)))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("us.meta.llama3-2-1b-instruct-v1:0");
    }

    @Test
    void badSettingsAreValidationExceptions() {
        assertThatThrownBy(() -> client.converse(ConverseRequest.builder().modelId(BedrockFixture.NAME).messages(user("hi"))
                .inferenceConfig(c -> c.temperature(5f)).build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("temperature")
                .satisfies(e -> assertThat(((ValidationException) e).statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> client.converse(greedy(BedrockFixture.NAME, "hi", 4).toBuilder()
                .guardrailConfig(g -> g.guardrailIdentifier("g").guardrailVersion("1")).build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("guardrailConfig");
        assertThatThrownBy(() -> client.invokeModel(b -> b.modelId(BedrockFixture.NAME).contentType("application/json")
                .body(SdkBytes.fromUtf8String("{\"messages\": [], \"anthropic_version\": \"bedrock-2023-05-31\"}"))))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Llama-style");
    }

    @Test
    void oversizedRequestsAreValidationExceptionsOnBothPaths() {
        assertThatThrownBy(() -> client.converse(greedy(BedrockFixture.NAME, "x".repeat(70 * 1024), 4)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("over the limit")
                .satisfies(e -> assertThat(((ValidationException) e).statusCode()).isEqualTo(413));
        // over the context: refused before the stream starts, so the async client gets the status, not an event
        ConverseStreamRequest overlong = ConverseStreamRequest.builder().modelId(BedrockFixture.NAME)
                .messages(user("the sea ".repeat(400))).build();
        var handler = ConverseStreamResponseHandler.builder().subscriber(e -> {}).build();
        assertThatThrownBy(() -> async.converseStream(overlong, handler).join())
                .hasCauseInstanceOf(ValidationException.class).hasMessageContaining("context");
    }

    @Test
    void aModelIdThatWalksUpTheTreeReadsNoFile() {
        for (String id : List.of("../../etc/passwd", "..%2F..%2Fetc", "/etc/passwd", "../models/basalt-mini/basalt-mini.gguf")) {
            assertThatThrownBy(() -> client.converse(greedy(id, "hi", 4)))
                    .as(id).isInstanceOfAny(ValidationException.class, ResourceNotFoundException.class);
        }
        assertThat(client.converse(greedy(BedrockFixture.NAME, QUESTION, 4)).output().message().content()).isNotEmpty();
    }
}
