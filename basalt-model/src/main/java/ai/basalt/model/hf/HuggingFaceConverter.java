package ai.basalt.model.hf;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.format.safetensors.SafetensorsDType;
import ai.basalt.format.safetensors.ShardedSafetensorsWriter;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.gpt2.Gpt2Config;
import ai.basalt.model.layers.ScratchSpace;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.GgufTokenizers;
import ai.basalt.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code basalt convert} between Hugging Face folders and GGUF files, both ways, as llama.cpp's
 * {@code convert_hf_to_gguf.py} goes one way: names, hyper-parameters and tokenizer by {@link HuggingFaceFolder}'s
 * mapping, weight matrices in the chosen float type, and (converting to GGUF) one-dimensional tensors, norms,
 * biases and GPT-2's position embedding in F32, as the converter keeps them. Quantized GGUF tensors are dequantized.
 *
 * <p>Outputs appear whole or not at all: a GGUF file is written beside its target and moved into place; a folder is
 * built as a hidden sibling and moved into place ({@link OutputFolder}). Re-encoded and rearranged tensors go
 * through a memory-mapped {@link ScratchSpace}, so memory does not grow with the model.
 */
public final class HuggingFaceConverter {
    /** transformers' default {@code max_shard_size} (5 GB, decimal). */
    public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;

    /** The float types a conversion writes, with llama.cpp's {@code general.file_type} and torch's dtype name. */
    public enum FloatType {
        F32(DType.F32, 0, "float32"),
        F16(DType.F16, 1, "float16"),
        BF16(DType.BF16, 32, "bfloat16");

        final DType dtype;
        /** {@code LLAMA_FTYPE_ALL_F32}, {@code LLAMA_FTYPE_MOSTLY_F16}, {@code LLAMA_FTYPE_MOSTLY_BF16}. */
        final int fileType;
        final String torchName;

        FloatType(DType dtype, int fileType, String torchName) {
            this.dtype = dtype;
            this.fileType = fileType;
            this.torchName = torchName;
        }

        public DType dtype() {
            return dtype;
        }

        /**
         * The type named {@code name} ({@code f32}, {@code f16}, {@code bf16}), ignoring case.
         *
         * @throws IllegalArgumentException naming the choices otherwise
         */
        public static FloatType parse(String name) {
            for (FloatType t : values()) {
                if (t.name().equalsIgnoreCase(name.strip())) return t;
            }
            throw new IllegalArgumentException("type '" + name + "' is not one of f32, f16, bf16 (quantized types: "
                    + "convert, then 'basalt quantize')");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a conversion wrote: tensors, the weight matrices' type and the bytes of tensor data. */
    public record Summary(Path out, int tensors, FloatType type, long dataBytes) {}

    private HuggingFaceConverter() {}

    /**
     * Writes the Hugging Face model in {@code folder} as the GGUF file {@code out}, replacing any file there.
     *
     * @param type the weight matrices' type, or null for the checkpoint's own (its first matrix's)
     * @throws ModelLoadException if the folder is not a model Basalt reads
     */
    public static Summary toGguf(Path folder, Path out, FloatType type) {
        try (HuggingFaceFolder model = HuggingFaceFolder.open(folder)) {
            FloatType target = type != null ? type : sourceType(model);
            GgufMetadata metadata = model.metadata().toBuilder()
                    .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), target.fileType).build();
            long scratch = 0;
            for (GgufTensorInfo t : model.tensors()) {
                DType want = ggufType(t, target);
                if (want != t.type()) scratch += want.byteSize(t.elementCount());
            }
            Path dir = out.toAbsolutePath().getParent();
            try (ScratchSpace space = ScratchSpace.create(dir, String.valueOf(out.getFileName()), scratch)) {
                GgufWriter writer = new GgufWriter(metadata);
                long bytes = 0;
                for (GgufTensorInfo t : model.tensors()) {
                    DType want = ggufType(t, target);
                    Tensor tensor = model.tensor(t.name());
                    MemorySegment data = want == t.type() ? tensor.data() : space.encode(tensor, want);
                    writer.addTensor(t.name(), want, t.dims(), data);
                    bytes += data.byteSize();
                }
                writer.write(out);
                return new Summary(out, model.tensors().size(), target, bytes);
            }
        }
    }

