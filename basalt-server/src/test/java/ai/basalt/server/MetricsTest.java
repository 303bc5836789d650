package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: Prometheus' text format, counting what the server did. */
class MetricsTest {

    @Test
    void countsRequestsTokensAndTimeToFirstToken() throws Exception {
        try (BasaltServer server = TestServer.start()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"basalt-mini\",\"max_tokens\":5,\"temperature\":0,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(200);
            int completion = Json.MAPPER.readTree(chat.body()).get("usage").get("completion_tokens").asInt();
            http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models/nope")).GET().build(), HttpResponse.BodyHandlers.ofString());

            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String text = m.body();
            assertThat(text).contains("basalt_requests_total{method=\"POST\",protocol=\"HTTP/1.1\",route=\"/v1/chat/completions\",status=\"200\"} 1.0");
            assertThat(text).contains("basalt_requests_total{method=\"GET\",protocol=\"HTTP/1.1\",route=\"/v1/models/{model}\",status=\"404\"} 1.0");
            assertThat(text).contains("basalt_generated_tokens_total{model=\"basalt-mini\"} " + completion + ".0");
            assertThat(text).contains("basalt_time_to_first_token_seconds_count{model=\"basalt-mini\"} 1");
            assertThat(text).contains("basalt_queue_depth{model=\"basalt-mini\"} 0.0");
        }
    }
}
