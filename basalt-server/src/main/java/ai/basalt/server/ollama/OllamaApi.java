package ai.basalt.server.ollama;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.StopReason;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.JsonSchemaException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The Ollama API: {@code GET /}, {@code /api/version}, {@code /api/tags}, {@code /api/ps}, {@code POST /api/show},
 * {@code /api/chat}, {@code /api/generate} (NDJSON streaming unless {@code "stream": false}), {@code /api/copy} and
 * {@code DELETE /api/delete}; errors as {@code {"error": "message"}}.
 */
public final class OllamaApi {
    /** Ollama's error shape. */
    public static final ApiDialect DIALECT = (ctx, e) -> {
        ObjectNode body = Json.newObject();
        body.put("error", e.getMessage());
        ctx.status(e.status()).contentType("application/json").result(Json.bytes(body));
    };

    /** The version {@code /api/version} reports: Basalt's own. */
    static final String VERSION = "0.1.0";

    private final BasaltServer server;

    public OllamaApi(BasaltServer server) {
        this.server = server;
    }

    public void register(RoutesConfig routes) {
        routes.get("/", ctx -> ctx.contentType("text/plain").result("Ollama is running"));
        routes.get("/api/version", ctx -> ctx.json(java.util.Map.of("version", VERSION)));
        routes.get("/api/tags", this::tags);
        routes.get("/api/ps", this::ps);
        routes.post("/api/show", this::show);
        routes.post("/api/chat", this::chat);
        routes.post("/api/generate", this::generate);
        routes.post("/api/embed", this::embed);
        routes.post("/api/embeddings", this::embeddingsLegacy);
        routes.post("/api/copy", this::copy);
        routes.delete("/api/delete", this::delete);
    }

    /** Ollama names carry a tag; a Basalt name without one is offered as {@code NAME:latest}. */
    static String tagged(String name) {
        return name.contains(":") ? name : name + ":latest";
    }

    private void tags(Context ctx) {
        ArrayNode models = Json.MAPPER.createArrayNode();
        for (ModelPool.Offer o : server.models().offers()) {
            ObjectNode m = Json.newObject();
            m.put("name", tagged(o.name()));
            m.put("model", tagged(o.name()));
            m.put("modified_at", Instant.ofEpochMilli(o.modifiedMillis()).toString());
            m.put("size", o.bytes());
            m.put("digest", digest(o));
            m.set("details", details(o.file(), null));
            models.add(m);
        }
        ObjectNode body = Json.newObject();
        body.set("models", models);
        ctx.json(body);
    }

    private void ps(Context ctx) {
        ArrayNode models = Json.MAPPER.createArrayNode();
        for (ServedModel s : server.models().loaded()) {
            ObjectNode m = Json.newObject();
            m.put("name", tagged(s.name()));
            m.put("model", tagged(s.name()));
            m.put("size", s.bytes());
            m.put("size_vram", 0);
            m.put("digest", digest(server.models().find(s.name())));
            m.set("details", details(s.file(), s));
            m.put("context_length", s.contextLength());
            models.add(m);
        }
        ObjectNode body = Json.newObject();
        body.set("models", models);
        ctx.json(body);
    }

    private void show(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        ServedModel m = server.models().acquire(modelName(body));
        ObjectNode out = Json.newObject();
        out.put("modelfile", "FROM " + m.file().getFileName());
        out.put("parameters", "");
        out.put("template", m.model().chatTemplate().orElse(""));
        out.set("details", details(m.file(), m));
        ObjectNode info = out.putObject("model_info");
        info.put("general.architecture", m.model().architecture());
        info.put("general.parameter_count", m.model().parameterCount());
        info.put(m.model().architecture() + ".context_length", m.model().contextLength());
        ArrayNode capabilities = out.putArray("capabilities").add("completion");
        if (m.model().chatTemplate().orElse("").contains("tools")) capabilities.add("tools");
        if (m.givesEmbeddings()) capabilities.add("embedding");
        server.models().find(m.name()).card().ifPresent(card -> out.put("model_card", card));
        out.put("modified_at", Instant.ofEpochMilli(server.models().find(m.name()).modifiedMillis()).toString());
        ctx.json(out);
    }

