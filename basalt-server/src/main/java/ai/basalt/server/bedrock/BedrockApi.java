package ai.basalt.server.bedrock;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.StopReason;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.sampling.SamplingParams;
import ai.basalt.server.ApiDialect;
import ai.basalt.server.ApiException;
import ai.basalt.server.BasaltServer;
import ai.basalt.server.HeldText;
import ai.basalt.server.JobStream;
import ai.basalt.server.Json;
import ai.basalt.server.Prompts;
import ai.basalt.server.ServedModel;
import ai.basalt.server.ToolCalls;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Amazon Bedrock Runtime API: {@code POST /model/{modelId}/converse}, {@code /converse-stream} (AWS event stream
 * frames), {@code /invoke} and {@code /invoke-with-response-stream} ({@link NativeInvoke}). The model id arrives
 * percent-encoded and names a model the server offers ({@code basalt-mini}), never a path.
 *
 * <p>Converse takes {@code toolConfig} ({@link BedrockTools}): a forced tool ({@code any}, or {@code tool} by name) is
 * decoded under the tools' input schemas and answered as a {@code toolUse} block with stop reason {@code tool_use}; with
 * {@code auto} a reply that is exactly a call is answered so. ConverseStream sends a call as {@code contentBlockStart}
 * (id and name) and one {@code contentBlockDelta} holding the whole input's JSON text, once the reply is known to be a
 * call. {@code outputConfig}'s JSON schema text format holds the reply to that schema.
 *
 * <p>Errors carry Bedrock's shape: the exception's name in the {@code x-amzn-ErrorType} header, which is what the AWS
 * SDKs read to pick the exception class, and {@code {"message": "..."}} as the body.
 *
 * <p>Authentication: SigV4 signatures are not checked. Where the server has API keys, a request must carry one as a
 * Bedrock API key ({@code Authorization: Bearer KEY}); the AWS SDKs send it when {@code AWS_BEARER_TOKEN_BEDROCK} is
 * set, or with a token provider and the {@code httpBearerAuth} scheme preferred. A SigV4-signed request then gets 401
 * ({@code AccessDeniedException}).
 */
public final class BedrockApi {
    /** Bedrock's error shape. */
    public static final ApiDialect DIALECT = (ctx, e) -> {
        String message = e.getMessage();
        if (e.kind() == ApiException.Kind.UNAUTHORIZED) {
            message += "; Bedrock clients send a Bedrock API key (AWS SDKs: AWS_BEARER_TOKEN_BEDROCK=KEY), SigV4 signatures are not accepted";
        }
        ObjectNode body = Json.newObject();
        body.put("message", message);
        ctx.header("x-amzn-ErrorType", errorType(e.kind()));
        ctx.header("x-amzn-RequestId", UUID.randomUUID().toString());
        ctx.status(e.status()).contentType("application/json").result(Json.bytes(body));
    };

    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private final BasaltServer server;

    public BedrockApi(BasaltServer server) {
        this.server = server;
    }

    public void register(RoutesConfig routes) {
        NativeInvoke invoke = new NativeInvoke(server);
        routes.post("/model/{modelId}/converse", this::converse);
        routes.post("/model/{modelId}/converse-stream", this::converseStream);
        routes.post("/model/{modelId}/invoke", invoke::invoke);
        routes.post("/model/{modelId}/invoke-with-response-stream", invoke::invokeStream);
        FoundationModels foundation = new FoundationModels(server);
        routes.get("/foundation-models", foundation::list);
        routes.get("/foundation-models/{modelIdentifier}", foundation::get);
    }

