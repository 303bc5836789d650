package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching: concurrent streaming clients share the model's forward passes, and each reply equals the same
 * request served alone (greedy), whatever it shared its steps with; sequences join and leave mid-way.
 */
class ConcurrentStreamsTest {
    private static final List<String> PROMPTS = List.of("Tell me about the sea.", "Who was the king?", "Describe a garden.",
            "What did Elizabeth say?", "The whale rose from the deep.", "Write a psalm.", "Speak of the war.", "Hello!");

    @Test
    void eightConcurrentStreamsEachEqualTheRequestServedAlone() throws Exception {
        List<String> alone = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) alone.add(TestServer.greedyChatReply(PROMPTS.get(i), 16 + 8 * i));

        try (BasaltServer server = TestServer.start();
                ExecutorService clients = Executors.newFixedThreadPool(PROMPTS.size())) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                    .apiKey("unused").maxRetries(0).build();
            for (int round = 0; round < 2; round++) {
                List<CompletableFuture<String>> replies = new ArrayList<>();
                for (int i = 0; i < PROMPTS.size(); i++) {
                    // budgets differ so that sequences leave the batch at different steps
                    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(ChatModel.of(TestServer.NAME))
                            .addUserMessage(PROMPTS.get(i)).maxCompletionTokens(16 + 8 * i).temperature(0.0).build();
                    replies.add(CompletableFuture.supplyAsync(() -> streamed(client, params), clients));
                }
                for (int i = 0; i < PROMPTS.size(); i++) {
                    assertThat(replies.get(i).get()).as("reply to %s in round %d", PROMPTS.get(i), round).isEqualTo(alone.get(i));
                }
            }
            client.close();
            assertThat(server.models().loadedModel(TestServer.NAME).orElseThrow().scheduler().peakRunning())
                    .as("sequences that shared a step").isGreaterThan(1);
        }
    }

    private static String streamed(OpenAIClient client, ChatCompletionCreateParams params) {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append)));
        }
        return text.toString();
    }
}
