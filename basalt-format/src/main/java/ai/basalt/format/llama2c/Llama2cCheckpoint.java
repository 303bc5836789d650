package ai.basalt.format.llama2c;

import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A llama2.c legacy checkpoint ({@code run.c}, "version 0"), memory-mapped: the 7-int {@link Llama2cConfig}
 * header, then FP32 weights in run.c's order. Weights come out as {@link Tensor} views named and shaped as in
 * GGUF ({@code blk.3.attn_q.weight}, dimensions innermost first), valid until {@link #close()}.
 *
 * <p>The query and key matrices are returned as stored: llama2.c rotates interleaved pairs of a head, as GGML's
 * normal RoPE mode does, so they need none of the permutation Hugging Face checkpoints do.
 */
public final class Llama2cCheckpoint implements AutoCloseable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The weight groups of run.c's {@code memory_map_weights}, in file order. */
    private enum Weight {
        TOKEN_EMBEDDING(TensorKey.TOKEN_EMBD),
        ATTENTION_NORM(TensorKey.ATTN_NORM),
        WQ(TensorKey.ATTN_Q),
        WK(TensorKey.ATTN_K),
        WV(TensorKey.ATTN_V),
        WO(TensorKey.ATTN_OUTPUT),
        FFN_NORM(TensorKey.FFN_NORM),
        W1(TensorKey.FFN_GATE),
        W2(TensorKey.FFN_DOWN),
        W3(TensorKey.FFN_UP),
        FINAL_NORM(TensorKey.OUTPUT_NORM),
        /** freq_cis_real and freq_cis_imag, unused since RoPE is computed at run time. */
        FREQ_CIS(null),
        CLASSIFIER(TensorKey.OUTPUT);

        final TensorKey key;

        Weight(TensorKey key) {
            this.key = key;
        }

        /** Dimensions of one tensor (one layer's, for per-layer weights), GGML order. */
        long[] dims(Llama2cConfig c) {
            return switch (this) {
                case TOKEN_EMBEDDING, CLASSIFIER -> new long[] {c.dim(), c.vocabSize()};
                case ATTENTION_NORM, FFN_NORM, FINAL_NORM -> new long[] {c.dim()};
                case WQ, WO -> new long[] {c.dim(), c.dim()};
                case WK, WV -> new long[] {c.dim(), c.kvDim()};
                case W1, W3 -> new long[] {c.dim(), c.hiddenDim()};
                case W2 -> new long[] {c.hiddenDim(), c.dim()};
                // run.c skips seq_len * head_size / 2 floats twice.
                case FREQ_CIS -> new long[] {2 * ((long) c.seqLen() * c.headSize() / 2)};
            };
        }

        /** Floats the whole group occupies in the file. */
        long floats(Llama2cConfig c) {
            if (this == CLASSIFIER && c.sharedClassifier()) return 0;
            long n = key != null && key.perLayer() ? c.layers() : 1;
            for (long d : dims(c)) n = Math.multiplyExact(n, d);
            return n;
        }
    }

    private final Path path;
    private final Llama2cConfig config;
    private final Arena arena;
    private final MemorySegment data;
    /** Byte offset of each weight group in the file. */
    private final Map<Weight, Long> offsets;

    private Llama2cCheckpoint(Path path, Llama2cConfig config, Arena arena, MemorySegment data, Map<Weight, Long> offsets) {
        this.path = path;
        this.config = config;
        this.arena = arena;
        this.data = data;
        this.offsets = offsets;
    }

    /**
     * Memory-maps and checks {@code path}: a valid header, and a size that is exactly what the header implies.
     *
     * @throws Llama2cFormatException naming the file if it is truncated, too long, or its header is nonsense
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static Llama2cCheckpoint open(Path path) {
        Objects.requireNonNull(path, "path");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < Llama2cConfig.HEADER_BYTES) {
                throw fail(path, "truncated: " + size + " bytes, shorter than the " + Llama2cConfig.HEADER_BYTES + "-byte header");
            }
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Llama2cConfig config = header(path, data);
            Map<Weight, Long> offsets = new EnumMap<>(Weight.class);
            long expected = layout(path, config, offsets);
            if (size != expected) {
                throw fail(path, (size < expected ? "truncated: " : "") + size + " bytes, but the header (" + config.header()
                        + ") needs exactly " + expected);
            }
            return new Llama2cCheckpoint(path, config, arena, data, offsets);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(path + ": cannot read llama2.c checkpoint (" + e + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public Llama2cConfig config() {
        return config;
    }

    /** (vocab, dim) */
    public Tensor tokenEmbedding() {
        return view(Weight.TOKEN_EMBEDDING, -1);
    }

    /** (dim) RMSNorm weight before attention. */
    public Tensor attentionNorm(int layer) {
        return view(Weight.ATTENTION_NORM, layer);
    }

    /** (dim, dim): rows are outputs. */
    public Tensor wq(int layer) {
        return view(Weight.WQ, layer);
    }

    /** (kvDim, dim) */
    public Tensor wk(int layer) {
        return view(Weight.WK, layer);
    }

    /** (kvDim, dim) */
    public Tensor wv(int layer) {
        return view(Weight.WV, layer);
    }

    /** (dim, dim) */
    public Tensor wo(int layer) {
        return view(Weight.WO, layer);
    }

    /** (dim) RMSNorm weight before the feed-forward block. */
    public Tensor ffnNorm(int layer) {
        return view(Weight.FFN_NORM, layer);
    }

    /** (hidden, dim): the gate projection. */
    public Tensor w1(int layer) {
        return view(Weight.W1, layer);
    }

    /** (dim, hidden): the down projection. */
    public Tensor w2(int layer) {
        return view(Weight.W2, layer);
    }

    /** (hidden, dim): the up projection. */
    public Tensor w3(int layer) {
        return view(Weight.W3, layer);
    }

    /** (dim) */
    public Tensor finalNorm() {
        return view(Weight.FINAL_NORM, -1);
    }

    /** (vocab, dim): the checkpoint's own classifier, or empty when it shares the token embedding table. */
    public Optional<Tensor> classifier() {
        return config.sharedClassifier() ? Optional.empty() : Optional.of(view(Weight.CLASSIFIER, -1));
    }

    @Override
    public void close() {
        arena.close();
    }

    private Tensor view(Weight weight, int layer) {
        long[] dims = weight.dims(config);
        long bytes = DType.F32.byteSize(Arrays.stream(dims).reduce(1, Math::multiplyExact));
        boolean perLayer = weight.key.perLayer();
        if (perLayer) Objects.checkIndex(layer, config.layers());
        long offset = offsets.get(weight) + (perLayer ? layer * bytes : 0);
        String name = perLayer ? weight.key.weight(layer) : weight.key.weight();
        return new Tensor(name, DType.F32, dims, data.asSlice(offset, bytes));
    }

    private static Llama2cConfig header(Path path, MemorySegment data) {
        int[] h = new int[7];
        for (int i = 0; i < h.length; i++) h[i] = data.get(INT, (long) i * Integer.BYTES);
        try {
            if (h[5] == Integer.MIN_VALUE) throw new IllegalArgumentException("vocab_size " + h[5] + " has no positive counterpart");
            return new Llama2cConfig(h[0], h[1], h[2], h[3], h[4], Math.abs(h[5]), h[6], h[5] > 0);
        } catch (IllegalArgumentException e) {
            throw fail(path, "not a llama2.c checkpoint: header dim=" + h[0] + " hidden_dim=" + h[1] + " n_layers=" + h[2]
                    + " n_heads=" + h[3] + " n_kv_heads=" + h[4] + " vocab_size=" + h[5] + " seq_len=" + h[6]
                    + " is invalid (" + e.getMessage() + ")");
        }
    }

    /** Fills {@code offsets} with each group's byte offset and returns the file size the header implies. */
    private static long layout(Path path, Llama2cConfig config, Map<Weight, Long> offsets) {
        try {
            long offset = Llama2cConfig.HEADER_BYTES;
            for (Weight w : Weight.values()) {
                offsets.put(w, offset);
                offset = Math.addExact(offset, Math.multiplyExact(w.floats(config), Float.BYTES));
            }
            return offset;
        } catch (ArithmeticException e) {
            throw fail(path, "not a llama2.c checkpoint: the weights of header (" + config.header() + ") overflow a long");
        }
    }

    private static Llama2cFormatException fail(Path path, String problem) {
        return new Llama2cFormatException(path + ": " + problem);
    }
}
