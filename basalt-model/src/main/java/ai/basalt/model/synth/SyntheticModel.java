package ai.basalt.model.synth;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.layers.ScratchSpace;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.model.quantize.GgufQuantizer;
import ai.basalt.model.quantize.QuantizationPlan;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A random-weight model of a {@link SynthPreset}'s shape in a {@link SynthType}: its GGUF metadata (hyper-parameters
 * through {@link LlamaConfig#putGgufMetadata}, the {@link SyntheticVocabulary} through the tokenizer's
 * {@code putGgufMetadata}) and its tensors, each with the type llama.cpp would give it ({@link QuantizationPlan} for
 * the quantized types; for the float types, matrices in that type and vectors in F32, as the converter writes them),
 * in llama.cpp's order. Planning costs no tensor data, so a full-size plan can be checked cheaply.
 *
 * <p>{@link #write} fills weight matrices and biases with normal(0, 0.02) values, norms with ones and Llama 3's
 * {@code rope_freqs} with its divisors. Every row draws from its own generator, seeded from the seed, the tensor's
 * name and the row, so the file is the same whatever the thread count, and a layer's weights do not depend on how many
 * layers are written. Rows are encoded a few at a time per thread straight into a memory-mapped scratch file
 * (deleted afterwards) that {@link GgufWriter} then copies into the output, atomically: the heap never holds the
 * model, but the disk needs about twice the output's size while it runs.
 */
public final class SyntheticModel {
    /** Standard deviation of weight matrices and biases. */
    public static final double WEIGHT_STD = 0.02;
    private static final int ROWS_PER_TASK = 16;

    /** How a tensor's values are made. */
    public enum Init { NORMAL, ONES, ROPE_FREQS }

    /**
     * One tensor of the file.
     *
     * @param name GGUF tensor name
     * @param dims GGML dims, innermost first
     * @param type the type it is written in
     */
    public record Entry(String name, long[] dims, DType type, Init init) {
        public Entry {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        /** Bytes of its data in the file. */
        public long byteSize() {
            return type.byteSize(elementCount());
        }

        public long elementCount() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    /** Told after each tensor is written. */
    @FunctionalInterface
    public interface Listener {
        void tensorDone(Entry entry, int done, int total);
    }

    private final SynthPreset preset;
    private final SynthType type;
    private final LlamaConfig config;
    private final GgufMetadata metadata;
    private final List<Entry> entries;

    private SyntheticModel(SynthPreset preset, SynthType type, LlamaConfig config, GgufMetadata metadata,
            List<Entry> entries) {
        this.preset = preset;
        this.type = type;
        this.config = config;
        this.metadata = metadata;
        this.entries = List.copyOf(entries);
    }

    /** The full-size model of {@code preset} in {@code type}. */
    public static SyntheticModel plan(SynthPreset preset, SynthType type) {
        return plan(preset, type, preset.config().blockCount());
    }

    /**
     * The model of {@code preset} in {@code type} with only {@code layers} transformer blocks (for tests and quick
     * checks; everything else keeps the preset's size).
     *
     * @throws IllegalArgumentException if {@code layers} is not positive
     */
    public static SyntheticModel plan(SynthPreset preset, SynthType type, int layers) {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(type, "type");
        if (layers <= 0) throw new IllegalArgumentException("layers must be positive, got " + layers);
        LlamaConfig c = withLayers(preset.config(), layers);
        String arch = preset.architecture();
        GgufMetadata.Builder m = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), arch)
                .putString(MetadataKey.GENERAL_NAME.key(), "synthetic " + preset.presetName())
                .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), type.fileType());
        if (type.recipe() != null) {
            m.putInt(MetadataKey.GENERAL_QUANTIZATION_VERSION.key(), GgufQuantizer.QUANTIZATION_VERSION);
        }
        c.putGgufMetadata(m, arch);
        SyntheticVocabulary.tokenizer(preset).putGgufMetadata(m);
        GgufMetadata metadata = m.build();

        List<GgufTensorInfo> f32 = new ArrayList<>();
        List<Init> inits = new ArrayList<>();
        int dim = c.embeddingLength();
        addTensor(f32, inits, TensorKey.TOKEN_EMBD.weight(), Init.NORMAL, dim, c.vocabularySize());
        addTensor(f32, inits, TensorKey.OUTPUT_NORM.weight(), Init.ONES, dim);
        if (preset.ropeScaling() != null) {
            addTensor(f32, inits, TensorKey.ROPE_FREQS.weight(), Init.ROPE_FREQS, c.ropeDimensions() / 2);
        }
        for (int l = 0; l < layers; l++) {
            addTensor(f32, inits, TensorKey.ATTN_NORM.weight(l), Init.ONES, dim);
            addTensor(f32, inits, TensorKey.ATTN_Q.weight(l), Init.NORMAL, dim, c.qDim());
            addTensor(f32, inits, TensorKey.ATTN_K.weight(l), Init.NORMAL, dim, c.kvDim());
            addTensor(f32, inits, TensorKey.ATTN_V.weight(l), Init.NORMAL, dim, c.kvDim());
            if (c.attentionBias()) {
                addTensor(f32, inits, TensorKey.ATTN_Q.bias(l), Init.NORMAL, c.qDim());
                addTensor(f32, inits, TensorKey.ATTN_K.bias(l), Init.NORMAL, c.kvDim());
                addTensor(f32, inits, TensorKey.ATTN_V.bias(l), Init.NORMAL, c.kvDim());
            }
            addTensor(f32, inits, TensorKey.ATTN_OUTPUT.weight(l), Init.NORMAL, c.qDim(), dim);
            addTensor(f32, inits, TensorKey.FFN_NORM.weight(l), Init.ONES, dim);
            addTensor(f32, inits, TensorKey.FFN_GATE.weight(l), Init.NORMAL, dim, c.feedForwardLength());
            addTensor(f32, inits, TensorKey.FFN_UP.weight(l), Init.NORMAL, dim, c.feedForwardLength());
            addTensor(f32, inits, TensorKey.FFN_DOWN.weight(l), Init.NORMAL, c.feedForwardLength(), dim);
        }

        List<Entry> entries = new ArrayList<>();
        if (type.recipe() != null) {
            for (QuantizationPlan.Entry e : QuantizationPlan.of(metadata, f32, type.recipe()).entries()) {
                entries.add(new Entry(e.name(), e.source().dims(), e.type(), inits.get(indexOf(f32, e.name()))));
            }
        } else {
            List<Integer> order = new ArrayList<>(IntStream.range(0, f32.size()).boxed().toList());
            order.sort(Comparator.comparingInt((Integer i) -> layerOf(f32.get(i).name())).thenComparing(i -> f32.get(i).name()));
            for (int i : order) {
                GgufTensorInfo t = f32.get(i);
                DType dt = t.dims().length >= 2 ? type.matrixType() : DType.F32;
                entries.add(new Entry(t.name(), t.dims(), dt, inits.get(i)));
            }
        }
        return new SyntheticModel(preset, type, c, metadata, entries);
    }

    public SynthPreset preset() {
        return preset;
    }

    public SynthType type() {
        return type;
    }

    /** The hyper-parameters written, with the block count of this plan. */
    public LlamaConfig config() {
        return config;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** The tensors in the order they are written. */
    public List<Entry> entries() {
        return entries;
    }

    /** Bytes of tensor data, unpadded. */
    public long dataBytes() {
        long n = 0;
        for (Entry e : entries) n += e.byteSize();
        return n;
    }

    /**
     * Writes the model with values drawn from {@code seed} to {@code out}, replacing any file there; {@code out} appears
     * only once complete.
     *
     * @throws UncheckedIOException naming {@code out} or its scratch file beside it if writing fails
     */
    public void write(Path out, long seed, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        Path target = out.toAbsolutePath();
        try (ScratchSpace space = ScratchSpace.create(target.getParent(), target.getFileName().toString(), dataBytes())) {
            GgufWriter writer = new GgufWriter(metadata);
            int done = 0;
            for (Entry e : entries) {
                MemorySegment data = space.next(e.byteSize());
                fill(e, seed, data);
                writer.addTensor(e.name(), e.type(), e.dims(), data);
                listener.tensorDone(e, ++done, entries.size());
            }
            writer.write(out);
        }
    }

    /** Encodes the values of {@code e} into {@code dst}, a few rows per parallel task. */
    private void fill(Entry e, long seed, MemorySegment dst) {
        long[] dims = e.dims();
        int cols = Math.toIntExact(dims[0]);
        int rows = Math.toIntExact(e.elementCount() / cols);
        if (e.init() == Init.ROPE_FREQS) {
            float[] divisors = preset.ropeScaling().divisors(config.ropeFreqBase(), config.ropeDimensions());
            Quantizer.quantize(divisors, 0, cols, e.type(), dst, 0);
            return;
        }
        long rowBytes = e.type().byteSize(cols);
        long tensorSeed = mix(seed ^ mix(e.name().hashCode()));
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(task -> {
            float[] row = new float[cols];
            int end = Math.min(rows, (task + 1) * ROWS_PER_TASK);
            for (int r = task * ROWS_PER_TASK; r < end; r++) {
                if (e.init() == Init.ONES) {
                    Arrays.fill(row, 1f);
                } else {
                    SplittableRandom random = new SplittableRandom(mix(tensorSeed + r));
                    for (int i = 0; i < cols; i++) row[i] = (float) (random.nextGaussian() * WEIGHT_STD);
                }
                Quantizer.quantize(row, 0, cols, e.type(), dst, r * rowBytes);
            }
        });
    }

    /** A 64-bit finalizer (SplitMix64's), so nearby seeds give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static void addTensor(List<GgufTensorInfo> f32, List<Init> inits, String name, Init init, long... dims) {
        f32.add(new GgufTensorInfo(name, DType.F32, dims, 0));
        inits.add(init);
    }

    private static int indexOf(List<GgufTensorInfo> tensors, String name) {
        for (int i = 0; i < tensors.size(); i++) if (tensors.get(i).name().equals(name)) return i;
        throw new IllegalStateException("no tensor " + name);
    }

    private static int layerOf(String name) {
        if (!name.startsWith("blk.")) return -1;
        return Integer.parseInt(name.substring(4, name.indexOf('.', 4)));
    }

    private static LlamaConfig withLayers(LlamaConfig c, int layers) {
        return new LlamaConfig(c.embeddingLength(), c.feedForwardLength(), layers, c.headCount(), c.headCountKv(),
                c.headDim(), c.vocabularySize(), c.contextLength(), c.rmsEpsilon(), c.ropeFreqBase(), c.ropeDimensions(),
                c.ropeMode(), c.ropeFreqScale(), c.attentionBias(), c.qkNorm(), c.fusedQkv(), c.fusedGateUp());
    }
}
