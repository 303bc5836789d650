package ai.basalt.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How a server runs.
 *
 * @param host            the address to listen on
 * @param port            the port (0: any free one)
 * @param models          models offered by name, in order: name to GGUF file or Hugging Face folder
 * @param hubModels       the hub's models folder, whose models are also offered by name (null: none)
 * @param apiKeys         keys a request must carry (Bearer or x-api-key); empty: no key needed
 * @param maxBodyBytes    the largest request body accepted
 * @param queueCapacity   requests a model holds waiting, beyond which it answers 429
 * @param contextLength   the longest context a request may use (capped by each model's own)
 * @param memoryBudget    bytes of model files kept loaded at once; the least recently used idle model is unloaded
 *                        to make room for another
 * @param batchSize       sequences a model generates at once (continuous batching), each with its own KV cache
 */
public record ServerOptions(String host, int port, Map<String, Path> models, Path hubModels, Set<String> apiKeys,
        long maxBodyBytes, int queueCapacity, int contextLength, long memoryBudget, int batchSize) {

    public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
    public static final int DEFAULT_QUEUE_CAPACITY = 64;
    public static final int DEFAULT_CONTEXT_LENGTH = 4096;
    public static final int DEFAULT_BATCH_SIZE = 8;

    public ServerOptions {
        models = new LinkedHashMap<>(models);
        apiKeys = Set.copyOf(apiKeys);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is not in 0-65535");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("body limit " + maxBodyBytes + " is below 1 KiB");
        if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity " + queueCapacity + " must be positive");
        if (contextLength < 16) throw new IllegalArgumentException("context length " + contextLength + " is below 16");
        if (memoryBudget < 1) throw new IllegalArgumentException("memory budget " + memoryBudget + " must be positive");
        if (batchSize < 1 || batchSize > 64) throw new IllegalArgumentException("batch size " + batchSize + " is not in 1-64");
    }

    /** Defaults for everything but the models: loopback, port 8080, no keys, an 8 GiB model budget. */
    public static ServerOptions of(Map<String, Path> models) {
        return new ServerOptions("127.0.0.1", 8080, models, null, Set.of(), DEFAULT_MAX_BODY_BYTES,
                DEFAULT_QUEUE_CAPACITY, DEFAULT_CONTEXT_LENGTH, 8L << 30, DEFAULT_BATCH_SIZE);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, models, hubModels, apiKeys, maxBodyBytes, queueCapacity, contextLength, memoryBudget, batchSize);
    }

    public ServerOptions withApiKeys(Set<String> keys) {
        return new ServerOptions(host, port, models, hubModels, keys, maxBodyBytes, queueCapacity, contextLength, memoryBudget, batchSize);
    }

    public ServerOptions withLimits(long bodyBytes, int queue, int context) {
        return new ServerOptions(host, port, models, hubModels, apiKeys, bodyBytes, queue, context, memoryBudget, batchSize);
    }

    public ServerOptions withHub(Path folder) {
        return new ServerOptions(host, port, models, folder, apiKeys, maxBodyBytes, queueCapacity, contextLength, memoryBudget, batchSize);
    }

    public ServerOptions withBatchSize(int n) {
        return new ServerOptions(host, port, models, hubModels, apiKeys, maxBodyBytes, queueCapacity, contextLength, memoryBudget, n);
    }

    public ServerOptions withMemoryBudget(long bytes) {
        return new ServerOptions(host, port, models, hubModels, apiKeys, maxBodyBytes, queueCapacity, contextLength, bytes, batchSize);
    }
}
