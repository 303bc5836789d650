/** The Basalt server: OpenAI-, Ollama- and Bedrock-compatible HTTP APIs over the hub's models. */
module ai.basalt.server {
    requires transitive ai.basalt.generate;
    requires io.javalin;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.http2.server;
    requires jakarta.servlet;
    requires kotlin.stdlib;
    requires com.fasterxml.jackson.databind;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    exports ai.basalt.server;
    exports ai.basalt.server.openai;
    exports ai.basalt.server.ollama;
    exports ai.basalt.server.bedrock;
}
