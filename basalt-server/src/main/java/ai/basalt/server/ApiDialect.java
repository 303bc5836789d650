package ai.basalt.server;

import io.javalin.http.Context;

/** How one API (OpenAI, Ollama, Bedrock) writes an error: its status stays, the body takes the API's own shape. */
public interface ApiDialect {

    /** Writes {@code error} to {@code ctx} in this API's shape. */
    void writeError(Context ctx, ApiException error);
}
