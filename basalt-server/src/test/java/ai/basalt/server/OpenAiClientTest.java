package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI API as the published openai-java client sees it. */
class OpenAiClientTest extends OpenAiServerTest {
    private static ChatCompletionCreateParams greedyChat(String user, int maxTokens) {
        return ChatCompletionCreateParams.builder().model(ChatModel.of(TestServer.NAME)).addUserMessage(user)
                .maxCompletionTokens(maxTokens).temperature(0.0).build();
    }

    @Test
    void listsTheModelsOnOffer() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).containsExactly(TestServer.NAME);
        assertThat(client.models().retrieve(TestServer.NAME).ownedBy()).isEqualTo("basalt");
    }

    @Test
    void chatAnswersAsTheEngineDoesAlone() {
        ChatCompletion c = client.chat().completions().create(greedyChat("Tell me about the sea.", 24));

        String text = c.choices().get(0).message().content().orElseThrow();
        assertThat(text).isNotBlank();
        assertThat(text).isEqualTo(TestServer.greedyChatReply("Tell me about the sea.", 24));
        assertThat(c.model()).isEqualTo(TestServer.NAME);
        assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 24L);
        assertThat(c.usage().orElseThrow().promptTokens()).isPositive();
        assertThat(c.choices().get(0).finishReason().asString()).isIn("stop", "length");
    }

    @Test
    void streamedChatEqualsTheWholeReplyAndReportsUsage() {
        ChatCompletionCreateParams params = greedyChat("Tell me about the sea.", 24).toBuilder()
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        StringBuilder streamed = new StringBuilder();
        List<Long> usage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(u -> usage.add(u.completionTokens()));
            });
        }
        assertThat(streamed.toString()).isEqualTo(TestServer.greedyChatReply("Tell me about the sea.", 24));
        assertThat(usage).hasSize(1);
    }

    @Test
    void severalChoicesWithASeedAreReproducible() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(ChatModel.of(TestServer.NAME))
                .addUserMessage("Once upon a time").maxCompletionTokens(12).temperature(1.0).seed(7).n(2).build();
        ChatCompletion a = client.chat().completions().create(params);
        ChatCompletion b = client.chat().completions().create(params);
        assertThat(a.choices()).hasSize(2);
        assertThat(a.choices().get(1).index()).isEqualTo(1);
        for (int i = 0; i < 2; i++) {
            assertThat(b.choices().get(i).message().content()).isEqualTo(a.choices().get(i).message().content());
        }
    }

    @Test
    void completionContinuesAPlainPrompt() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.of(TestServer.NAME)).prompt("It was a dark and stormy night")
                .maxTokens(20).temperature(0.0).build());
        assertThat(c.choices().get(0).text()).isNotBlank();
        assertThat(c.choices().get(0).text()).isEqualTo(TestServer.greedyCompletion("It was a dark and stormy night", 20));
    }

    @Test
    void embeddingsAreTheEnginesInBothEncodings() {
        float[] expected = TestServer.embedding("The sea was calm.");
        for (var format : List.of(com.openai.models.embeddings.EmbeddingCreateParams.EncodingFormat.FLOAT,
                com.openai.models.embeddings.EmbeddingCreateParams.EncodingFormat.BASE64)) {
            var response = client.embeddings().create(com.openai.models.embeddings.EmbeddingCreateParams.builder()
                    .model(TestServer.NAME).input("The sea was calm.").encodingFormat(format).build());
            List<Float> v = response.data().get(0).embedding();
            assertThat(v).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) assertThat(v.get(i)).as("component %d (%s)", i, format).isEqualTo(expected[i]);
            assertThat(response.usage().promptTokens()).isPositive();
        }
    }

    @Test
    void anUnknownModelIsA404TheClientUnderstands() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of("no-such-model")).addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-model");
    }
}
