package ai.basalt.server;

import ai.basalt.model.Models;
import ai.basalt.model.hf.HuggingFaceFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The models a server offers, loaded on first use and kept while they fit the memory budget: loading one more
 * unloads the least recently used idle models until the files loaded fit (a model that alone exceeds the budget
 * still loads, alone).
 *
 * <p>A request names a model; only names the server offers resolve (configured ones, then the hub's). A name is
 * never taken as a path: one with {@code ..}, a leading slash, a backslash or other characters outside
 * {@code [A-Za-z0-9._:/-]} is refused before any lookup, so a request cannot reach outside the hub folder.
 */
public final class ModelPool implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");

    private final ServerOptions options;
    private final ServerMetrics metrics;
    /** Loaded models, least recently used first. */
    private final LinkedHashMap<String, ServedModel> loaded = new LinkedHashMap<>(16, 0.75f, true);

    public ModelPool(ServerOptions options, ServerMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
    }

    /** One model on offer. */
    public record Offer(String name, Path file, long bytes, long modifiedMillis) {

        /**
         * The model's card, if it has one: {@code STEM.md} beside a GGUF file, else {@code MODEL_CARD.md} or (as Hugging
         * Face folders keep it) {@code README.md} in the model's folder.
         */
        public Optional<String> card() {
            Path folder = Files.isDirectory(file) ? file : file.toAbsolutePath().getParent();
            String name = file.getFileName().toString();
            List<Path> candidates = new ArrayList<>();
            if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) {
                candidates.add(folder.resolve(name.substring(0, name.length() - ".gguf".length()) + ".md"));
            }
            candidates.add(folder.resolve("MODEL_CARD.md"));
            candidates.add(folder.resolve("README.md"));
            for (Path c : candidates) {
                if (Files.isRegularFile(c)) {
                    try {
                        return Optional.of(Files.readString(c));
                    } catch (IOException e) {
                        throw new UncheckedIOException(new IOException(c + ": cannot read the model card: " + e.getMessage(), e));
                    }
                }
            }
            return Optional.empty();
        }
    }

    /** Every model on offer: the configured ones in order, then the hub's not named the same. */
    public List<Offer> offers() {
        Map<String, Path> all = new LinkedHashMap<>(options.models());
        if (options.hubModels() != null) {
            for (HubFolder.Entry e : new HubFolder(options.hubModels()).list()) all.putIfAbsent(e.name(), e.file());
        }
        List<Offer> out = new ArrayList<>();
        for (var e : all.entrySet()) out.add(new Offer(e.getKey(), e.getValue(), sizeOf(e.getValue()), modified(e.getValue())));
        return out;
    }

    /**
     * The offered model {@code requested} names ({@code NAME} or Ollama's {@code NAME:latest}).
     *
     * @throws ApiException 400 for a malformed name, 404 for one not on offer
     */
    public Offer find(String requested) {
        String name = canonical(requested);
        for (Offer o : offers()) {
            if (o.name().equals(name)) return o;
        }
        throw ApiException.modelNotFound(requested);
    }

    /** The name {@code requested} stands for: checked, with an Ollama {@code :latest} tag dropped. */
    public static String canonical(String requested) {
        if (requested == null || requested.isBlank()) throw ApiException.badField("model", "'model' is required");
        if (!NAME.matcher(requested).matches() || requested.contains("..") || requested.startsWith("/")) {
            throw ApiException.badField("model", "model name '" + printable(requested)
                    + "' is not a model name (letters, digits and . _ : / - only, no '..', no leading '/')");
        }
        return requested.endsWith(":latest") ? requested.substring(0, requested.length() - ":latest".length()) : requested;
    }

    /** The loaded model {@code requested} names, loading it (and unloading others) as needed. */
    public ServedModel acquire(String requested) {
        Offer offer = find(requested);
        synchronized (loaded) {
            ServedModel m = loaded.get(offer.name());
            if (m != null) return m;
            makeRoom(offer.bytes());
            ServedModel fresh;
            try {
                fresh = new ServedModel(offer.name(), offer.file(), offer.bytes(), Models.load(offer.file()), options, metrics);
            } catch (RuntimeException e) {
                throw new ApiException(ApiException.Kind.INTERNAL, "model '" + offer.name() + "' failed to load: "
                        + e.getMessage(), "model", null);
            }
            loaded.put(offer.name(), fresh);
            metrics.watch(fresh);
            return fresh;
        }
    }

    /** The loaded models, least recently used first. */
    public List<ServedModel> loaded() {
        synchronized (loaded) {
            return List.copyOf(loaded.values());
        }
    }

    /** The loaded model of that name, if loaded. */
    public Optional<ServedModel> loadedModel(String name) {
        synchronized (loaded) {
            return Optional.ofNullable(loaded.get(name));
        }
    }

    /** Unloads the model of that name if loaded; true if it was. */
    public boolean unload(String name) {
        ServedModel m;
        synchronized (loaded) {
            m = loaded.remove(name);
        }
        if (m != null) {
            metrics.unwatch(m);
            m.close();
        }
        return m != null;
    }

    private void makeRoom(long incoming) {
        long used = 0;
        for (ServedModel m : loaded.values()) used += m.bytes();
        var it = loaded.values().iterator();
        while (used + incoming > options.memoryBudget() && it.hasNext()) {
            ServedModel m = it.next();
            if (!m.scheduler().idle()) continue;
            it.remove();
            used -= m.bytes();
            metrics.unwatch(m);
            m.close();
        }
    }

    private static long sizeOf(Path p) {
        try {
            if (Files.isRegularFile(p)) return Files.size(p);
            if (HuggingFaceFolder.isModelFolder(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 60 ? s.substring(0, 60) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public void close() {
        synchronized (loaded) {
            for (ServedModel m : loaded.values()) m.close();
            loaded.clear();
        }
    }
}