    private static ObjectNode details(Path file, ServedModel loaded) {
        ObjectNode d = Json.newObject();
        d.put("parent_model", "");
        d.put("format", file.toString().toLowerCase(Locale.ROOT).endsWith(".gguf") ? "gguf" : "safetensors");
        if (loaded != null) {
            d.put("family", loaded.model().architecture());
            d.set("families", Json.MAPPER.createArrayNode().add(loaded.model().architecture()));
            d.put("parameter_size", parameterSize(loaded.model().parameterCount()));
            d.put("quantization_level", loaded.model().weightType());
        }
        return d;
    }

    private static String parameterSize(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }

    /** A stable id of a model file as it is now: SHA-256 of its path, size and modification time (not its bytes). */
    private static String digest(ModelPool.Offer o) {
        try {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update((o.file().toAbsolutePath() + "|" + o.bytes() + "|" + o.modifiedMillis()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String modelName(JsonNode body) {
        String m = Json.string(body, "model");
        if (m == null) m = Json.string(body, "name");
        if (m == null) throw ApiException.badField("model", "'model' is required");
        return m;
    }

    private void chat(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String name = modelName(body);
        List<ChatMessage> messages = messages(body);
        Options o = options(body);
        ServedModel model = server.models().acquire(name);
        if (messages.isEmpty()) { // Ollama loads the model and answers at once
            respond(ctx, model, null, null, null, null, true, body, ToolCalls.NONE);
            return;
        }
        // Ollama has no tool_choice: the model decides, and a reply that is exactly a call comes back as tool_calls
        ToolCalls tools = ToolCalls.of(body);
        int[] prompt = tools.prompt(model, messages);
        respond(ctx, model, prompt, Prompts.chatParams(model, o.sampling(), o.stop()), o.maxTokens(), o.grammar(), true, body, tools);
    }

    private void generate(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String name = modelName(body);
        String prompt = Json.string(body, "prompt");
        String system = Json.string(body, "system");
        Boolean raw = Json.bool(body, "raw");
        if (Json.string(body, "suffix") != null) throw ApiException.badField("suffix", "'suffix' is not supported by this server yet");
        if (body.has("images") && !body.get("images").isNull()) throw ApiException.badField("images", "'images' is not supported: no vision models");
        Options o = options(body);
        ServedModel model = server.models().acquire(name);
        if (prompt == null || prompt.isEmpty()) {
            respond(ctx, model, null, null, null, null, false, body, ToolCalls.NONE);
            return;
        }
        int[] tokens;
        GenerationParams params;
        if (raw != null && raw) {
            tokens = model.tokenizePrompt(prompt);
            params = Prompts.textParams(o.sampling(), o.stop());
        } else {
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) messages.add(ChatMessage.system(system));
            messages.add(ChatMessage.user(prompt));
            tokens = Prompts.chat(model, messages);
            params = Prompts.chatParams(model, o.sampling(), o.stop());
        }
        respond(ctx, model, tokens, params, o.maxTokens(), o.grammar(), false, body, ToolCalls.NONE);
    }

    static List<ChatMessage> messages(JsonNode body) {
        JsonNode array = Json.array(body, "messages");
        List<ChatMessage> out = new ArrayList<>();
        if (array == null) return out;
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.badField(where, "'" + where + "' must be an object");
            String role = Json.string(m, "role");
            if (role == null || !List.of("system", "user", "assistant", "tool").contains(role)) {
                throw ApiException.badField(where + ".role", "'" + where + ".role' must be one of system, user, assistant, tool");
            }
            if (m.has("images") && !m.get("images").isNull() && !m.get("images").isEmpty()) {
                throw ApiException.badField(where + ".images", "'" + where + ".images' is not supported: no vision models");
            }
            String content = Json.string(m, "content");
            if (content == null) content = "";
            JsonNode calls = m.get("tool_calls");
            if (role.equals("assistant") && calls != null && calls.isArray() && !calls.isEmpty()) {
                StringBuilder text = new StringBuilder(content);
                for (JsonNode call : calls) {
                    JsonNode f = call.get("function");
                    if (f == null || !f.isObject()) throw ApiException.badField(where + ".tool_calls", "'" + where + ".tool_calls' entries need a 'function'");
                    ObjectNode doc = Json.newObject();
                    doc.put("name", Json.requiredString(f, "name"));
                    doc.set("arguments", f.has("arguments") ? f.get("arguments") : Json.newObject());
                    if (!text.isEmpty()) text.append('\n');
                    text.append(doc);
                }
                content = text.toString();
            }
            out.add(new ChatMessage(role, content));
        }
        return out;
    }

    private record Options(SamplingParams sampling, Integer maxTokens, List<String> stop, JsonGrammar grammar) {}

    private static Options options(JsonNode body) {
        JsonGrammar grammar = format(body.get("format"));
        JsonNode o = Json.objectField(body, "options");
        if (o == null) o = Json.newObject();
        Integer predict = Json.integer(o, "num_predict");
        Integer max = predict == null || predict < 0 ? null : Prompts.maxTokens(predict == 0 ? null : predict, "num_predict");
        List<String> stop = Json.strings(o, "stop");
        for (String s : stop) if (s.isEmpty()) throw ApiException.badField("stop", "'stop' strings must not be empty");
        SamplingParams sampling = Prompts.sampling(Json.number(o, "temperature"), Json.number(o, "top_p"),
                Json.integer(o, "top_k"), Json.number(o, "min_p"), Json.number(o, "repeat_penalty"), Json.longValue(o, "seed"), 0.8);
        return new Options(sampling, max, stop, grammar);
    }

    /** Ollama's {@code format}: {@code "json"} for any JSON object, a JSON Schema object for its documents. */
    static JsonGrammar format(JsonNode format) {
        if (format == null || format.isNull() || (format.isTextual() && format.asText().isEmpty())) return null;
        if (format.isTextual() && format.asText().equals("json")) return JsonGrammar.anyObject(ToolCalls.CALL_WHITESPACE);
        if (!format.isObject()) throw ApiException.badField("format", "'format' must be \"json\" or a JSON Schema object");
        try {
            return JsonGrammar.fromSchema(format, ToolCalls.CALL_WHITESPACE);
        } catch (JsonSchemaException e) {
            throw ApiException.badField("format", "'format': " + e.getMessage());
        }
    }

    private void respond(Context ctx, ServedModel model, int[] prompt, GenerationParams params, Integer maxTokens,
            JsonGrammar grammar, boolean chat, JsonNode body, ToolCalls tools) {
        Boolean streamField = Json.bool(body, "stream");
        boolean stream = streamField == null || streamField;
        long start = System.nanoTime();
        if (prompt == null) {
            ctx.json(done(model, chat, "", "load", 0, 0, System.nanoTime() - start, 0, 0));
            return;
        }
        JobStream job = JobStream.start(model, prompt, params, maxTokens, grammar);
        if (!stream) {
            GenerationResult r = job.await();
            ObjectNode call = tools.parse(r.text());
            ObjectNode reply = done(model, chat, call == null ? r.text() : "", doneReason(r.stopReason()), prompt.length,
                    r.tokens().length, System.nanoTime() - start, r.promptNanos(), r.generatedNanos());
            if (call != null) ((ObjectNode) reply.get("message")).set("tool_calls", ollamaCalls(call));
            ctx.json(reply);
            return;
        }
        ctx.status(200).contentType("application/x-ndjson");
        OutputStream out;
        try {
            out = ctx.res().getOutputStream();
        } catch (IOException e) {
            job.cancel();
            return;
        }
        HeldText hold = new HeldText(tools);
        while (true) {
            JobStream.Event e = job.take();
            if (e instanceof JobStream.Event.Text t) {
                String piece = hold.pass(t.piece());
                if (piece.isEmpty()) continue;
                ObjectNode line = head(model, chat, piece);
                line.put("done", false);
                if (!send(out, line)) {
                    job.cancel();
                    return;
                }
            } else if (e instanceof JobStream.Event.Done d) {
                GenerationResult r = d.result();
                String held = hold.rest();
                if (!held.isEmpty()) {
                    ObjectNode call = tools.parse(held);
                    ObjectNode line = head(model, chat, call == null ? held : "");
                    if (call != null) ((ObjectNode) line.get("message")).set("tool_calls", ollamaCalls(call));
                    line.put("done", false);
                    if (!send(out, line)) return;
                }
                send(out, done(model, chat, "", doneReason(r.stopReason()), prompt.length, r.tokens().length,
                        System.nanoTime() - start, r.promptNanos(), r.generatedNanos()));
                return;
            } else if (e instanceof JobStream.Event.Failed f) {
                ObjectNode error = Json.newObject();
                error.put("error", ApiException.from(f.error()).getMessage());
                send(out, error);
                return;
            }
        }
    }

    /** An OpenAI-shaped call as Ollama writes it: {@code [{"function": {"name", "arguments": {...}}}]}. */
    private static ArrayNode ollamaCalls(ObjectNode call) {
        ObjectNode function = Json.newObject();
        function.put("name", call.get("function").get("name").asText());
        try {
            function.set("arguments", Json.MAPPER.readTree(call.get("function").get("arguments").asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a parsed call's arguments are JSON", e);
        }
        ObjectNode c = Json.newObject();
        c.set("function", function);
        return Json.MAPPER.createArrayNode().add(c);
    }

    private static ObjectNode head(ServedModel model, boolean chat, String text) {
        ObjectNode o = Json.newObject();
        o.put("model", tagged(model.name()));
        o.put("created_at", Instant.now().toString());
        if (chat) {
            ObjectNode message = o.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
        } else {
            o.put("response", text);
        }
        return o;
    }

    private static ObjectNode done(ServedModel model, boolean chat, String text, String reason, int promptTokens,
            int evalTokens, long totalNanos, long promptNanos, long evalNanos) {
        ObjectNode o = head(model, chat, text);
        o.put("done", true);
        o.put("done_reason", reason);
        o.put("total_duration", totalNanos);
        o.put("load_duration", 0);
        o.put("prompt_eval_count", promptTokens);
        o.put("prompt_eval_duration", promptNanos);
        o.put("eval_count", evalTokens);
        o.put("eval_duration", evalNanos);
        return o;
    }

    private static String doneReason(StopReason r) {
        return switch (r) {
            case END_OF_SEQUENCE, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    private void embed(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String name = modelName(body);
        List<String> texts = Json.strings(body, "input");
        if (texts.isEmpty()) throw ApiException.badField("input", "'input' must be a string or a non-empty array of strings");
        long start = System.nanoTime();
        ServedModel model = server.models().acquire(name);
        ArrayNode embeddings = Json.MAPPER.createArrayNode();
        int tokens = 0;
        for (String t : texts) {
            ServedModel.Embedding e = model.embed(t);
            tokens += e.tokens();
            ArrayNode v = embeddings.addArray();
            for (float f : e.vector()) v.add(f);
        }
        ObjectNode out = Json.newObject();
        out.put("model", tagged(model.name()));
        out.set("embeddings", embeddings);
        out.put("total_duration", System.nanoTime() - start);
        out.put("load_duration", 0);
        out.put("prompt_eval_count", tokens);
        ctx.json(out);
    }

    /** The older {@code /api/embeddings}: one {@code prompt}, one {@code embedding}. */
    private void embeddingsLegacy(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        ServedModel model = server.models().acquire(modelName(body));
        ServedModel.Embedding e = model.embed(Json.requiredString(body, "prompt"));
        ObjectNode out = Json.newObject();
        ArrayNode v = out.putArray("embedding");
        for (float f : e.vector()) v.add(f);
        ctx.json(out);
    }

    private void copy(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        ModelPool.Offer source = server.models().find(Json.requiredString(body, "source"));
        String destination = ModelPool.canonical(Json.requiredString(body, "destination"));
        Path folder = server.hubFolder();
        Path target = folder.resolve(destination + ".gguf").normalize();
        if (!target.startsWith(folder.normalize()) || destination.contains(":")) {
            throw ApiException.badField("destination", "'destination' '" + destination + "' is not a model name the hub can hold");
        }
        if (!source.file().toString().endsWith(".gguf")) {
            throw ApiException.badField("source", "only GGUF models can be copied");
        }
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".copy-", ".part");
            try {
                Files.copy(source.file(), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw ApiException.badField("destination", "a model named '" + destination + "' already exists");
        } catch (IOException e) {
            throw new ApiException(ApiException.Kind.INTERNAL, "cannot copy the model: " + e.getMessage(), null, null);
        }
        ctx.status(200);
    }

    private void delete(Context ctx) {
        ObjectNode body = Json.object(server.readBody(ctx));
        String name = modelName(body);
        ModelPool.Offer offer = server.models().find(name);
        Path folder = server.hubFolder().normalize();
        if (!offer.file().toAbsolutePath().normalize().startsWith(folder.toAbsolutePath())) {
            throw ApiException.badField("model", "model '" + name + "' was named on the command line, not kept in the hub; it cannot be deleted");
        }
        server.models().unload(offer.name());
        try {
            Files.delete(offer.file());
        } catch (IOException e) {
            throw new ApiException(ApiException.Kind.INTERNAL, "cannot delete the model: " + e.getMessage(), null, null);
        }
        ctx.status(200);
    }

    private static boolean send(OutputStream out, JsonNode line) {
        try {
            out.write(Json.bytes(line));
            out.write('\n');
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
