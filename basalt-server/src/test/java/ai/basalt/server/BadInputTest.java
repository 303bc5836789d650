package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad requests get the right status in the error shape of the API they were sent to (OpenAI:
 * {@code {"error": {"message", "type", "param", "code"}}}; Ollama: {@code {"error": "..."}}), and the server keeps
 * serving afterwards.
 */
class BadInputTest {
    private static final String KEY = "sk-test-key";
    private static BasaltServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServer.start(ServerOptions.of(Map.of(TestServer.NAME, TestServer.MODEL)).withPort(0)
                .withLimits(16 * 1024, 2, TestServer.CONTEXT).withApiKeys(Set.of(KEY))
                .withBatchSize(1)); // one at a time, so that twelve requests overflow a queue of two
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An OpenAI error: the status, and {"error": {"message": ..., "type": ...}} naming {@code mentions}. */
    private static JsonNode openAiError(HttpResponse<String> r, int status, String mentions) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = Json.MAPPER.readTree(r.body()).get("error");
        assertThat(error.isObject()).as(r.body()).isTrue();
        assertThat(error.get("message").asText()).contains(mentions);
        assertThat(error.get("type").asText()).isNotEmpty();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        return error;
    }

    private static void ollamaError(HttpResponse<String> r, int status, String mentions) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = Json.MAPPER.readTree(r.body()).get("error");
        assertThat(error.isTextual()).as(r.body()).isTrue();
        assertThat(error.asText()).contains(mentions);
    }

    private static String chat(String model, String content) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],\"max_tokens\":4,\"stream\":false}";
    }

    @Test
    void malformedJson() throws Exception {
        openAiError(post("/v1/chat/completions", "{\"model\": \"basalt-mini\", \"messages\": [", KEY), 400, "malformed JSON");
        ollamaError(post("/api/chat", "{not json", KEY), 400, "malformed JSON");
        openAiError(post("/v1/chat/completions", "[1, 2]", KEY), 400, "JSON object");
    }

    @Test
    void wrongTypesNameTheField() throws Exception {
        JsonNode e = openAiError(post("/v1/chat/completions",
                "{\"model\":\"basalt-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"many\"}", KEY),
                400, "max_tokens");
        assertThat(e.get("param").asText()).isEqualTo("max_tokens");
        openAiError(post("/v1/chat/completions", "{\"model\":\"basalt-mini\",\"messages\":5}", KEY), 400, "messages");
        openAiError(post("/v1/chat/completions", "{\"model\":\"basalt-mini\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", KEY),
                400, "role");
        openAiError(post("/v1/chat/completions", "{\"model\":\"basalt-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":9}", KEY),
                400, "temperature");
        ollamaError(post("/api/chat", "{\"model\":\"basalt-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"num_predict\":\"x\"}}", KEY),
                400, "num_predict");
        openAiError(post("/tokenize", "{\"content\": 12}", KEY), 400, "content");
    }

    @Test
    void unknownModel() throws Exception {
        JsonNode e = openAiError(post("/v1/chat/completions", chat("no-such-model", "hi"), KEY), 404, "no-such-model");
        assertThat(e.get("code").asText()).isEqualTo("model_not_found");
        ollamaError(post("/api/chat", chat("no-such-model", "hi"), KEY), 404, "no-such-model");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "/etc/passwd", "..", "models/../../secret", "a\\\\b", "con\\u0000trol", " "})
    void pathLikeModelNamesNeverReachTheFileSystem(String name) throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(name, "hi"), KEY);
        assertThat(r.statusCode()).as(r.body()).isIn(400, 404);
        assertThat(Json.MAPPER.readTree(r.body()).get("error").get("message").asText()).doesNotContain("NoSuchFile", "Exception");
        HttpResponse<String> o = post("/api/chat", chat(name, "hi"), KEY);
        assertThat(o.statusCode()).as(o.body()).isIn(400, 404);
    }

    @Test
    void aPromptOverTheContext() throws Exception {
        String longText = "word ".repeat(2000);
        JsonNode e = openAiError(post("/v1/chat/completions", chat(TestServer.NAME, longText), KEY), 400, "context");
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
        ollamaError(post("/api/chat", chat(TestServer.NAME, longText), KEY), 400, "context");
    }

    @Test
    void anOversizeBody() throws Exception {
        String huge = chat(TestServer.NAME, "x".repeat(20_000));
        openAiError(post("/v1/chat/completions", huge, KEY), 413, "over the limit");
        ollamaError(post("/api/chat", huge, KEY), 413, "over the limit");
    }

    @Test
    void missingOrWrongKeys() throws Exception {
        openAiError(post("/v1/chat/completions", chat(TestServer.NAME, "hi"), null), 401, "missing API key");
        openAiError(post("/v1/chat/completions", chat(TestServer.NAME, "hi"), "sk-wrong"), 401, "invalid API key");
        ollamaError(post("/api/chat", chat(TestServer.NAME, "hi"), "sk-wrong"), 401, "invalid API key");
        HttpResponse<String> viaHeader = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models"))
                .header("x-api-key", KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaHeader.statusCode()).isEqualTo(200);
    }

    @Test
    void unknownEndpointsAnswerInTheirApisShape() throws Exception {
        openAiError(post("/v1/nothing-here", "{}", KEY), 404, "no such endpoint");
        ollamaError(post("/api/nothing-here", "{}", KEY), 404, "no such endpoint");
    }

    @Test
    void aFullQueueAnswers429AndTheServerKeepsServing() throws Exception {
        String slow = "{\"model\":\"basalt-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell a long story.\"}],"
                + "\"max_tokens\":200,\"temperature\":1.0,\"seed\":1}";
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 12; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(slow)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (var f : all) {
            HttpResponse<String> r = f.get();
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) openAiError(r, 429, "too many requests");
        }
        assertThat(statuses).contains(200, 429).allMatch(s -> s == 200 || s == 429);

        HttpResponse<String> after = post("/v1/chat/completions", chat(TestServer.NAME, "hi"), KEY);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(after.body()).get("choices").get(0).get("message").get("content").isTextual()).isTrue();
    }
}
