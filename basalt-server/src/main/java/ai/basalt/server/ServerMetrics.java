package ai.basalt.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * What {@code GET /metrics} reports, in Prometheus' text format: requests by API route and status, prompt and
 * generated tokens, time to first token, and per loaded model the requests waiting and the sequences running.
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** One answered request, over {@code protocol} (HTTP/1.1, HTTP/2.0). */
    public void request(String method, String route, int status, String protocol) {
        Counter.builder("basalt_requests").description("HTTP requests answered")
                .tag("method", method).tag("route", route).tag("status", Integer.toString(status)).tag("protocol", protocol)
                .register(registry).increment();
    }

    /** Prompt tokens a request took from a kept cache instead of evaluating them. */
    public void prefixReused(String model, int tokens) {
        Counter.builder("basalt_prompt_tokens_reused").description("prompt tokens served from a kept cache (prefix reuse)")
                .tag("model", model).register(registry).increment(tokens);
    }

    /** One finished generation. */
    public void generation(String model, int promptTokens, int generatedTokens) {
        Counter.builder("basalt_prompt_tokens").description("prompt tokens evaluated").tag("model", model)
                .register(registry).increment(promptTokens);
        Counter.builder("basalt_generated_tokens").description("tokens generated").tag("model", model)
                .register(registry).increment(generatedTokens);
    }

    /** The time from a job's submission to its first text. */
    public void firstToken(String model, long nanos) {
        Timer.builder("basalt_time_to_first_token").description("submission to first streamed text").tag("model", model)
                .publishPercentiles(0.5, 0.9, 0.99).register(registry).record(Duration.ofNanos(nanos));
    }

    /** Gauges of a model's scheduler, registered when it loads. */
    void watch(ServedModel model) {
        Gauge.builder("basalt_queue_depth", model.scheduler(), Scheduler::queued).description("requests waiting")
                .tag("model", model.name()).register(registry);
        Gauge.builder("basalt_running_sequences", model.scheduler(), Scheduler::running)
                .description("sequences sharing each step").tag("model", model.name()).register(registry);
    }

    /** Gauges of an unloaded model go with it. */
    void unwatch(ServedModel model) {
        registry.find("basalt_queue_depth").tag("model", model.name()).meters().forEach(registry::remove);
        registry.find("basalt_running_sequences").tag("model", model.name()).meters().forEach(registry::remove);
    }

    /** Everything, in Prometheus' text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}
