package ai.basalt.cli;

import ai.basalt.model.quantize.GgufQuantizer;
import ai.basalt.model.quantize.QuantizeType;
import ai.basalt.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code basalt quantize}: a GGUF model re-encoded in a smaller type, as llama.cpp's llama-quantize makes it. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a GGUF model (F32, F16, BF16 or an already quantized type) as llama-quantize does:",
            "the same metadata, norms kept, weight matrices re-encoded by llama.cpp's per-tensor rules."},
        footer = {"", "Types: Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q5_1, Q5_0, Q4_1, Q4_0",
            "(Q4_K and Q5_K are aliases for Q4_K_M and Q5_K_M, as in llama-quantize).",
            "", "Example:", "  basalt quantize model-f16.gguf model-q4_k_m.gguf --type q4_k_m"})
final class QuantizeCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "IN.gguf", description = "The model to quantize.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "The GGUF file to write.")
    Path output;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE",
            description = "Target type, any case: Q8_0, Q6_K, Q5_K_M, Q4_K_M, ... (see below).")
    String type;

    @Option(names = "--force", description = "Overwrite OUT.gguf if it exists.")
    boolean force;

    @Override
    public Integer call() {
        QuantizeType target = Main.UsageException.parsing(() -> QuantizeType.parse(type));
        if (!Files.isRegularFile(input)) throw new Main.UsageException(input + ": no such model file");
        Main.UsageException.requireFolderOf(output);
        if (sameFile()) throw new Main.UsageException(output + ": is the input file; choose another output");
        Main.UsageException.requireNew(output, force);
        long inputSize = size(input);
        GgufQuantizer.Summary summary;
        try (ProgressDisplay bar = ProgressDisplay.bytes(main.err, ProgressDisplay.interactive(), "quantize", inputSize)) {
            long[] read = {0};
            summary = GgufQuantizer.quantize(input, output, target, (entry, done, total) -> {
                read[0] += entry.source().byteSize();
                bar.stepTo(read[0]);
                bar.extraMessage(done + "/" + total + " " + entry.name());
            });
        }
        main.err.println("basalt: wrote " + output + " (" + target + ", llama.cpp file type " + target.fileType() + ")");
        main.err.println("  tensors: " + perType(summary.tensorsPerType()));
        main.err.println("  size: " + mb(inputSize) + " -> " + mb(summary.fileSize()) + " (weights " + mb(summary.bytesBefore())
                + " -> " + mb(summary.bytesAfter()) + ")");
        if (summary.fallbacks() > 0) {
            main.err.println("  " + summary.fallbacks() + " tensor(s) used a fallback type: rows not a multiple of 256");
        }
        main.err.flush();
        return 0;
    }

    private boolean sameFile() {
        if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) return true;
        try {
            return Files.exists(output) && Files.isSameFile(input, output);
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(p + ": cannot read (" + e.getMessage() + ")", e));
        }
    }

    private static String perType(Map<DType, Integer> counts) {
        return new TreeMap<>(counts).entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
    }
}
