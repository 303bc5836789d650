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
import java.util.List;
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
}
