package ai.basalt.format.safetensors;

import ai.basalt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a checkpoint into a folder as Hugging Face does: tensors, in the order added, fill shards of at most
 * {@code maxShardBytes} of data each (a tensor larger than that gets a shard of its own), named
 * {@code model-00001-of-0000N.safetensors}, with {@value SafetensorsIndex#FILE_NAME} mapping each tensor to its
 * shard. A checkpoint that fits one shard is written as a single {@value ShardedSafetensors#SINGLE_FILE} with no
 * index, as transformers' {@code save_pretrained} does.
 */
public final class ShardedSafetensorsWriter {
    private final long maxShardBytes;
    private final SafetensorsWriter all = new SafetensorsWriter();
    private final Map<String, String> metadata = new TreeMap<>();

    /** @param maxShardBytes most bytes of tensor data per shard, positive */
    public ShardedSafetensorsWriter(long maxShardBytes) {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("shard size " + maxShardBytes + " is not positive");
        this.maxShardBytes = maxShardBytes;
    }

    /** Adds a {@code "__metadata__"} entry to every shard (transformers writes {@code "format": "pt"}). */
    public ShardedSafetensorsWriter metadata(String key, String value) {
        all.metadata(key, value);
        metadata.put(key, value);
        return this;
    }

    /** See {@link SafetensorsWriter#add(String, SafetensorsDType, long[], MemorySegment)}. */
    public ShardedSafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, MemorySegment data) {
        all.add(name, dtype, shape, data);
        return this;
    }

    /** See {@link SafetensorsWriter#add(Tensor)}. */
    public ShardedSafetensorsWriter add(Tensor tensor) {
        all.add(tensor);
        return this;
    }

    /**
     * Writes the shards and the index into {@code folder}, which must exist, and returns the index (also for a
     * single file, where it is not written).
     */
    public SafetensorsIndex write(Path folder) {
        List<List<SafetensorsWriter.Pending>> groups = new ArrayList<>();
        List<SafetensorsWriter.Pending> current = new ArrayList<>();
        long currentBytes = 0;
        for (SafetensorsWriter.Pending p : all.pending()) {
            long bytes = p.data().byteSize();
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                groups.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(p);
            currentBytes += bytes;
        }
        if (!current.isEmpty() || groups.isEmpty()) groups.add(current);
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < groups.size(); i++) {
            String file = groups.size() == 1 ? ShardedSafetensors.SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size());
            SafetensorsWriter shard = new SafetensorsWriter();
            metadata.forEach(shard::metadata);
            for (SafetensorsWriter.Pending p : groups.get(i)) {
                shard.add(p.name(), p.dtype(), p.shape(), p.data());
                weightMap.put(p.name(), file);
            }
            shard.write(folder.resolve(file));
        }
        SafetensorsIndex index = new SafetensorsIndex(all.dataSize(), weightMap);
        if (groups.size() > 1) index.write(folder.resolve(SafetensorsIndex.FILE_NAME));
        return index;
    }
}
