package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Models loaded on first use and unloaded least-recently-used under the memory budget; clients that go away. */
class LifecycleTest {

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":4,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    }

    @Test
    void aSecondModelPastTheBudgetUnloadsTheIdleFirst() throws Exception {
        long size = Files.size(TestServer.MODEL);
        Map<String, java.nio.file.Path> models = new LinkedHashMap<>();
        models.put("first", TestServer.MODEL);
        models.put("second", TestServer.MODEL);
        try (BasaltServer server = TestServer.start(ServerOptions.of(models).withPort(0).withLimits(64 * 1024, 8, 128)
                .withMemoryBudget(size + size / 2))) {
            HttpClient http = HttpClient.newHttpClient();
            String url = "http://127.0.0.1:" + server.port() + "/v1/chat/completions";
            assertThat(server.models().loaded()).isEmpty(); // nothing loads before it is asked for
            for (String name : new String[] {"first", "second", "first"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString(chat(name))).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(server.models().loaded()).extracting(ServedModel::name).containsExactly(name);
            }
        }
    }

    @Test
    void aStreamWhoseClientLeavesIsCancelled() throws Exception {
        try (BasaltServer server = TestServer.start()) {
            HttpClient http = HttpClient.newHttpClient();
            String body = "{\"model\":\"basalt-mini\",\"max_tokens\":250,\"temperature\":1.0,\"seed\":3,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell a long story.\"}]}";
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            r.body().read(new byte[64]); // the first event
            r.body().close(); // the client goes away mid-stream
            Scheduler scheduler = server.models().loadedModel(TestServer.NAME).orElseThrow().scheduler();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!scheduler.idle() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(scheduler.idle()).as("the scheduler dropped the abandoned sequence").isTrue();
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).doesNotContain("basalt_generated_tokens_total{model=\"basalt-mini\"} 250.0");
        }
    }
}
