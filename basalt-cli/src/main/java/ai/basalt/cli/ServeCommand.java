package ai.basalt.cli;

import ai.basalt.model.hf.HuggingFaceFolder;
import ai.basalt.server.BasaltServer;
import ai.basalt.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code basalt serve}: the models through the OpenAI, Ollama and Bedrock APIs. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models through the APIs clients already speak: OpenAI (/v1), Ollama (/api) and "
                + "Amazon Bedrock (/model/ID/converse). Runs until interrupted.",
            "Models named with --model are offered under their name (a file's name without .gguf); every model in "
                + "the hub is offered too, loaded on first use."})
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port = 8080;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME|PATH",
            description = "A model to offer (repeatable): a GGUF file, a Hugging Face folder or a hub model's name. "
                    + "Default: the built-in " + DefaultModel.NAME + ".")
    List<String> models = new ArrayList<>();

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "A key requests must carry as 'Authorization: Bearer KEY' or 'x-api-key: KEY' (repeatable; "
                    + "also read from $BASALT_API_KEYS, comma-separated). Default: none needed.")
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--context", paramLabel = "N",
            description = "Longest context per request, capped by each model's own (default: ${DEFAULT-VALUE}).")
    int context = ServerOptions.DEFAULT_CONTEXT_LENGTH;

    @Option(names = "--queue", paramLabel = "N",
            description = "Requests a model holds waiting before it answers 429 (default: ${DEFAULT-VALUE}).")
    int queue = ServerOptions.DEFAULT_QUEUE_CAPACITY;

    @Option(names = "--max-body", paramLabel = "BYTES",
            description = "Largest request body accepted (default: ${DEFAULT-VALUE}).")
    long maxBody = ServerOptions.DEFAULT_MAX_BODY_BYTES;

    @Option(names = "--batch", paramLabel = "N",
            description = "Requests a model generates at once, sharing each forward pass (default: ${DEFAULT-VALUE}).")
    int batch = ServerOptions.DEFAULT_BATCH_SIZE;

    @Option(names = "--memory-budget", paramLabel = "MB",
            description = "Megabytes of model files kept loaded; the least recently used idle model is unloaded "
                    + "for another (default: ${DEFAULT-VALUE}).")
    long memoryBudgetMb = 8192;

    @Override
    public Integer call() throws InterruptedException {
        Hub hub = main.hub();
        Map<String, Path> offered = new LinkedHashMap<>();
        if (models.isEmpty()) offered.put(DefaultModel.NAME, DefaultModel.file(hub));
        for (String ref : models) {
            Path file = hub.resolve(ref);
            String name = Files.isRegularFile(Path.of(ref)) || HuggingFaceFolder.isModelFolder(Path.of(ref)) ? nameOf(file) : ref;
            if (offered.put(name, file) != null) throw new Main.UsageException("--model " + ref + ": a second model named '" + name + "'");
        }
        Set<String> keys = new HashSet<>(apiKeys);
        String env = System.getenv("BASALT_API_KEYS");
        if (env != null) for (String k : env.split(",")) if (!k.isBlank()) keys.add(k.strip());
        ServerOptions options;
        try {
            options = new ServerOptions(host, port, offered, hub.modelsFolder(), keys, maxBody, queue, context,
                    Math.multiplyExact(memoryBudgetMb, 1L << 20), batch);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new Main.UsageException(e.getMessage());
        }
        BasaltServer server;
        try {
            server = BasaltServer.start(options);
        } catch (RuntimeException e) {
            throw new Main.UsageException("cannot listen on " + host + ":" + port + ": " + rootMessage(e));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        main.err.printf(Locale.ROOT, "basalt: serving %s on http://%s:%d (OpenAI /v1, Ollama /api, Bedrock /model)%s%n",
                String.join(", ", offered.keySet()), host, server.port(), keys.isEmpty() ? "" : ", API key required");
        stopped.await();
        return 0;
    }

    private static String nameOf(Path file) {
        String n = file.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }
}
