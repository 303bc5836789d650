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
 * <p>Embeddings take the bodies of Bedrock's two embedding families, told apart by their fields, for any served model
 * that gives embeddings ({@link ServedModel#embed}: mean-pooled, unit length):
 *
 * <pre>
 *   Amazon Titan Text Embeddings:  {"inputText": "...", "dimensions": D, "normalize": true, "embeddingTypes": ["float"]}
 *     → {"embedding": [...], "inputTextTokenCount": 5, "embeddingsByType": {"float": [...]}}
 *   Cohere Embed:                  {"texts": ["...", ...], "input_type": "search_document", "embedding_types": ["float"]}
 *     → {"id": "...", "embeddings": [[...], ...], "texts": [...], "response_type": "embeddings_floats"}
 *       (with embedding_types: "embeddings": {"float": [[...]]}, "response_type": "embeddings_by_type")
 * </pre>
 *
 * {@code dimensions} must be the model's width, {@code normalize} true, the types {@code float}; Cohere's
 * {@code input_type} is one of its four and is not used (the model embeds every text alike), and at most 96 texts
 * come in one call, with {@code truncate} NONE (a text over the context is refused). Embeddings do not stream.
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

    /** The request body, as JSON. */
    private ObjectNode body(Context ctx) {
        String type = ctx.contentType();
        if (type != null && !type.startsWith("application/json")) {
            throw ApiException.badField("contentType", "content type '" + type + "' is not supported; send application/json");
        }
        return Json.object(server.readBody(ctx));
    }

    /** Whether {@code body} is one of the embedding families' requests. */
    private static boolean embeddingRequest(ObjectNode body) {
        return body.has("inputText") || body.has("texts");
    }

    private Invocation parse(Context ctx, ObjectNode body) {
        String modelId = BedrockApi.modelId(ctx);
        onlyFields(body, FIELDS, "Llama-style", "prompt, max_gen_len or max_tokens, temperature, top_p, top_k, stop, seed");
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
        ObjectNode request = body(ctx);
        if (request.has("inputText")) {
            titanEmbedding(ctx, request);
            return;
        }
        if (request.has("texts")) {
            cohereEmbeddings(ctx, request);
            return;
        }
        Invocation in = parse(ctx, request);
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
        ObjectNode request = body(ctx);
        if (embeddingRequest(request)) {
            throw ApiException.badField("body", "embedding requests do not stream; call InvokeModel");
        }
        Invocation in = parse(ctx, request);
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

    private static final Set<String> TITAN_FIELDS = Set.of("inputText", "dimensions", "normalize", "embeddingTypes");
    private static final Set<String> COHERE_FIELDS = Set.of("texts", "input_type", "truncate", "embedding_types");
    private static final Set<String> COHERE_INPUT_TYPES = Set.of("search_document", "search_query", "classification",
            "clustering");
    private static final int MAX_COHERE_TEXTS = 96;

    private void titanEmbedding(Context ctx, ObjectNode body) {
        onlyFields(body, TITAN_FIELDS, "Titan embedding", "dimensions, embeddingTypes, inputText, normalize");
        String text = Json.requiredString(body, "inputText");
        Boolean normalize = Json.bool(body, "normalize");
        if (normalize != null && !normalize) {
            throw ApiException.badField("normalize", "'normalize': false is not supported: this server's embeddings are unit length");
        }
        floatsOnly(body, "embeddingTypes");
        ServedModel model = server.models().acquire(BedrockApi.modelId(ctx));
        ServedModel.Embedding e = model.embed(text);
        Integer dimensions = Json.integer(body, "dimensions");
        if (dimensions != null && dimensions != e.vector().length) {
            throw ApiException.badField("dimensions", "'dimensions' " + dimensions + ": model '" + model.name() + "' gives "
                    + e.vector().length + "-dimensional embeddings");
        }
        ObjectNode out = Json.newObject();
        putFloats(out.putArray("embedding"), e.vector());
        out.put("inputTextTokenCount", e.tokens());
        putFloats(out.putObject("embeddingsByType").putArray("float"), e.vector());
        countHeaders(ctx, e.tokens());
        ctx.json(out);
    }

    private void cohereEmbeddings(Context ctx, ObjectNode body) {
        onlyFields(body, COHERE_FIELDS, "Cohere embedding", "embedding_types, input_type, texts, truncate");
        List<String> texts = Json.strings(body, "texts");
        if (texts.isEmpty() || texts.size() > MAX_COHERE_TEXTS) {
            throw ApiException.badField("texts", "'texts' holds " + texts.size() + " strings; 1 to " + MAX_COHERE_TEXTS + " are taken");
        }
        String inputType = Json.string(body, "input_type");
        if (inputType == null || !COHERE_INPUT_TYPES.contains(inputType)) {
            throw ApiException.badField("input_type", "'input_type' must be one of search_document, search_query, "
                    + "classification, clustering");
        }
        String truncate = Json.string(body, "truncate");
        if (truncate != null && !truncate.equals("NONE")) {
            throw ApiException.badField("truncate", "'truncate' " + truncate + " is not supported: only NONE (a text over "
                    + "the context is refused)");
        }
        boolean byType = body.has("embedding_types");
        floatsOnly(body, "embedding_types");
        ServedModel model = server.models().acquire(BedrockApi.modelId(ctx));
        ObjectNode out = Json.newObject();
        out.put("id", java.util.UUID.randomUUID().toString());
        var vectors = byType ? out.putObject("embeddings").putArray("float") : out.putArray("embeddings");
        int tokens = 0;
        for (String text : texts) {
            ServedModel.Embedding e = model.embed(text);
            tokens += e.tokens();
            putFloats(vectors.addArray(), e.vector());
        }
        var echoed = out.putArray("texts");
        texts.forEach(echoed::add);
        out.put("response_type", byType ? "embeddings_by_type" : "embeddings_floats");
        countHeaders(ctx, tokens);
        ctx.json(out);
    }

    /** Refuses the first field of {@code body} outside {@code fields}, naming the body's kind and what it takes. */
    private static void onlyFields(ObjectNode body, Set<String> fields, String what, String accepted) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!fields.contains(field)) {
                throw ApiException.badField(field, "'" + field + "' is not a field of the " + what + " body this server "
                        + "takes: " + accepted);
            }
        }
    }

    /** A list of embedding types, if given, must be exactly ["float"]. */
    private static void floatsOnly(ObjectNode body, String field) {
        if (!body.has(field)) return;
        List<String> types = Json.strings(body, field);
        if (!types.equals(List.of("float"))) {
            throw ApiException.badField(field, "'" + field + "' " + types + " is not supported: only [\"float\"]");
        }
    }

    private static void putFloats(com.fasterxml.jackson.databind.node.ArrayNode array, float[] v) {
        for (float f : v) array.add(f);
    }

    private static void countHeaders(Context ctx, int inputTokens) {
        ctx.header("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        ctx.header("X-Amzn-Bedrock-Input-Token-Count", Integer.toString(inputTokens));
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
