package ai.basalt.server;

import ai.basalt.server.bedrock.BedrockApi;
import ai.basalt.server.ollama.OllamaApi;
import ai.basalt.server.openai.OpenAiApi;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP server: the OpenAI API under {@code /v1}, the Ollama API under {@code /api} (and {@code GET /}), the Amazon
 * Bedrock runtime API under {@code /model/{id}/}, and the server's own {@code /health}, {@code /tokenize} and
 * {@code /detokenize}. Requests are checked at the edge (API key,
 * body size, JSON shape) and answered in the error shape of the API they were sent to.
 */
public final class BasaltServer implements AutoCloseable {
    private final ServerOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final ModelPool pool;
    private final Javalin app;
    private final ApiDialect openAi = OpenAiApi.DIALECT;
    private final ApiDialect ollama = OllamaApi.DIALECT;

    static {
        // Jetty and Javalin log their start-up at info; only warnings and errors reach the console
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    private BasaltServer(ServerOptions options) {
        this.options = options;
        this.pool = new ModelPool(options, metrics);
        this.app = Javalin.create(this::configure);
    }

    /** Starts a server; {@link #port()} tells where it listens. */
    public static BasaltServer start(ServerOptions options) {
        BasaltServer s = new BasaltServer(options);
        s.app.start(options.host(), options.port());
        return s;
    }

    public int port() {
        return app.port();
    }

    public ModelPool models() {
        return pool;
    }

    private void configure(JavalinConfig config) {
        config.concurrency.useVirtualThreads = true;
        // one port for HTTP/1.1 and h2c (HTTP/2 over cleartext, by upgrade or prior knowledge)
        config.jetty.addConnector((server, http) -> {
            ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
            c.setHost(options.host());
            c.setPort(options.port());
            return c;
        });
        config.startup.showJavalinBanner = false;
        // the body limit is enforced by readBody, so that the answer takes the API's own error shape
        config.http.maxRequestSize = Long.MAX_VALUE;
        config.routes.before(this::authenticate);
        config.routes.after(ctx -> {
            var matched = ctx.endpoints().matchedHttpEndpoint();
            metrics.request(ctx.method().name(), matched == null ? "unmatched" : matched.path, ctx.statusCode(),
                    ctx.req().getProtocol());
        });
        config.routes.exception(ApiException.class, (e, ctx) -> writeError(ctx, e));
        config.routes.exception(IllegalArgumentException.class, (e, ctx) -> writeError(ctx, ApiException.badRequest(e.getMessage())));
        config.routes.exception(Exception.class, (e, ctx) -> {
            System.err.println("basalt serve: " + ctx.method() + " " + ctx.path() + " failed: " + e);
            writeError(ctx, new ApiException(ApiException.Kind.INTERNAL, "internal error: " + e.getMessage(), null, null));
        });
        config.routes.error(404, ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) {
                writeError(ctx, new ApiException(ApiException.Kind.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path(), null, null));
            }
        });
        config.routes.error(405, ctx -> writeError(ctx, new ApiException(ApiException.Kind.NOT_FOUND,
                "method " + ctx.method() + " not allowed on " + ctx.path(), null, null)));
        config.routes.get("/health", ctx -> ctx.json(java.util.Map.of("status", "ok", "models_loaded", pool.loaded().size())));
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        config.routes.post("/tokenize", this::tokenize);
        config.routes.post("/detokenize", this::detokenize);
        new OpenAiApi(this).register(config.routes);
        new OllamaApi(this).register(config.routes);
        new BedrockApi(this).register(config.routes);
    }

    /**
     * The dialect of the API {@code path} belongs to: Bedrock's for {@code /model/}, OpenAI's for {@code /v1/} and the
     * server's own endpoints ({@code /tokenize}, {@code /detokenize}, {@code /health}, as llama.cpp's server answers),
     * Ollama's for the rest.
     */
    ApiDialect dialectOf(String path) {
        if (path.startsWith("/model/") || path.startsWith("/foundation-models")) return BedrockApi.DIALECT;
        boolean own = path.equals("/tokenize") || path.equals("/detokenize") || path.equals("/health") || path.equals("/metrics");
        return path.startsWith("/v1/") || own ? openAi : ollama;
    }

    /** Marks a response that already holds an API error, so that the 404 fallback leaves it alone. */
    private static final String ERROR_WRITTEN = "basalt.error";

    void writeError(Context ctx, ApiException e) {
        ctx.attribute(ERROR_WRITTEN, true);
        dialectOf(ctx.path()).writeError(ctx, e);
    }

    private void authenticate(Context ctx) {
        if (options.apiKeys().isEmpty() || ctx.path().equals("/") || ctx.path().equals("/health")) return;
        String bearer = ctx.header("Authorization");
        String key = ctx.header("x-api-key");
        if (bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7)) key = bearer.substring(7).strip();
        if (key == null || key.isEmpty()) {
            throw new ApiException(ApiException.Kind.UNAUTHORIZED,
                    "missing API key: send 'Authorization: Bearer KEY' or 'x-api-key: KEY'", null, "invalid_api_key");
        }
        for (String k : options.apiKeys()) {
            if (MessageDigest.isEqual(k.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) return;
        }
        throw new ApiException(ApiException.Kind.UNAUTHORIZED, "invalid API key", null, "invalid_api_key");
    }

    /**
     * The request body, refused with 413 past the size limit (by its Content-Length at once, or while reading one
     * sent in chunks).
     */
    public byte[] readBody(Context ctx) {
        long limit = options.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > limit) {
                drain(in, 0);
                throw tooLarge(declared, limit);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (out.size() > limit) throw tooLarge(drain(in, out.size()), limit);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /** The most of a refused body read and dropped, so that its client, still sending, gets the 413 and not a reset. */
    private static final long DRAIN_LIMIT = 64L << 20;

    /**
     * Reads and drops the rest of a body that will be refused (up to {@link #DRAIN_LIMIT} bytes in all): answering
     * while the client is still writing would close the connection under it, and it would see a broken pipe instead
     * of the error. Returns the bytes seen; an unreadable rest is left to the connection's close.
     */
    private static long drain(InputStream in, long seen) {
        byte[] buf = new byte[8192];
        try {
            for (int n; seen < DRAIN_LIMIT && (n = in.read(buf)) > 0; ) seen += n;
        } catch (IOException e) {
            // the client has gone or sends no more: nothing left to protect
        }
        return seen;
    }

    private static ApiException tooLarge(long size, long limit) {
        return new ApiException(ApiException.Kind.TOO_LARGE, "request body of " + size + " bytes is over the limit of "
                + limit + " bytes", null, "request_too_large");
    }

    private void tokenize(Context ctx) {
        var body = Json.object(readBody(ctx));
        ServedModel m = pool.acquire(modelOrDefault(Json.string(body, "model")));
        String content = Json.requiredString(body, "content");
        Boolean special = Json.bool(body, "add_special");
        int[] ids = m.model().tokenizer().encode(content, special != null && special, true);
        ctx.json(java.util.Map.of("model", m.name(), "tokens", ids));
    }

    private void detokenize(Context ctx) {
        var body = Json.object(readBody(ctx));
        ServedModel m = pool.acquire(modelOrDefault(Json.string(body, "model")));
        var tokens = Json.array(body, "tokens");
        if (tokens == null) throw ApiException.badField("tokens", "'tokens' is required");
        int vocab = m.model().vocabularySize();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            var t = tokens.get(i);
            if (!t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 0 || t.asInt() >= vocab) {
                throw ApiException.badField("tokens", "tokens[" + i + "] = " + t + " is not a token id of this model (0 to " + (vocab - 1) + ")");
            }
            ids[i] = t.asInt();
        }
        ctx.json(java.util.Map.of("model", m.name(), "content", m.model().tokenizer().decode(ids)));
    }

    /**
     * The hub's models folder, where copies go and from which models may be deleted.
     *
     * @throws ApiException 400 when the server runs without a hub folder
     */
    public java.nio.file.Path hubFolder() {
        if (options.hubModels() == null) throw ApiException.badRequest("this server runs without a hub folder");
        return options.hubModels();
    }

    /** {@code name}, or the first model on offer when none is named. */
    String modelOrDefault(String name) {
        if (name != null) return name;
        List<ModelPool.Offer> offers = pool.offers();
        if (offers.isEmpty()) throw ApiException.badField("model", "'model' is required: this server offers no model");
        return offers.get(0).name();
    }

    @Override
    public void close() {
        app.stop();
        pool.close();
    }
}