    /**
     * The type a GGUF tensor gets, as {@code convert_hf_to_gguf.py}'s {@code prepare_tensors} decides: F32 for
     * vectors, norms, biases and position embeddings, which llama.cpp computes in F32; {@code target} otherwise.
     */
    static DType ggufType(GgufTensorInfo t, FloatType target) {
        String name = t.name();
        boolean f32 = t.dims().length == 1 || name.endsWith("_norm.weight") || !name.endsWith(".weight")
                || name.equals(TensorKey.POSITION_EMBD.weight());
        return f32 ? DType.F32 : target.dtype;
    }

    /** The float type of the first matrix, F32 where that is quantized ({@code --outtype auto}, minus its guess). */
    private static FloatType sourceType(GgufView model) {
        for (GgufTensorInfo t : model.tensors()) {
            if (t.dims().length < 2) continue;
            for (FloatType f : FloatType.values()) if (f.dtype == t.type()) return f;
            return FloatType.F32;
        }
        return FloatType.F32;
    }

    /**
     * Writes the GGUF model {@code gguf} as the Hugging Face folder {@code out}, replacing any folder there.
     *
     * @param type every tensor's type, or null for the file's own (its first matrix's; F32 for a quantized file)
     * @param maxShardBytes most bytes of tensor data per safetensors shard; more become shards with an index
     * @throws ModelLoadException if the model has no Hugging Face form Basalt writes
     */
    public static Summary toHuggingFace(Path gguf, Path out, FloatType type, long maxShardBytes) {
        try (GgufFile file = GgufFile.open(gguf)) {
            String arch = file.architecture();
            ModelFamily family = ModelFamily.ofGguf(arch).orElseThrow(() -> new ModelLoadException(gguf
                    + ": architecture '" + arch + "' has no Hugging Face class Basalt writes (it writes "
                    + ModelFamily.classNames() + ")"));
            List<TensorMap.Entry> entries = TensorMap.of(family, shapes(file, family));
            checkCovered(file, family, entries);
            FloatType target = type != null ? type : sourceType(file);
            Tokenizer tokenizer = GgufTokenizers.load(file.metadata(), String.valueOf(gguf.getFileName()));
            try (OutputFolder folder = OutputFolder.create(out)) {
                ObjectNode config = HuggingFaceConfig.write(file, family, target.torchName,
                        tokenizer.vocabulary().bos(), tokenizer.vocabulary().eos());
                JsonFile.write(folder.path().resolve(HuggingFaceFolder.CONFIG), config);
                writeGenerationConfig(folder.path(), tokenizer);
                HuggingFaceTokenizer.write(folder.path(), tokenizer,
                        file.metadata().findString(MetadataKey.TOKENIZER_CHAT_TEMPLATE.key()).orElse(null),
                        contextLength(file, family));
                long bytes = writeWeights(file, entries, target, folder.path(), maxShardBytes);
                folder.commit();
                return new Summary(out, entries.size(), target, bytes);
            }
        }
    }

    private static TensorMap.Shapes shapes(GgufView file, ModelFamily family) {
        boolean tied = file.findTensor(TensorKey.OUTPUT.weight()).isEmpty();
        if (family == ModelFamily.GPT2) {
            Gpt2Config g = Gpt2Config.fromGguf(file, file.architecture());
            return new TensorMap.Shapes(g.embeddingLength(), g.feedForwardLength(), g.blockCount(), g.headCount(),
                    g.headCount(), g.headDim(), g.vocabularySize(), g.contextLength(), tied);
        }
        LlamaConfig l = LlamaConfig.fromGguf(file, file.architecture());
        return new TensorMap.Shapes(l.embeddingLength(), l.feedForwardLength(), l.blockCount(), l.headCount(),
                l.headCountKv(), l.headDim(), l.vocabularySize(), l.contextLength(), tied);
    }

