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
 * First each of the N requests is served alone (warm-up, and the reference): every timed reply must then equal its
 * request's alone reply, and any error ends the run. Prints one JSON object with every round, the medians, their
 * ratio and how many replies were checked.
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
            // warm-up (load and compile), and the reference: each request served alone
            Reply[] alone = new Reply[streams];
            for (int i = 0; i < streams; i++) alone[i] = run(http, url, name, i, 1, tokens, pool, null).replies()[0];
            Check check = new Check(alone);
            run(http, url, name, 0, streams, tokens, pool, check);
            double[] one = new double[rounds];
            double[] many = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    one[r] = run(http, url, name, 0, 1, tokens, pool, check).tokensPerSecond();
                    many[r] = run(http, url, name, 0, streams, tokens, pool, check).tokensPerSecond();
                } else {
                    many[r] = run(http, url, name, 0, streams, tokens, pool, check).tokensPerSecond();
                    one[r] = run(http, url, name, 0, 1, tokens, pool, check).tokensPerSecond();
                }
                System.err.printf(Locale.ROOT, "round %d: 1 stream %.1f tok/s, %d streams %.1f tok/s aggregate%n", r + 1, one[r], streams, many[r]);
            }
            double m1 = median(one), mn = median(many);
            Map<String, Object> report = new java.util.LinkedHashMap<>();
            report.put("model", model.toString());
            report.put("streams", streams);
            report.put("tokens_per_request", tokens);
            report.put("rounds", rounds);
            report.put("threads", ai.basalt.tensor.Parallel.threads());
            report.put("one_stream_tokens_per_second", m1);
            report.put("aggregate_tokens_per_second", mn);
            report.put("ratio", mn / m1);
            report.put("one_stream_runs", one);
            report.put("aggregate_runs", many);
            report.put("replies_checked", check.checked);
            report.put("errors", 0);
            report.put("replies_equal_alone", true);
            System.out.println(JSON.writeValueAsString(report));
        }
    }

    /** What every timed reply must be: request i's reply as served alone, text and completion tokens. */
    private static final class Check {
        final Reply[] alone;
        int checked;

        Check(Reply[] alone) {
            this.alone = alone;
        }

        void verify(int request, Reply reply) {
            if (!reply.equals(alone[request])) {
                throw new IllegalStateException("request " + request + "'s reply differs from the one it got alone:\n  alone: "
                        + alone[request] + "\n  now:   " + reply);
            }
            checked++;
        }
    }

    private record Reply(String text, long completionTokens) {}

    private record Run(double tokensPerSecond, Reply[] replies) {}

    /**
     * Requests first .. first + n − 1 at once, streamed; completion tokens per second of wall time. Any error status or
     * failed stream ends the benchmark; with a check, every reply must equal its request's alone.
     */
    private static Run run(HttpClient http, String url, String model, int first, int n, int tokens, ExecutorService pool,
            Check check) throws Exception {
        List<CompletableFuture<Reply>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = first; i < first + n; i++) {
            String body = JSON.writeValueAsString(Map.of("model", model, "stream", true, "max_tokens", tokens,
                    "temperature", 0.0, "seed", 1000 + i, "stream_options", Map.of("include_usage", true),
                    "messages", List.of(Map.of("role", "user", "content", "Tell me a long story, number " + i + "."))));
            done.add(CompletableFuture.supplyAsync(() -> stream(http, url, body), pool));
        }
        long total = 0;
        Reply[] replies = new Reply[n];
        for (int i = 0; i < n; i++) {
            replies[i] = done.get(i).get();
            total += replies[i].completionTokens();
        }
        double perSecond = total / ((System.nanoTime() - start) / 1e9);
        if (check != null) for (int i = 0; i < n; i++) check.verify(first + i, replies[i]);
        return new Run(perSecond, replies);
    }

    private static Reply stream(HttpClient http, String url, String body) {
        try {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) throw new IllegalStateException("status " + r.statusCode());
            long tokens = 0;
            StringBuilder text = new StringBuilder();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: {")) continue;
                    JsonNode chunk = JSON.readTree(line.substring(6));
                    if (chunk.has("error")) throw new IllegalStateException("stream error: " + chunk.get("error"));
                    for (JsonNode choice : chunk.path("choices")) text.append(choice.path("delta").path("content").asText(""));
                    JsonNode usage = chunk.get("usage");
                    if (usage != null && !usage.isNull()) tokens = usage.get("completion_tokens").asLong();
                }
            }
            return new Reply(text.toString(), tokens);
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
