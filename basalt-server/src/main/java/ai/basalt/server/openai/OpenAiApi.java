package ai.basalt.server.openai;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.StopReason;
import ai.basalt.generate.TokenLogprob;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.JsonSchemaException;
import ai.basalt.generate.constrain.TokenVocabulary;
import ai.basalt.generate.sampling.SamplingParams;
import ai.basalt.server.ApiDialect;
import ai.basalt.server.ApiException;
import ai.basalt.server.BasaltServer;
import ai.basalt.server.HeldText;
import ai.basalt.server.JobStream;
import ai.basalt.server.Json;
import ai.basalt.server.ModelPool;
import ai.basalt.server.Prompts;
import ai.basalt.server.ServedModel;
import ai.basalt.server.ToolCalls;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The OpenAI API: {@code GET /v1/models}, {@code POST /v1/chat/completions} and {@code POST /v1/completions}, with
 * server-sent-event streaming ending in {@code data: [DONE]}, and errors as {@code {"error": {"message", "type",
 * "param", "code"}}}.
 */
public final class OpenAiApi {
    /** OpenAI's error shape. */
    public static final ApiDialect DIALECT = (ctx, e) -> {
        ObjectNode error = Json.newObject();
        error.put("message", e.getMessage());
        error.put("type", switch (e.kind()) {
            case UNAUTHORIZED -> "authentication_error";
            case TOO_MANY_REQUESTS -> "rate_limit_error";
            case INTERNAL, UNAVAILABLE -> "server_error";
            default -> "invalid_request_error";
        });
        error.put("param", e.param());
        error.put("code", e.code());
        ObjectNode body = Json.newObject();
        body.set("error", error);
        ctx.status(e.status()).contentType("application/json").result(Json.bytes(body));
    };

    /** The most choices one request may ask for. */
    static final int MAX_CHOICES = 8;

    private final BasaltServer server;

    public OpenAiApi(BasaltServer server) {
        this.server = server;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/models", this::models);
        routes.get("/v1/models/{model}", this::model);
        routes.post("/v1/chat/completions", this::chatCompletions);
        routes.post("/v1/completions", this::completions);
        routes.post("/v1/embeddings", this::embeddings);
    }

    private void models(Context ctx) {
        ArrayNode data = Json.MAPPER.createArrayNode();
        for (ModelPool.Offer o : server.models().offers()) data.add(modelObject(o));
        ObjectNode body = Json.newObject();
        body.put("object", "list");
        body.set("data", data);
        ctx.json(body);
    }

    private void model(Context ctx) {
        ctx.json(modelObject(server.models().find(ctx.pathParam("model"))));
    }

    private static ObjectNode modelObject(ModelPool.Offer o) {
        ObjectNode m = Json.newObject();
        m.put("id", o.name());
        m.put("object", "model");
        m.put("created", o.modifiedMillis() / 1000);
        m.put("owned_by", "basalt");
        return m;
    }

    /**
     * The settings both endpoints share.
     *
     * @param logprobs alternatives to report with each token's log-probability, or −1: no log-probabilities
     */
    private record Settings(SamplingParams sampling, Integer maxTokens, List<String> stop, int n, boolean stream,
            boolean includeUsage, JsonGrammar grammar, int logprobs) {
        Settings withGrammar(JsonGrammar g) {
            return new Settings(sampling, maxTokens, stop, n, stream, includeUsage, g, logprobs);
        }
    }

    /** OpenAI's limits: chat reports up to 20 alternatives per token, the legacy completions endpoint up to 5. */
    private static final int MAX_TOP_LOGPROBS_CHAT = 20;
    private static final int MAX_LOGPROBS_COMPLETIONS = 5;