    /** The exception Bedrock names for an error of this kind. */
    static String errorType(ApiException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST, TOO_LARGE -> "ValidationException";
            case UNAUTHORIZED -> "AccessDeniedException";
            case NOT_FOUND -> "ResourceNotFoundException";
            case TOO_MANY_REQUESTS -> "ThrottlingException";
            case UNAVAILABLE -> "ServiceUnavailableException";
            case INTERNAL -> "InternalServerException";
        };
    }

    /**
     * A converse request checked and tokenized.
     *
     * @param tools   the tools on offer ({@link ToolCalls#NONE} when none)
     * @param grammar what the reply follows: the allowed calls when a tool use is forced, {@code outputConfig}'s schema,
     *                or null
     */
    private record Converse(ServedModel model, int[] prompt, GenerationParams params, Integer maxTokens, boolean callerStops,
            ToolCalls tools, JsonGrammar grammar) {}

    private Converse parse(Context ctx) {
        String modelId = modelId(ctx);
        ObjectNode body = Json.object(server.readBody(ctx));
        for (String unsupported : List.of("guardrailConfig", "promptVariables")) {
            JsonNode v = body.get(unsupported);
            if (v != null && !v.isNull()) throw ApiException.badField(unsupported, "'" + unsupported + "' is not supported by this server yet");
        }
        List<ChatMessage> messages = messages(body);
        ToolCalls tools = BedrockTools.of(body);
        JsonGrammar output = BedrockTools.outputGrammar(body);
        if (output != null && tools.offered()) {
            throw ApiException.badField("outputConfig", "'outputConfig' beside 'toolConfig' is not supported by this server; "
                    + "for structured output with tools, force a tool whose inputSchema is the shape wanted");
        }
        JsonGrammar grammar = tools.forced() ? tools.grammarOrNull() : output;
        JsonNode config = Json.objectField(body, "inferenceConfig");
        if (config == null) config = Json.newObject();
        Integer max = Prompts.maxTokens(Json.integer(config, "maxTokens"), "inferenceConfig.maxTokens");
        List<String> stops = Json.strings(config, "stopSequences");
        for (String s : stops) if (s.isEmpty()) throw ApiException.badField("inferenceConfig.stopSequences", "stop sequences must not be empty");
        SamplingParams sampling = sampling(Json.number(config, "temperature"), Json.number(config, "topP"), null, null);
        ServedModel model = server.models().acquire(modelId);
        int[] prompt = tools.prompt(model, messages);
        return new Converse(model, prompt, Prompts.chatParams(model, sampling, stops), max, !stops.isEmpty(), tools, grammar);
    }

    /**
     * The system blocks as one system message, then the turns; roles checked, text blocks, and tool use and results
     * ({@link BedrockTools#messages}).
     */
    private static List<ChatMessage> messages(JsonNode body) {
        List<ChatMessage> messages = new ArrayList<>();
        JsonNode system = Json.array(body, "system");
        if (system != null && !system.isEmpty()) messages.add(ChatMessage.system(text(system, "system")));
        JsonNode array = Json.array(body, "messages");
        if (array == null) throw ApiException.badField("messages", "'messages' is required");
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.badField(where, "'" + where + "' must be an object");
            String role = Json.requiredString(m, "role");
            if (!role.equals("user") && !role.equals("assistant")) {
                throw ApiException.badField(where + ".role", "'" + where + ".role' '" + role + "' is not one of user, assistant");
            }
            JsonNode content = Json.array(m, "content");
            if (content == null) throw ApiException.badField(where + ".content", "'" + where + ".content' is required");
            messages.addAll(BedrockTools.messages(role, content, where + ".content"));
        }
        return messages;
    }

    /** Sampling settings, a bad one named by its Bedrock field. */
    static SamplingParams sampling(Double temperature, Double topP, Integer topK, Long seed) {
        try {
            return Prompts.sampling(temperature, topP, topK, null, null, seed, 1.0);
        } catch (ApiException e) {
            throw ApiException.badField(e.param(), "invalid inference configuration: " + e.getMessage());
        }
    }

    /** The text of content blocks (or system blocks), joined by newlines; any other kind of block is refused. */
    private static String text(JsonNode blocks, String where) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            String at = where + "[" + i + "]";
            if (!block.isObject()) throw ApiException.badField(at, "'" + at + "' must be an object");
            if (block.has("cachePoint")) continue; // a caching hint, nothing to render
            if (!block.has("text")) {
                String kind = block.fieldNames().hasNext() ? block.fieldNames().next() : "(empty)";
                throw ApiException.badField(at, "'" + at + "' is a '" + kind + "' block; only 'text' blocks are supported yet");
            }
            if (!out.isEmpty()) out.append('\n');
            out.append(Json.requiredString(block, "text"));
        }
        return out.toString();
    }

    private void converse(Context ctx) {
        long start = System.nanoTime();
        Converse c = parse(ctx);
        GenerationResult r = JobStream.start(c.model(), c.prompt(), c.params(), c.maxTokens(), c.grammar()).await();
        ObjectNode body = Json.newObject();
        ObjectNode message = body.putObject("output").putObject("message");
        message.put("role", "assistant");
        ObjectNode call = c.tools().parse(r.text());
        if (call != null) {
            message.putArray("content").addObject().set("toolUse", BedrockTools.toolUse(call));
            body.put("stopReason", "tool_use");
        } else {
            message.putArray("content").addObject().put("text", r.text());
            body.put("stopReason", stopReason(r.stopReason(), c.callerStops()));
        }
        body.set("usage", usage(c.prompt().length, r.tokens().length));
        body.putObject("metrics").put("latencyMs", millisSince(start));
        ctx.header("x-amzn-RequestId", UUID.randomUUID().toString());
        ctx.json(body);
    }

    private void converseStream(Context ctx) {
        long start = System.nanoTime();
        Converse c = parse(ctx);
        // queued before the 200 is sent, so that a full queue or an overlong prompt still gets its status
        JobStream job = JobStream.start(c.model(), c.prompt(), c.params(), c.maxTokens(), c.grammar());
        OutputStream out = openStream(ctx, job);
        if (out == null) return;
        ObjectNode startEvent = Json.newObject().put("role", "assistant");
        if (!send(out, EventStreamEncoder.event("messageStart", Json.bytes(startEvent)))) {
            job.cancel();
            return;
        }
        HeldText hold = new HeldText(c.tools());
        while (true) {
            JobStream.Event e = job.take();
            if (e instanceof JobStream.Event.Text t) {
                String piece = hold.pass(t.piece());
                if (piece.isEmpty()) continue;
                if (!send(out, textDelta(piece))) {
                    job.cancel();
                    return;
                }
            } else if (e instanceof JobStream.Event.Done d) {
                GenerationResult r = d.result();
                String reason = stopReason(r.stopReason(), c.callerStops());
                String held = hold.rest();
                if (!held.isEmpty()) {
                    ObjectNode call = c.tools().parse(held);
                    boolean sent;
                    if (call != null) {
                        ObjectNode use = BedrockTools.toolUse(call);
                        ObjectNode blockStart = Json.newObject();
                        blockStart.putObject("start").putObject("toolUse").put("toolUseId", use.get("toolUseId").asText())
                                .put("name", use.get("name").asText());
                        blockStart.put("contentBlockIndex", 0);
                        ObjectNode delta = Json.newObject();
                        delta.putObject("delta").putObject("toolUse").put("input", use.get("input").toString());
                        delta.put("contentBlockIndex", 0);
                        sent = send(out, EventStreamEncoder.event("contentBlockStart", Json.bytes(blockStart)))
                                && send(out, EventStreamEncoder.event("contentBlockDelta", Json.bytes(delta)));
                        reason = "tool_use";
                    } else {
                        sent = send(out, textDelta(held));
                    }
                    if (!sent) return;
                }
                ObjectNode metadata = Json.newObject();
                metadata.set("usage", usage(c.prompt().length, r.tokens().length));
                metadata.putObject("metrics").put("latencyMs", millisSince(start));
                boolean sent = send(out, EventStreamEncoder.event("contentBlockStop", Json.bytes(Json.newObject().put("contentBlockIndex", 0))))
                        && send(out, EventStreamEncoder.event("messageStop", Json.bytes(Json.newObject().put("stopReason", reason))));
                if (sent) send(out, EventStreamEncoder.event("metadata", Json.bytes(metadata)));
                return;
            } else if (e instanceof JobStream.Event.Failed f) {
                sendException(out, ApiException.from(f.error()));
                return;
            }
        }
    }

    private static byte[] textDelta(String piece) {
        ObjectNode delta = Json.newObject().put("contentBlockIndex", 0);
        delta.putObject("delta").put("text", piece);
        return EventStreamEncoder.event("contentBlockDelta", Json.bytes(delta));
    }

    /**
     * The path's {@code modelId}, which the client percent-encoded ({@code us.meta.llama3-2-1b-instruct-v1%3A0}) and
     * Javalin has decoded; the model pool then checks it as a name, never a path ({@code ..%2F..%2Fetc} is a 400).
     */
    static String modelId(Context ctx) {
        return ctx.pathParam("modelId");
    }

    /** Starts a 200 event stream; null (and the job cancelled) when the client has already gone. */
    static OutputStream openStream(Context ctx, JobStream job) {
        ctx.status(200).contentType(EVENT_STREAM);
        ctx.header("x-amzn-RequestId", UUID.randomUUID().toString());
        try {
            return ctx.res().getOutputStream();
        } catch (IOException e) {
            job.cancel();
            return null;
        }
    }

    /** A failure after the 200: an exception message, named as the stream's union names its members. */
    static void sendException(OutputStream out, ApiException e) {
        String type = switch (e.kind()) {
            case BAD_REQUEST, TOO_LARGE -> "validationException";
            case TOO_MANY_REQUESTS -> "throttlingException";
            case UNAVAILABLE -> "serviceUnavailableException";
            default -> "internalServerException";
        };
        send(out, EventStreamEncoder.exception(type, Json.bytes(Json.newObject().put("message", e.getMessage()))));
    }

    /** Writes one message; false when the client has gone. */
    static boolean send(OutputStream out, byte[] message) {
        try {
            out.write(message);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Bedrock's stop reason. A stop string that ended the reply is {@code stop_sequence} when the request gave stop
     * sequences, else it was the chat template's own end of turn ({@code end_turn}); the engine does not say which
     * string matched, so a template stop in a request that also gave stop sequences reads as {@code stop_sequence}.
     */
    static String stopReason(StopReason r, boolean callerStops) {
        return switch (r) {
            case END_OF_SEQUENCE -> "end_turn";
            case STOP_STRING -> callerStops ? "stop_sequence" : "end_turn";
            case MAX_TOKENS, CONTEXT_FULL -> "max_tokens";
        };
    }

    private static ObjectNode usage(int input, int output) {
        ObjectNode u = Json.newObject();
        u.put("inputTokens", input);
        u.put("outputTokens", output);
        u.put("totalTokens", input + output);
        return u;
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
