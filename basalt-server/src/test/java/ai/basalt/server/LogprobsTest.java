package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code logprobs} through the published openai-java client: the values are the engine's own (log-softmax of the raw
 * logits, computed independently in {@link TestServer#greedyCompletionLogprobs}), alternatives come most likely first,
 * and a streamed reply carries the same entries as the whole one.
 */
class LogprobsTest extends OpenAiServerTest {
    private static final String PROMPT = "It was a dark and stormy night";

    private static ChatCompletionCreateParams chat(int top) {
        return ChatCompletionCreateParams.builder().model(ChatModel.of(TestServer.NAME)).addUserMessage("Tell me about the sea.")
                .maxCompletionTokens(16).temperature(0.0).logprobs(true).topLogprobs(top).build();
    }

    @Test
    void completionLogprobsAreTheEnginesOwn() {
        List<double[]> oracle = TestServer.greedyCompletionLogprobs(PROMPT, 12);
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.of(TestServer.NAME)).prompt(PROMPT).maxTokens(12).temperature(0.0)
                .logprobs(2).build());
        CompletionChoice.Logprobs lp = c.choices().get(0).logprobs().orElseThrow();
        List<Double> values = lp.tokenLogprobs().orElseThrow();
        assertThat(values).hasSize(oracle.size()).hasSize((int) c.usage().orElseThrow().completionTokens());
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).as("token %d", i).isCloseTo(oracle.get(i)[1], within(1e-4)).isLessThanOrEqualTo(0.0);
        }
        List<String> tokens = lp.tokens().orElseThrow();
        List<Long> offsets = lp.textOffset().orElseThrow();
        assertThat(tokens).hasSize(values.size());
        long at = 0;
        for (int i = 0; i < tokens.size(); i++) {
            assertThat(offsets.get(i)).isEqualTo(at);
            at += tokens.get(i).length();
        }
        assertThat(lp.topLogprobs().orElseThrow()).hasSize(values.size())
                .allSatisfy(top -> assertThat(top._additionalProperties()).hasSizeBetween(1, 2));
    }

    @Test
    void chatLogprobsCarryTheirMostLikelyAlternatives() {
        ChatCompletion c = client.chat().completions().create(chat(3));
        List<ChatCompletionTokenLogprob> content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) c.usage().orElseThrow().completionTokens()).isNotEmpty();
        StringBuilder bytesText = new StringBuilder();
        List<Byte> all = new ArrayList<>();
        for (ChatCompletionTokenLogprob t : content) {
            assertThat(t.topLogprobs()).hasSize(3);
            // greedy: the token chosen is the most likely one
            assertThat(t.topLogprobs().get(0).token()).isEqualTo(t.token());
            assertThat(t.topLogprobs().get(0).logprob()).isEqualTo(t.logprob());
            assertThat(t.logprob()).isLessThanOrEqualTo(0.0);
            for (int k = 1; k < 3; k++) {
                assertThat(t.topLogprobs().get(k).logprob()).isLessThanOrEqualTo(t.topLogprobs().get(k - 1).logprob());
            }
            for (long b : t.bytes().orElseThrow()) all.add((byte) b);
        }
        byte[] raw = new byte[all.size()];
        for (int i = 0; i < raw.length; i++) raw[i] = all.get(i);
        bytesText.append(new String(raw, StandardCharsets.UTF_8));
        assertThat(bytesText.toString()).as("the tokens' bytes spell the reply")
                .isEqualTo(c.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void streamedLogprobsAreTheWholeRepliesInOrder() {
        List<ChatCompletionTokenLogprob> whole = client.chat().completions().create(chat(2)).choices().get(0).logprobs()
                .orElseThrow().content().orElseThrow();
        List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat(2))) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.logprobs()
                    .flatMap(ChatCompletionChunk.Choice.Logprobs::content).ifPresent(streamed::addAll)));
        }
        assertThat(streamed).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            assertThat(streamed.get(i).token()).isEqualTo(whole.get(i).token());
            assertThat(streamed.get(i).logprob()).isEqualTo(whole.get(i).logprob());
        }
    }

    @Test
    void outOfRangeRequestsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> client.chat().completions().create(chat(21))).isInstanceOf(BadRequestException.class)
                .hasMessageContaining("'top_logprobs' 21 must be between 0 and 20");
        assertThatThrownBy(() -> client.chat().completions().create(chat(2).toBuilder().logprobs(false).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("'top_logprobs' needs 'logprobs': true");
        assertThatThrownBy(() -> client.completions().create(CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.of(TestServer.NAME)).prompt(PROMPT).maxTokens(4).logprobs(6).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("'logprobs' 6 must be between 0 and 5");
    }
}
