package ai.basalt.server.bedrock;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.StopReason;
import ai.basalt.server.ApiException;
import ai.basalt.server.BasaltServer;
import ai.basalt.server.JobStream;
import ai.basalt.server.Json;
import ai.basalt.server.Prompts;
import ai.basalt.server.ServedModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.OutputStream;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Bedrock's {@code InvokeModel} and {@code InvokeModelWithResponseStream}, whose body is the model's own request
 * format. Every served model takes the text-completion body of Bedrock's Meta Llama models:
 *
 * <pre>
 *   {"prompt": "...", "max_gen_len": 64, "temperature": 0.5, "top_p": 0.9}
 *   → {"generation": "...", "prompt_token_count": 12, "generation_token_count": 64, "stop_reason": "length"}
 * </pre>
 *
 * plus {@code max_tokens} (Mistral's name for the budget), {@code top_k}, {@code stop} (a string or up to 4 strings)
 * and {@code seed}; any other field is refused. The prompt is taken as it is, not put through the chat template (a
 * Llama prompt on Bedrock carries its own {@code <|start_header_id|>...} markup); special-token text in it is read as
 * those tokens, and BOS is added unless the prompt starts with it. {@code stop_reason} is {@code stop} or
 * {@code length}. Without a budget the reply may run until the context is full; temperature defaults to 1.
 *
 * <p>The stream sends one {@code chunk} event per piece of text, whose payload is {@code {"bytes": BASE64}} around
 * the same JSON with {@code generation} the piece; the last chunk has the counts, the stop reason and
 * {@code amazon-bedrock-invocationMetrics}, as Bedrock's own last chunk does.
 */
final class NativeInvoke {
    private static final Set<String> FIELDS = Set.of("prompt", "max_gen_len", "max_tokens", "temperature", "top_p", "top_k",
            "stop", "seed");

    private final BasaltServer server;

    NativeInvoke(BasaltServer server) {
        this.server = server;
    }

    /** A native request checked and tokenized. */
    private record Invocation(ServedModel model, int[] prompt, GenerationParams params, Integer maxTokens) {}

    private Invocation parse(Context ctx) {
        String modelId = BedrockApi.modelId(ctx);
        String type = ctx.contentType();
        if (type != null && !type.startsWith("application/json")) {
            throw ApiException.badField("contentType", "content type '" + type + "' is not supported; send application/json");
        }
        ObjectNode body = Json.object(server.readBody(ctx));
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw ApiException.badField(field, "'" + field + "' is not a field of the Llama-style body this server takes: "
                        + "prompt, max_gen_len or max_tokens, temperature, top_p, top_k, stop, seed");
            }
        }
        String prompt = Json.requiredString(body, "prompt");
        String maxField = body.has("max_gen_len") ? "max_gen_len" : "max_tokens";
        Integer max = Prompts.maxTokens(Json.integer(body, maxField), maxField);
        List<String> stop = Json.strings(body, "stop");
        if (stop.size() > 4) throw ApiException.badField("stop", "'stop' holds " + stop.size() + " strings; at most 4");
        for (String s : stop) if (s.isEmpty()) throw ApiException.badField("stop", "'stop' strings must not be empty");
        var sampling = BedrockApi.sampling(Json.number(body, "temperature"), Json.number(body, "top_p"),
                Json.integer(body, "top_k"), Json.longValue(body, "seed"));
        ServedModel model = server.models().acquire(modelId);
        int[] tokens = model.tokenizeChat(prompt);
        return new Invocation(model, tokens, Prompts.textParams(sampling, stop), max);
    }

    void invoke(Context ctx) {
        Invocation in = parse(ctx);
        GenerationResult r = JobStream.start(in.model(), in.prompt(), in.params(), in.maxTokens()).await();
        ObjectNode body = Json.newObject();
        body.put("generation", r.text());
        body.put("prompt_token_count", in.prompt().length);
        body.put("generation_token_count", r.tokens().length);
        body.put("stop_reason", stopReason(r.stopReason()));
        ctx.header("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        ctx.header("X-Amzn-Bedrock-Input-Token-Count", Integer.toString(in.prompt().length));
        ctx.header("X-Amzn-Bedrock-Output-Token-Count", Integer.toString(r.tokens().length));
        ctx.json(body);
    }

    void invokeStream(Context ctx) {
        long start = System.nanoTime();
        Invocation in = parse(ctx);
        JobStream job = JobStream.start(in.model(), in.prompt(), in.params(), in.maxTokens());
        OutputStream out = BedrockApi.openStream(ctx, job);
        if (out == null) return;
        long firstByte = -1;
        while (true) {
            JobStream.Event e = job.take();
            if (e instanceof JobStream.Event.Text t) {
                if (firstByte < 0) firstByte = BedrockApi.millisSince(start);
                ObjectNode piece = Json.newObject();
                piece.put("generation", t.piece());
                piece.putNull("prompt_token_count");
                piece.putNull("generation_token_count");
                piece.putNull("stop_reason");
                if (!BedrockApi.send(out, chunk(piece))) {
                    job.cancel();
                    return;
                }
            } else if (e instanceof JobStream.Event.Done d) {
                GenerationResult r = d.result();
                ObjectNode last = Json.newObject();
                last.put("generation", "");
                last.put("prompt_token_count", in.prompt().length);
                last.put("generation_token_count", r.tokens().length);
                last.put("stop_reason", stopReason(r.stopReason()));
                ObjectNode metrics = last.putObject("amazon-bedrock-invocationMetrics");
                metrics.put("inputTokenCount", in.prompt().length);
                metrics.put("outputTokenCount", r.tokens().length);
                metrics.put("invocationLatency", BedrockApi.millisSince(start));
                metrics.put("firstByteLatency", firstByte < 0 ? BedrockApi.millisSince(start) : firstByte);
                BedrockApi.send(out, chunk(last));
                return;
            } else if (e instanceof JobStream.Event.Failed f) {
                BedrockApi.sendException(out, ApiException.from(f.error()));
                return;
            }
        }
    }

    /** A {@code chunk} event: the model's JSON, base64-encoded in {@code bytes}. */
    private static byte[] chunk(JsonNode payload) {
        ObjectNode c = Json.newObject();
        c.put("bytes", Base64.getEncoder().encodeToString(Json.bytes(payload)));
        return EventStreamEncoder.event("chunk", Json.bytes(c));
    }

    private static String stopReason(StopReason r) {
        return switch (r) {
            case END_OF_SEQUENCE, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }
}
