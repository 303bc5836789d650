package ai.basalt.model.hf;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.format.safetensors.SafetensorsIndex;
import ai.basalt.format.safetensors.SafetensorsTensorInfo;
import ai.basalt.format.safetensors.ShardedSafetensors;
import ai.basalt.model.ModelLoadException;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hugging Face model folder ({@value #CONFIG}, {@code model.safetensors} or shards with
 * {@code model.safetensors.index.json}, and the tokenizer files of {@link HuggingFaceTokenizer}) seen as the GGUF
 * file llama.cpp's {@code convert_hf_to_gguf.py} would make of it: metadata under GGUF keys
 * ({@link HuggingFaceConfig}), tensors under GGUF names ({@link TensorMap}).
 *
 * <p>Opening checks everything before handing out anything: every tensor the config implies is present with its
 * shape and an F32, F16 or BF16 dtype, and no tensor is left over. Tensors stay in their stored type; those whose
 * layout is the same in both formats are views of the memory-mapped safetensors files, and the others (Llama's query
 * and key rows, GPT-2's {@code Conv1D} weights) are rearranged once, on first use, into memory the folder owns until
 * {@link #close()}. Llama 3's {@code rope_freqs.weight} is computed from config.json.
 */
public final class HuggingFaceFolder implements GgufView {
    public static final String CONFIG = "config.json";
    /** The data section alignment of the GGUF file the tensor offsets describe. */
    private static final long ALIGNMENT = 32;
    private static final Set<DType> READ_TYPES = Set.of(DType.F32, DType.F16, DType.BF16);

    /** Where a GGUF tensor comes from: an entry of the checkpoint under its stored name, or computed values. */
    private record Source(TensorMap.Entry entry, String stored, GgufTensorInfo info, float[] computed) {}

    private final Path folder;
    private final ShardedSafetensors weights;
    private final GgufMetadata metadata;
    private final Map<String, Source> sources;
    private final List<GgufTensorInfo> infos;
    private final Arena arena = Arena.ofShared();
    private final Map<String, MemorySegment> rearranged = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private HuggingFaceFolder(Path folder, ShardedSafetensors weights, GgufMetadata metadata, Map<String, Source> sources) {
        this.folder = folder;
        this.weights = weights;
        this.metadata = metadata;
        this.sources = sources;
        this.infos = sources.values().stream().map(Source::info).toList();
    }

    /** Whether {@code path} is a folder with a {@value #CONFIG}, which Basalt then reads as a Hugging Face model. */
    public static boolean isModelFolder(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(CONFIG));
    }

    /**
     * Opens and checks the folder.
     *
     * @throws ModelLoadException naming the file and the field or tensor that is missing or inconsistent
     * @throws ai.basalt.format.safetensors.SafetensorsFormatException if a safetensors file is malformed
     * @throws ai.basalt.tokenizer.TokenizerFormatException if a tokenizer file is malformed
     */
    public static HuggingFaceFolder open(Path folder) {
        if (!Files.isDirectory(folder)) throw new ModelLoadException(folder + ": no such model folder");
        HuggingFaceConfig.Parsed config = HuggingFaceConfig.read(
                JsonFile.read(folder.resolve(CONFIG), "a Hugging Face model folder needs one"));
        HuggingFaceTokenizer.Loaded tokenizer = HuggingFaceTokenizer.read(folder, config.family(),
                config.shapes().vocab(), config.bos(), config.eos());
        ShardedSafetensors weights = openWeights(folder);
        try {
            GgufMetadata.Builder m = config.metadata()
                    .putString(MetadataKey.GENERAL_NAME.key(), String.valueOf(folder.toAbsolutePath().getFileName()));
            tokenizer.tokenizer().putGgufMetadata(m);
            if (tokenizer.chatTemplate() != null) {
                m.putString(MetadataKey.TOKENIZER_CHAT_TEMPLATE.key(), tokenizer.chatTemplate());
            }
            return new HuggingFaceFolder(folder, weights, m.build(), sources(config, weights));
        } catch (RuntimeException | Error e) {
            weights.close();
            throw e;
        }
    }

    private static ShardedSafetensors openWeights(Path folder) {
        if (!Files.exists(folder.resolve(SafetensorsIndex.FILE_NAME))
                && !Files.exists(folder.resolve(ShardedSafetensors.SINGLE_FILE))) {
            throw new ModelLoadException(folder + ": no " + ShardedSafetensors.SINGLE_FILE + " or "
                    + SafetensorsIndex.FILE_NAME + " (Basalt reads safetensors checkpoints, not pytorch_model.bin)");
        }
        return ShardedSafetensors.open(folder);
    }

    /** Every tensor config.json implies, checked against the checkpoint, in GGUF order. */
    private static Map<String, Source> sources(HuggingFaceConfig.Parsed config, ShardedSafetensors weights) {
        ModelFamily family = config.family();
        Map<String, String> stored = new LinkedHashMap<>();
        for (String name : weights.names()) {
            boolean bareGpt2 = family == ModelFamily.GPT2 && !name.startsWith("transformer.") && !name.startsWith("lm_head.");
            stored.put(bareGpt2 ? "transformer." + name : name, name);
        }
        Map<String, Source> out = new LinkedHashMap<>();
        long offset = 0;
        if (config.ropeFreqs() != null) {
            GgufTensorInfo info = new GgufTensorInfo(TensorKey.ROPE_FREQS.weight(), DType.F32,
                    new long[] {config.ropeFreqs().length}, offset);
            out.put(info.name(), new Source(null, null, info, config.ropeFreqs()));
            offset = next(info);
        }
        for (TensorMap.Entry e : TensorMap.of(family, config.shapes())) {
            String name = stored.remove(e.hfName());
            if (name == null) {
                throw new ModelLoadException(weights.path() + ": tensor '" + e.hfName() + "' is missing (a "
                        + family.className + " of this config.json has it)");
            }
            SafetensorsTensorInfo t = weights.info(name);
            Path shard = weights.shardOf(name).path();
            DType type = t.dtype().ggml();
            if (type == null || !READ_TYPES.contains(type)) {
                throw new ModelLoadException(shard + ": tensor '" + name + "' is " + t.dtype()
                        + "; Basalt reads F32, F16 and BF16 weights");
            }
            if (!Arrays.equals(t.shape(), e.hfShape())) {
                throw new ModelLoadException(shard + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.hfShape()) + " from config.json");
            }
            GgufTensorInfo info = new GgufTensorInfo(e.ggufName(), type, e.ggufDims(), offset);
            out.put(info.name(), new Source(e, name, info, null));
            offset = next(info);
        }
        for (Map.Entry<String, String> left : stored.entrySet()) {
            boolean tiedCopy = config.shapes().tied() && left.getKey().equals("lm_head.weight");
            if (!tiedCopy && !TensorMap.ignored(left.getKey())) {
                throw new ModelLoadException(weights.shardOf(left.getValue()).path() + ": tensor '" + left.getValue()
                        + "' has no place in a " + family.className + " of this config.json");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static long next(GgufTensorInfo info) {
        long end = info.offset() + info.byteSize();
        return (end + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** The folder. */
    @Override
    public Path path() {
        return folder;
    }

    @Override
    public GgufMetadata metadata() {
        return metadata;
    }

    @Override
    public List<GgufTensorInfo> tensors() {
        return infos;
    }

    @Override
    public Optional<GgufTensorInfo> findTensor(String name) {
        Source s = sources.get(name);
        return s == null ? Optional.empty() : Optional.of(s.info());
    }

    @Override
    public Tensor tensor(String name) {
        Source s = sources.get(name);
        if (s == null) {
            throw new ModelLoadException(folder + ": no tensor '" + name + "' among its " + sources.size()
                    + " tensors (GGUF names)");
        }
        if (closed) throw new IllegalStateException(folder + ": the model folder is closed");
        GgufTensorInfo info = s.info();
        if (s.computed() != null) return Tensor.ofFloats(name, s.computed(), info.dims());
        MemorySegment data = weights.bytes(s.stored());
        if (s.entry().layout() != TensorMap.Layout.AS_IS) {
            data = rearranged.computeIfAbsent(name, k -> rearrange(s, weights.bytes(s.stored())));
        }
        return new Tensor(name, info.type(), info.dims(), data);
    }

    private MemorySegment rearrange(Source s, MemorySegment stored) {
        MemorySegment out = arena.allocate(stored.byteSize(), 8);
        s.entry().toGguf(stored, out, Math.toIntExact(s.info().type().byteSize(1)));
        return out;
    }

    /** Unmaps the checkpoint and frees rearranged tensors; tensors taken from the folder become unusable. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        weights.close();
        arena.close();
    }

    @Override
    public String toString() {
        return "HuggingFaceFolder[" + folder + ", " + architecture() + ", " + infos.size() + " tensors]";
    }
}