    private static int contextLength(GgufView file, ModelFamily family) {
        return family == ModelFamily.GPT2 ? Gpt2Config.fromGguf(file, file.architecture()).contextLength()
                : LlamaConfig.fromGguf(file, file.architecture()).contextLength();
    }

    /** Checks that the file has every tensor of the table, in its shape, and nothing else config.json cannot say. */
    private static void checkCovered(GgufView file, ModelFamily family, List<TensorMap.Entry> entries) {
        Set<String> left = new HashSet<>();
        file.tensors().forEach(t -> left.add(t.name()));
        left.remove(TensorKey.ROPE_FREQS.weight()); // written as config.json's rope_scaling
        for (TensorMap.Entry e : entries) {
            GgufTensorInfo t = file.findTensor(e.ggufName()).orElseThrow(() -> new ModelLoadException(file.path()
                    + ": tensor " + e.ggufName() + " is missing"));
            if (!Arrays.equals(t.dims(), e.ggufDims())) {
                throw new ModelLoadException(file.path() + ": tensor " + e.ggufName() + " has shape "
                        + Arrays.toString(t.dims()) + ", expected " + Arrays.toString(e.ggufDims()));
            }
            left.remove(e.ggufName());
        }
        if (!left.isEmpty()) {
            throw new ModelLoadException(file.path() + ": tensor " + left.stream().sorted().findFirst().orElseThrow()
                    + " has no counterpart in a Hugging Face " + family.className);
        }
    }

    /** The tensors in {@code target}, in Hugging Face's layout and names, into {@code model.safetensors} shards. */
    private static long writeWeights(GgufView file, List<TensorMap.Entry> entries, FloatType target, Path folder,
            long maxShardBytes) {
        int width = Math.toIntExact(target.dtype.byteSize(1));
        long scratch = 0;
        for (TensorMap.Entry e : entries) {
            GgufTensorInfo t = file.findTensor(e.ggufName()).orElseThrow();
            long size = target.dtype.byteSize(t.elementCount());
            if (t.type() != target.dtype) scratch += size;
            if (e.layout() != TensorMap.Layout.AS_IS) scratch += size;
        }
        ShardedSafetensorsWriter writer = new ShardedSafetensorsWriter(maxShardBytes).metadata("format", "pt");
        long bytes = 0;
        try (ScratchSpace space = ScratchSpace.create(folder, "weights", scratch)) {
            for (TensorMap.Entry e : entries) {
                Tensor t = file.tensor(e.ggufName());
                MemorySegment data = t.type() == target.dtype ? t.data() : space.encode(t, target.dtype);
                if (e.layout() != TensorMap.Layout.AS_IS) {
                    MemorySegment moved = space.next(data.byteSize());
                    e.toHuggingFace(data, moved, width);
                    data = moved;
                }
                writer.add(e.hfName(), SafetensorsDType.of(target.dtype), e.hfShape(), data);
                bytes += data.byteSize();
            }
            writer.write(folder);
        }
        return bytes;
    }

    private static void writeGenerationConfig(Path folder, Tokenizer tokenizer) {
        ObjectNode g = JsonFile.JSON.createObjectNode().put("_from_model_config", true);
        if (tokenizer.vocabulary().bos() >= 0) g.put("bos_token_id", tokenizer.vocabulary().bos());
        if (tokenizer.vocabulary().eos() >= 0) g.put("eos_token_id", tokenizer.vocabulary().eos());
        JsonFile.write(folder.resolve("generation_config.json"), g);
    }
}