    private static Settings settings(JsonNode body, boolean chat) {
        for (String unsupported : List.of("functions", "function_call", "suffix", "best_of")) {
            JsonNode v = body.get(unsupported);
            if (v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean())) {
                throw ApiException.badField(unsupported, "'" + unsupported + "' is not supported by this server yet");
            }
        }
        JsonGrammar grammar = responseFormat(Json.objectField(body, "response_format"));
        Integer max = Json.integer(body, "max_completion_tokens");
        String maxField = "max_completion_tokens";
        if (max == null) {
            max = Json.integer(body, "max_tokens");
            maxField = "max_tokens";
        }
        if (max == null && !chat) max = 16; // the completions endpoint's documented default
        max = Prompts.maxTokens(max, maxField);
        List<String> stop = Json.strings(body, "stop");
        if (stop.size() > 4) throw ApiException.badField("stop", "'stop' holds " + stop.size() + " strings; at most 4");
        for (String s : stop) if (s.isEmpty()) throw ApiException.badField("stop", "'stop' strings must not be empty");
        Integer n = Json.integer(body, "n");
        int choices = n == null ? 1 : n;
        if (choices < 1 || choices > MAX_CHOICES) throw ApiException.badField("n", "'n' " + choices + " must be between 1 and " + MAX_CHOICES);
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            Double v = Json.number(body, penalty);
            if (v != null && !(v >= -2 && v <= 2)) throw ApiException.badField(penalty, "'" + penalty + "' " + v + " must be between -2 and 2");
        }
        SamplingParams sampling = Prompts.sampling(Json.number(body, "temperature"), Json.number(body, "top_p"), null, null, null,
                Json.longValue(body, "seed"), 1.0);
        Boolean stream = Json.bool(body, "stream");
        JsonNode streamOptions = Json.objectField(body, "stream_options");
        Boolean usage = streamOptions == null ? null : Json.bool(streamOptions, "include_usage");
        return new Settings(sampling, max, stop, choices, stream != null && stream, usage != null && usage, grammar,
                chat ? chatLogprobs(body) : completionLogprobs(body));
    }

    /** Chat's {@code logprobs} (a boolean) and {@code top_logprobs} (0–20, only with logprobs). */
    private static int chatLogprobs(JsonNode body) {
        Boolean on = Json.bool(body, "logprobs");
        Integer top = Json.integer(body, "top_logprobs");
        if (top != null && (top < 0 || top > MAX_TOP_LOGPROBS_CHAT)) {
            throw ApiException.badField("top_logprobs", "'top_logprobs' " + top + " must be between 0 and " + MAX_TOP_LOGPROBS_CHAT);
        }
        if (top != null && (on == null || !on)) {
            throw ApiException.badField("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        return on != null && on ? (top == null ? 0 : top) : -1;
    }

    /** The completions endpoint's {@code logprobs}: how many alternatives (0–5) to report with each token. */
    private static int completionLogprobs(JsonNode body) {
        Integer n = Json.integer(body, "logprobs");
        if (n != null && (n < 0 || n > MAX_LOGPROBS_COMPLETIONS)) {
            throw ApiException.badField("logprobs", "'logprobs' " + n + " must be between 0 and " + MAX_LOGPROBS_COMPLETIONS);
        }
        return n == null ? -1 : n;
    }

    /**
     * The grammar {@code response_format} holds the reply to: none for {@code text}, any JSON object for
     * {@code json_object}, the schema's documents for {@code json_schema} (enforced by constrained decoding).
     */
    static JsonGrammar responseFormat(JsonNode format) {
        if (format == null) return null;
        String type = Json.requiredString(format, "type");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> JsonGrammar.anyObject(ToolCalls.CALL_WHITESPACE);
            case "json_schema" -> {
                JsonNode spec = Json.objectField(format, "json_schema");
                if (spec == null) throw ApiException.badField("response_format", "'response_format.json_schema' is required for type 'json_schema'");
                JsonNode schema = Json.objectField(spec, "schema");
                if (schema == null) throw ApiException.badField("response_format", "'response_format.json_schema.schema' is required");
                try {
                    yield JsonGrammar.fromSchema(schema, ToolCalls.CALL_WHITESPACE);
                } catch (JsonSchemaException e) {
                    throw ApiException.badField("response_format", "'response_format.json_schema.schema': " + e.getMessage());
                }
            }
            default -> throw ApiException.badField("response_format", "'response_format.type' '" + type
                    + "' is not one of text, json_object, json_schema");
        };
    }

    private void chatCompletions(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String modelName = Json.requiredString(body, "model");
        List<ChatMessage> messages = messages(body);
        ToolCalls tools = ToolCalls.of(body);
        Settings s = settings(body, true);
        if (tools.forced()) s = s.withGrammar(tools.grammarOrNull());
        ServedModel model = server.models().acquire(modelName);
        int[] prompt = tools.prompt(model, messages);
        GenerationParams params = Prompts.chatParams(model, s.sampling(), s.stop());
        run(ctx, model, prompt, params, s, tools);
    }

    private void completions(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String modelName = Json.requiredString(body, "model");
        JsonNode p = body.get("prompt");
        String promptText;
        if (p == null || p.isNull()) throw ApiException.badField("prompt", "'prompt' is required");
        if (p.isTextual()) {
            promptText = p.asText();
        } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            promptText = p.get(0).asText();
        } else {
            throw ApiException.badField("prompt", "'prompt' must be a string (or an array of one string)");
        }
        Settings s = settings(body, false);
        ServedModel model = server.models().acquire(modelName);
        int[] prompt = model.tokenizePrompt(promptText);
        run(ctx, model, prompt, Prompts.textParams(s.sampling(), s.stop()), s, null);
    }

    /** The most inputs one embeddings request may hold. */
    static final int MAX_EMBEDDING_INPUTS = 2048;

    private void embeddings(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String modelName = Json.requiredString(body, "model");
        JsonNode input = body.get("input");
        List<String> texts = new ArrayList<>();
        if (input == null || input.isNull()) throw ApiException.badField("input", "'input' is required");
        if (input.isTextual()) {
            texts.add(input.asText());
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode e : input) {
                if (!e.isTextual()) throw ApiException.badField("input", "'input' must be a string or an array of strings (token arrays are not supported)");
                texts.add(e.asText());
            }
        } else {
            throw ApiException.badField("input", "'input' must be a string or a non-empty array of strings");
        }
        if (texts.size() > MAX_EMBEDDING_INPUTS) throw ApiException.badField("input", "'input' holds " + texts.size() + " texts; at most " + MAX_EMBEDDING_INPUTS);
        String format = Json.string(body, "encoding_format");
        if (format == null) format = "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.badField("encoding_format", "'encoding_format' must be float or base64");
        }
        Integer dimensions = Json.integer(body, "dimensions");
        ServedModel model = server.models().acquire(modelName);
        ArrayNode data = Json.MAPPER.createArrayNode();
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            ServedModel.Embedding e = model.embed(texts.get(i));
            if (dimensions != null && dimensions != e.vector().length) {
                throw ApiException.badField("dimensions", "model '" + model.name() + "' gives " + e.vector().length
                        + " dimensions; 'dimensions' cannot change that");
            }
            tokens += e.tokens();
            ObjectNode item = Json.newObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (format.equals("base64")) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * e.vector().length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float f : e.vector()) buf.putFloat(f);
                item.put("embedding", java.util.Base64.getEncoder().encodeToString(buf.array()));
            } else {
                ArrayNode v = item.putArray("embedding");
                for (float f : e.vector()) v.add(f);
            }
            data.add(item);
        }
        ObjectNode out = Json.newObject();
        out.put("object", "list");
        out.set("data", data);
        out.put("model", model.name());
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        ctx.json(out);
    }

    /** The messages of a chat request: roles checked, content a string or text parts. */
    static List<ChatMessage> messages(JsonNode body) {
        JsonNode array = Json.array(body, "messages");
        if (array == null) throw ApiException.badField("messages", "'messages' is required");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.badField(where, "'" + where + "' must be an object");
            JsonNode roleNode = m.get("role");
            if (roleNode == null || !roleNode.isTextual()) throw ApiException.badField(where + ".role", "'" + where + ".role' must be a string");
            String role = switch (roleNode.asText()) {
                case "system", "developer" -> "system";
                case "user" -> "user";
                case "assistant" -> "assistant";
                case "tool" -> "tool";
                default -> throw ApiException.badField(where + ".role", "'" + where + ".role' '" + roleNode.asText()
                        + "' is not one of system, developer, user, assistant, tool");
            };
            String content = content(m.get("content"), where + ".content");
            JsonNode calls = m.get("tool_calls");
            if (role.equals("assistant") && calls != null && calls.isArray() && !calls.isEmpty()) {
                String asText = ToolCalls.callsAsText(calls, where + ".tool_calls");
                content = content.isEmpty() ? asText : content + "\n" + asText;
            }
            out.add(new ChatMessage(role, content));
        }
        return out;
    }

    private static String content(JsonNode c, String where) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (!c.isArray()) throw ApiException.badField(where, "'" + where + "' must be a string or an array of content parts");
        StringBuilder text = new StringBuilder();
        for (JsonNode part : c) {
            String type = part.isObject() ? Json.string(part, "type") : null;
            if (!"text".equals(type)) {
                throw ApiException.badField(where, "'" + where + "' holds a part of type '" + type + "'; only 'text' parts are supported");
            }
            text.append(Json.requiredString(part, "text"));
        }
        return text.toString();
    }

    /** @param tools the chat's tools; null for a plain completion */
    private void run(Context ctx, ServedModel model, int[] prompt, GenerationParams params, Settings s, ToolCalls tools) {
        boolean chat = tools != null;
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (s.stream()) {
            stream(ctx, model, prompt, params, s, tools, id, created);
            return;
        }
        ArrayNode choices = Json.MAPPER.createArrayNode();
        int completionTokens = 0;
        for (int i = 0; i < s.n(); i++) {
            JobStream job = JobStream.start(model, prompt, withSeed(params, i), s.maxTokens(), s.grammar(), s.logprobs());
            GenerationResult r = job.await();
            completionTokens += r.tokens().length;
            ObjectNode choice = Json.newObject();
            choice.put("index", i);
            ObjectNode call = chat ? tools.parse(r.text()) : null;
            if (chat) {
                ObjectNode message = Json.newObject();
                message.put("role", "assistant");
                if (call != null) {
                    message.putNull("content");
                    message.set("tool_calls", ToolCalls.array(call));
                } else {
                    message.put("content", r.text());
                }
                message.putNull("refusal");
                choice.set("message", message);
            } else {
                choice.put("text", r.text());
            }
            if (s.logprobs() < 0) choice.putNull("logprobs");
            else choice.set("logprobs", logprobs(model, job.awaitedLogprobs(), chat, new int[1]));
            choice.put("finish_reason", call != null ? "tool_calls" : finishReason(r.stopReason()));
            choices.add(choice);
        }
        ObjectNode body = envelope(id, chat ? "chat.completion" : "text_completion", created, model.name());
        body.set("choices", choices);
        body.set("usage", usage(prompt.length, completionTokens));
        ctx.json(body);
    }

    private void stream(Context ctx, ServedModel model, int[] prompt, GenerationParams params, Settings s, ToolCalls tools,
            String id, long created) {
        boolean chat = tools != null;
        String object = chat ? "chat.completion.chunk" : "text_completion";
        // the first job is queued before the 200 is sent, so that a full queue or an overlong prompt still gets its status
        JobStream first = JobStream.start(model, prompt, withSeed(params, 0), s.maxTokens(), s.grammar(), s.logprobs());
        ctx.status(200).contentType("text/event-stream");
        ctx.header("Cache-Control", "no-cache");
        OutputStream out;
        try {
            out = ctx.res().getOutputStream();
        } catch (IOException e) {
            first.cancel();
            return;
        }
        int completionTokens = 0;
        for (int i = 0; i < s.n(); i++) {
            JobStream job = i == 0 ? first
                    : JobStream.start(model, prompt, withSeed(params, i), s.maxTokens(), s.grammar(), s.logprobs());
            if (chat && !send(out, chunk(id, object, created, model.name(), i, roleDelta(), null, s.includeUsage()))) {
                job.cancel();
                return;
            }
            HeldText hold = new HeldText(chat ? tools : ToolCalls.NONE);
            List<TokenLogprob> pending = new ArrayList<>(); // sent with the next chunk of text
            int[] textOffset = {0};
            while (true) {
                JobStream.Event e = job.take();
                if (e instanceof JobStream.Event.Logprob l) {
                    pending.add(l.logprob());
                } else if (e instanceof JobStream.Event.Text t) {
                    String piece = hold.pass(t.piece());
                    if (piece.isEmpty()) continue;
                    ObjectNode c = chunk(id, object, created, model.name(), i, chat ? contentDelta(piece) : null, null, s.includeUsage());
                    if (!chat) ((ObjectNode) c.get("choices").get(0)).put("text", piece);
                    attachLogprobs(c, model, pending, chat, textOffset, s.logprobs());
                    if (!send(out, c)) {
                        job.cancel();
                        return;
                    }
                } else if (e instanceof JobStream.Event.Done d) {
                    completionTokens += d.result().tokens().length;
                    String finish = finishReason(d.result().stopReason());
                    String held = hold.rest();
                    if (!held.isEmpty()) {
                        ObjectNode call = tools.parse(held);
                        ObjectNode delta = Json.newObject();
                        if (call != null) {
                            ObjectNode streamed = call.deepCopy();
                            streamed.put("index", 0);
                            delta.set("tool_calls", ToolCalls.array(streamed));
                            finish = "tool_calls";
                        } else {
                            delta.put("content", held);
                        }
                        ObjectNode c = chunk(id, object, created, model.name(), i, delta, null, s.includeUsage());
                        if (call == null) attachLogprobs(c, model, pending, chat, textOffset, s.logprobs());
                        if (!send(out, c)) return;
                    }
                    ObjectNode c = chunk(id, object, created, model.name(), i, chat ? Json.newObject() : null,
                            finish, s.includeUsage());
                    if (!chat) ((ObjectNode) c.get("choices").get(0)).put("text", "");
                    if (!pending.isEmpty()) attachLogprobs(c, model, pending, chat, textOffset, s.logprobs());
                    if (!send(out, c)) return;
                    break;
                } else if (e instanceof JobStream.Event.Failed f) {
                    ApiException a = ApiException.from(f.error());
                    ObjectNode error = Json.newObject();
                    ObjectNode inner = error.putObject("error");
                    inner.put("message", a.getMessage());
                    inner.put("type", a.status() >= 500 ? "server_error" : "invalid_request_error");
                    send(out, error);
                    sendRaw(out, "data: [DONE]\n\n");
                    return;
                }
            }
        }
        if (s.includeUsage()) {
            ObjectNode last = envelope(id, object, created, model.name());
            last.set("choices", Json.MAPPER.createArrayNode());
            last.set("usage", usage(prompt.length, completionTokens));
            send(out, last);
        }
        sendRaw(out, "data: [DONE]\n\n");
    }

    private static ObjectNode chunk(String id, String object, long created, String model, int index, ObjectNode delta,
            String finish, boolean withUsage) {
        ObjectNode c = envelope(id, object, created, model);
        ObjectNode choice = Json.newObject();
        choice.put("index", index);
        if (delta != null) choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        c.set("choices", Json.MAPPER.createArrayNode().add(choice));
        if (withUsage) c.putNull("usage");
        return c;
    }

    /** Puts the log-probabilities of {@code pending} on chunk {@code c}'s choice and empties the list (none asked: no-op). */
    private static void attachLogprobs(ObjectNode c, ServedModel model, List<TokenLogprob> pending, boolean chat,
            int[] textOffset, int asked) {
        if (asked < 0) return;
        ((ObjectNode) c.get("choices").get(0)).set("logprobs", logprobs(model, pending, chat, textOffset));
        pending.clear();
    }

    /**
     * The {@code logprobs} object of a choice: chat's {@code {"content": [{token, logprob, bytes, top_logprobs}]}}, or
     * the completions endpoint's {@code {tokens, token_logprobs, top_logprobs, text_offset}} with offsets counted in
     * the completion text from {@code textOffset[0]}, which it advances.
     */
    private static ObjectNode logprobs(ServedModel model, List<TokenLogprob> lps, boolean chat, int[] textOffset) {
        TokenVocabulary vocabulary = model.tokenVocabulary();
        ObjectNode o = Json.newObject();
        if (chat) {
            ArrayNode content = o.putArray("content");
            for (TokenLogprob lp : lps) {
                ObjectNode entry = tokenEntry(vocabulary, lp.token(), lp.logprob());
                ArrayNode top = entry.putArray("top_logprobs");
                for (int k = 0; k < lp.topTokens().length; k++) top.add(tokenEntry(vocabulary, lp.topTokens()[k], lp.topLogprobs()[k]));
                content.add(entry);
            }
            o.putNull("refusal");
            return o;
        }
        ArrayNode tokens = o.putArray("tokens");
        ArrayNode values = o.putArray("token_logprobs");
        ArrayNode tops = o.putArray("top_logprobs");
        ArrayNode offsets = o.putArray("text_offset");
        for (TokenLogprob lp : lps) {
            String text = tokenText(vocabulary, lp.token());
            tokens.add(text);
            values.add(lp.logprob());
            ObjectNode top = Json.newObject();
            for (int k = 0; k < lp.topTokens().length; k++) top.put(tokenText(vocabulary, lp.topTokens()[k]), lp.topLogprobs()[k]);
            tops.add(top);
            offsets.add(textOffset[0]);
            textOffset[0] += text.length();
        }
        return o;
    }

    private static ObjectNode tokenEntry(TokenVocabulary vocabulary, int token, float logprob) {
        byte[] b = vocabulary.bytes(token);
        ObjectNode e = Json.newObject();
        e.put("token", new String(b, StandardCharsets.UTF_8));
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte x : b) bytes.add(x & 0xFF);
        return e;
    }

    private static String tokenText(TokenVocabulary vocabulary, int token) {
        return new String(vocabulary.bytes(token), StandardCharsets.UTF_8);
    }

    private static ObjectNode roleDelta() {
        ObjectNode d = Json.newObject();
        d.put("role", "assistant");
        d.put("content", "");
        return d;
    }

    private static ObjectNode contentDelta(String piece) {
        ObjectNode d = Json.newObject();
        d.put("content", piece);
        return d;
    }

    private static ObjectNode envelope(String id, String object, long created, String model) {
        ObjectNode b = Json.newObject();
        b.put("id", id);
        b.put("object", object);
        b.put("created", created);
        b.put("model", model);
        b.put("system_fingerprint", "basalt");
        return b;
    }

    private static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode u = Json.newObject();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        return u;
    }

    /** Choice i samples with the request's seed + i, so that n choices differ and each is reproducible. */
    private static GenerationParams withSeed(GenerationParams p, int i) {
        if (i == 0) return p;
        return new GenerationParams(p.sampling().withSeed(p.sampling().seed() + i), p.maxTokens(), p.stop(), p.stopTokens());
    }

    static String finishReason(StopReason r) {
        return switch (r) {
            case END_OF_SEQUENCE, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    /** Writes one SSE event; false when the client has gone. */
    private static boolean send(OutputStream out, JsonNode event) {
        return sendRaw(out, "data: " + new String(Json.bytes(event), StandardCharsets.UTF_8) + "\n\n");
    }

    private static boolean sendRaw(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
