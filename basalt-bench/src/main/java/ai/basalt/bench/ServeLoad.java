package ai.basalt.bench;

import ai.basalt.server.BasaltServer;
import ai.basalt.server.ServerOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Concurrent streaming clients against an in-process server (issue 6's throughput check): one stream alone, then N
 * at once, alternating for R rounds; each request streams {@code --tokens} tokens through
 * {@code /v1/chat/completions} with usage included, and tokens per second are completion tokens over wall time.
 * Prints one JSON object with every round, the medians and their ratio.
 *
 * <pre>java -cp basalt-bench/target/benchmarks.jar ai.basalt.bench.ServeLoad --model M [--streams 8] [--tokens 64] [--rounds 3] [--threads 2]</pre>
 */
public final class ServeLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        Path model = Path.of(a.getOrDefault("model", "models/basalt-mini/basalt-mini.gguf"));
        int streams = Integer.parseInt(a.getOrDefault("streams", "8"));
        int tokens = Integer.parseInt(a.getOrDefault("tokens", "64"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        if (a.containsKey("threads")) ai.basalt.tensor.Parallel.setThreads(Integer.parseInt(a.get("threads")));
        String name = "m";
        ServerOptions options = ServerOptions.of(Map.of(name, model)).withPort(0).withLimits(1 << 20, 256, 1024)
                .withBatchSize(Math.max(streams, 1));
        try (BasaltServer server = BasaltServer.start(options);
                ExecutorService pool = Executors.newFixedThreadPool(streams)) {
            HttpClient http = HttpClient.newHttpClient();
            String url = "http://127.0.0.1:" + server.port() + "/v1/chat/completions";
            run(http, url, name, 1, tokens, pool); // warm-up: load and compile
            run(http, url, name, streams, tokens, pool);
            double[] one = new double[rounds];
            double[] many = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    one[r] = run(http, url, name, 1, tokens, pool);
                    many[r] = run(http, url, name, streams, tokens, pool);
                } else {
                    many[r] = run(http, url, name, streams, tokens, pool);
                    one[r] = run(http, url, name, 1, tokens, pool);
                }
                System.err.printf(Locale.ROOT, "round %d: 1 stream %.1f tok/s, %d streams %.1f tok/s aggregate%n", r + 1, one[r], streams, many[r]);
            }
            double m1 = median(one), mn = median(many);
            System.out.println(JSON.writeValueAsString(Map.of("model", model.toString(), "streams", streams,
                    "tokens_per_request", tokens, "rounds", rounds, "threads", ai.basalt.tensor.Parallel.threads(),
                    "one_stream_tokens_per_second", m1, "aggregate_tokens_per_second", mn, "ratio", mn / m1,
                    "one_stream_runs", one, "aggregate_runs", many)));
        }
    }

    /** N concurrent streaming requests; completion tokens per second of wall time. */
    private static double run(HttpClient http, String url, String model, int n, int tokens, ExecutorService pool) throws Exception {
        List<CompletableFuture<Long>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String body = JSON.writeValueAsString(Map.of("model", model, "stream", true, "max_tokens", tokens,
                    "temperature", 0.0, "seed", 1000 + i, "stream_options", Map.of("include_usage", true),
                    "messages", List.of(Map.of("role", "user", "content", "Tell me a long story, number " + i + "."))));
            done.add(CompletableFuture.supplyAsync(() -> stream(http, url, body), pool));
        }
        long total = 0;
        for (var f : done) total += f.get();
        return total / ((System.nanoTime() - start) / 1e9);
    }

    private static long stream(HttpClient http, String url, String body) {
        try {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) throw new IllegalStateException("status " + r.statusCode());
            long tokens = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: {")) continue;
                    JsonNode usage = JSON.readTree(line.substring(6)).get("usage");
                    if (usage != null && !usage.isNull()) tokens = usage.get("completion_tokens").asLong();
                }
            }
            return tokens;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
