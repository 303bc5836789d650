package ai.basalt.model.quantize;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.layers.ScratchSpace;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Quantizes a GGUF model file into a new one, as {@code llama-quantize IN OUT TYPE} does: the same metadata with
 * {@code general.file_type} and {@code general.quantization_version} set, and every tensor in the type its
 * {@link QuantizationPlan} gives it, re-encoded from floats by {@link ai.basalt.tensor.Quantizer} (bit for bit as ggml's reference
 * quantizers, without an importance matrix).
 *
 * <p>Tensors are processed one at a time, a few rows of floats per thread, so memory does not grow with the model.
 * The re-encoded data goes to a memory-mapped {@link ScratchSpace} beside the output, deleted when done, and then into a
 * temporary file that is moved onto {@code out} only once complete: a failure never leaves a partial {@code out}.
 * This needs free disk space of about twice the output's size while it runs.
 */
public final class GgufQuantizer {
    /** {@code GGML_QNT_VERSION}, written to {@code general.quantization_version}. */
    public static final int QUANTIZATION_VERSION = 2;

    /** Told after each tensor is ready. */
    @FunctionalInterface
    public interface Listener {
        void tensorDone(QuantizationPlan.Entry entry, int done, int total);
    }

    /** What a run did: tensors per output type, bytes of tensor data before and after, the output's size. */
    public record Summary(QuantizeType target, Map<DType, Integer> tensorsPerType, long bytesBefore, long bytesAfter,
            int fallbacks, long fileSize) {
        public Summary {
            tensorsPerType = Map.copyOf(tensorsPerType);
        }
    }

    private GgufQuantizer() {}

    /**
     * Writes {@code in} quantized to {@code target} as {@code out}, replacing any file there.
     *
     * @throws IllegalArgumentException if {@code out} is {@code in}, or a tensor's type cannot be decoded or its
     *     shape fits no type of the recipe
     * @throws ai.basalt.format.gguf.GgufFormatException if {@code in} is not a well-formed GGUF file
     * @throws UncheckedIOException if reading or writing fails
     */
    public static Summary quantize(Path in, Path out, QuantizeType target, Listener listener) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(listener, "listener");
        if (sameFile(in, out)) throw new IllegalArgumentException(out + ": the output would overwrite the input");
        try (GgufFile file = GgufFile.open(in)) {
            QuantizationPlan plan = QuantizationPlan.of(file.metadata(), file.tensors(), target);
            checkDecodable(plan, in);
            return write(file, plan, out, listener);
        }
    }

    /** The input's metadata with the keys llama-quantize sets or removes. */
    static GgufMetadata metadata(GgufMetadata in, QuantizeType target) {
        return in.toBuilder()
                .putInt(MetadataKey.GENERAL_QUANTIZATION_VERSION.key(), QUANTIZATION_VERSION)
                .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), target.fileType())
                .remove("split.no")
                .remove("split.count")
                .remove("split.tensors.count")
                .build();
    }

    private static Summary write(GgufFile file, QuantizationPlan plan, Path out, Listener listener) {
        long scratchSize = 0;
        for (QuantizationPlan.Entry e : plan.entries()) if (e.requantize()) scratchSize += e.byteSize();
        Path target = out.toAbsolutePath();
        try (ScratchSpace space = ScratchSpace.create(target.getParent(), target.getFileName().toString(), scratchSize)) {
            GgufWriter writer = new GgufWriter(metadata(file.metadata(), plan.target()), file.version());
            Map<DType, Integer> perType = new EnumMap<>(DType.class);
            long before = 0;
            long after = 0;
            int done = 0;
            int total = plan.entries().size();
            for (QuantizationPlan.Entry e : plan.entries()) {
                Tensor source = file.tensor(e.source());
                MemorySegment data = e.requantize() ? space.encode(source, e.type()) : source.data();
                writer.addTensor(e.name(), e.type(), e.source().dims(), data);
                perType.merge(e.type(), 1, Integer::sum);
                before += e.source().byteSize();
                after += e.byteSize();
                listener.tensorDone(e, ++done, total);
            }
            writer.write(out);
            return new Summary(plan.target(), perType, before, after, plan.fallbacks(), Files.size(out));
        } catch (IOException e) {
            IOException described = new IOException(out + ": cannot write the quantized model (" + e + ")", e);
            throw new UncheckedIOException(described.getMessage(), described);
        }
    }

    private static void checkDecodable(QuantizationPlan plan, Path in) {
        for (QuantizationPlan.Entry e : plan.entries()) {
            if (e.requantize() && !e.source().type().computable()) {
                throw new IllegalArgumentException(in + ": tensor '" + e.name() + "' is " + e.source().type()
                        + ", which Basalt cannot decode to re-encode as " + e.type());
            }
        }
    }

    private static boolean sameFile(Path in, Path out) {
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) return true;
        try {
            return Files.exists(in) && Files.exists(out) && Files.isSameFile(in, out);
        } catch (IOException e) {
            return false;
        }
    }
}
