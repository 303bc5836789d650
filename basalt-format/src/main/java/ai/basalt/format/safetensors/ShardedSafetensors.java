package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsFormatException.quote;

import ai.basalt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The tensors of a checkpoint stored as one or more safetensors files: a sharded one, whose
 * {@code model.safetensors.index.json} maps every tensor to its shard, or a single {@code model.safetensors}.
 *
 * <p>Opening maps every shard and checks that each tensor the index names is in the shard it names; tensors a
 * shard holds beyond those are not visible. Views stay valid until {@link #close()}, which unmaps all shards.
 */
public final class ShardedSafetensors implements AutoCloseable {
    /** The file name of an unsharded checkpoint in a model folder. */
    public static final String SINGLE_FILE = "model.safetensors";

    private final Path index;
    private final Map<String, SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> byTensor;

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> shards, Map<String, SafetensorsFile> byTensor) {
        this.index = index;
        this.shards = shards;
        this.byTensor = byTensor;
    }

    /**
     * Opens a checkpoint: {@code path} is an index file, a single safetensors file, or a folder holding
     * {@value SafetensorsIndex#FILE_NAME} or else {@value #SINGLE_FILE}.
     *
     * @throws SafetensorsFormatException if the index or a shard is malformed, or a tensor is not where the index
     *     says
     * @throws java.io.UncheckedIOException naming the file if one is missing or cannot be read
     */
    public static ShardedSafetensors open(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            Path indexFile = path.resolve(SafetensorsIndex.FILE_NAME);
            path = Files.exists(indexFile) ? indexFile : path.resolve(SINGLE_FILE);
        }
        if (!path.getFileName().toString().endsWith(".json")) return single(path);
        SafetensorsIndex idx = SafetensorsIndex.read(path);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> byTensor = new TreeMap<>();
            for (Map.Entry<String, String> e : idx.weightMap().entrySet()) {
                SafetensorsFile shard = shards.get(e.getValue());
                if (shard == null) {
                    shard = SafetensorsFile.open(path.resolveSibling(e.getValue()));
                    shards.put(e.getValue(), shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new SafetensorsFormatException(path + ": tensor " + quote(e.getKey())
                            + " is mapped to shard " + quote(e.getValue()) + ", which does not hold it");
                }
                byTensor.put(e.getKey(), shard);
            }
            return new ShardedSafetensors(path, shards, byTensor);
        } catch (RuntimeException | Error e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static ShardedSafetensors single(Path file) {
        SafetensorsFile shard = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> byTensor = new TreeMap<>();
        for (SafetensorsTensorInfo t : shard.tensors()) byTensor.put(t.name(), shard);
        return new ShardedSafetensors(file, Map.of(file.getFileName().toString(), shard), byTensor);
    }

    /** The index file, or the single safetensors file. */
    public Path path() {
        return index;
    }

    /** The tensor names, sorted. */
    public List<String> names() {
        return List.copyOf(byTensor.keySet());
    }

    /** The opened shards by file name. */
    public Map<String, SafetensorsFile> shards() {
        return Map.copyOf(shards);
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    /** The shard that holds tensor {@code name}. */
    public SafetensorsFile shardOf(String name) {
        SafetensorsFile shard = byTensor.get(name);
        if (shard == null) {
            throw new SafetensorsFormatException(index + ": no tensor " + quote(name) + " among its "
                    + byTensor.size() + " tensors");
        }
        return shard;
    }

    public SafetensorsTensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    /** See {@link SafetensorsFile#bytes(String)}. */
    public MemorySegment bytes(String name) {
        return shardOf(name).bytes(name);
    }

    /** See {@link SafetensorsFile#tensor(String)}. */
    public Tensor tensor(String name) {
        return shardOf(name).tensor(name);
    }

    /** Unmaps every shard. */
    @Override
    public void close() {
        shards.values().forEach(SafetensorsFile::close);
    }
}
