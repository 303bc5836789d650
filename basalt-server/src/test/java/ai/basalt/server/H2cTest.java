package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 over cleartext beside HTTP/1.1 on the same port: the JDK's client upgrades an {@code http://} connection to
 * h2c, and a streamed chat comes back whole over it.
 */
class H2cTest extends OpenAiServerTest {

    @Test
    void aClientAskingForHttp2GetsItAndAStreamedReply() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(models.body()).contains(TestServer.NAME);

            String body = "{\"model\": \"" + TestServer.NAME + "\", \"stream\": true, \"temperature\": 0, \"max_tokens\": 16,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"Tell me about the sea.\"}]}";
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(chat.statusCode()).isEqualTo(200);
            StringBuilder text = new StringBuilder();
            for (String line : chat.body().split("\n")) {
                if (!line.startsWith("data: {")) continue;
                var delta = Json.object(line.substring(6).getBytes()).get("choices").get(0).get("delta");
                if (delta != null && delta.has("content")) text.append(delta.get("content").asText());
            }
            assertThat(text.toString()).isEqualTo(TestServer.greedyChatReply("Tell me about the sea.", 16));
            assertThat(chat.body()).endsWith("data: [DONE]\n\n");
        }
        try (HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = http1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }
}
