package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Prefix reuse: a prompt that begins with the whole chunks of one served before takes its kept cache and evaluates
 * only the rest, and still gets, bit for bit, the reply a fresh server gives it.
 */
class PrefixReuseTest extends OpenAiServerTest {
    private static final Pattern REUSED = Pattern.compile("basalt_prompt_tokens_reused_total\\{model=\"basalt-mini\"} (\\d+)\\.0");
    /** Some 150 tokens of basalt-mini's vocabulary: more than two whole chunks. */
    private static final String STORY = "Once upon a time there was a little girl who lived in a village near the forest. "
            + "Whenever she went out, the little girl wore a red riding cloak, so everyone in the village called her "
            + "Little Red Riding Hood. One morning, Little Red Riding Hood asked her mother if she could go to visit her "
            + "grandmother as it had been awhile since they had seen each other. That is a good idea, her mother said. "
            + "So they packed a nice basket for Little Red Riding Hood to take to her grandmother.";

    /** The reply and its tokens' log-probabilities, which show a difference in the logits' last bits. */
    private static String complete(OpenAIClient c, String prompt, double temperature) {
        Completion r = c.completions().create(CompletionCreateParams.builder()
                .model(CompletionCreateParams.Model.of(TestServer.NAME)).prompt(prompt).maxTokens(24)
                .temperature(temperature).seed(3).logprobs(0).build());
        return r.choices().get(0).text() + " " + r.choices().get(0).logprobs().orElseThrow().tokenLogprobs().orElseThrow();
    }

    private static long reused(BasaltServer s) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = REUSED.matcher(text);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }
    }

    @Test
    void aSharedPrefixIsReusedAndTheRepliesAreAFreshServersBitForBit() throws Exception {
        String first = complete(client, STORY, 0);
        assertThat(reused(server)).isZero();
        assertThat(complete(client, STORY, 0)).as("the same prompt again").isEqualTo(first);
        long afterRepeat = reused(server);
        assertThat(afterRepeat).as("the repeat took its whole chunks from the kept cache")
                .isGreaterThanOrEqualTo(2L * Scheduler.PREFIX_CHUNK);

        String longer = STORY + " On the way, she met a wolf.";
        String greedyWarm = complete(client, longer, 0);
        String sampledWarm = complete(client, longer, 0.9);
        assertThat(reused(server)).isGreaterThanOrEqualTo(afterRepeat + 4L * Scheduler.PREFIX_CHUNK);

        try (BasaltServer fresh = TestServer.start()) {
            OpenAIClient freshClient = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + fresh.port() + "/v1")
                    .apiKey("unused").build();
            try {
                assertThat(complete(freshClient, longer, 0)).isEqualTo(greedyWarm);
                assertThat(reused(fresh)).isZero();
                assertThat(complete(freshClient, longer, 0.9)).isEqualTo(sampledWarm);
            } finally {
                freshClient.close();
            }
        }
    }

    @Test
    void onlyWholeChunksOfTheCommonBeginningAreReusable() {
        int c = Scheduler.PREFIX_CHUNK;
        int[] kept = new int[3 * c + 5];
        for (int i = 0; i < kept.length; i++) kept[i] = i;
        assertThat(Scheduler.reusable(kept, kept.clone())).as("a repeat keeps one token to evaluate").isEqualTo(3 * c);
        int[] prompt = java.util.Arrays.copyOf(kept, 3 * c);
        assertThat(Scheduler.reusable(kept, prompt)).isEqualTo(2 * c);
        prompt = kept.clone();
        prompt[c + 7] = -1;
        assertThat(Scheduler.reusable(kept, prompt)).isEqualTo(c);
        prompt[3] = -1;
        assertThat(Scheduler.reusable(kept, prompt)).isZero();
        assertThat(Scheduler.reusable(java.util.Arrays.copyOf(kept, c - 1), kept)).isZero();
    }
}
