package ai.basalt.cli;

import ai.basalt.model.synth.SynthPreset;
import ai.basalt.model.synth.SynthType;
import ai.basalt.model.synth.SyntheticModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code basalt synth}: a random-weight model in a real family's shape, for benchmarks without downloads. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a random-weight model with the exact shape, hyper-parameters and vocabulary size of a",
            "real family, loadable by Basalt and llama.cpp, so speed benchmarks need no download."},
        footer = {"", "Presets: llama-3.2-1b, qwen2.5-0.5b, smollm-135m",
            "Types: F32, F16, BF16, Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q5_1, Q5_0, Q4_1, Q4_0",
            "(Q4_K and Q5_K are Q4_K_M and Q5_K_M).",
            "", "Example:", "  basalt synth --preset llama-3.2-1b --type q4_0 llama-3.2-1b-q4_0.gguf"})
final class SynthCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "OUT.gguf", description = "The GGUF file to write.")
    Path output;

    @Option(names = "--preset", required = true, paramLabel = "NAME", description = "The family whose shape to copy.")
    String preset;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE", description = "Tensor type, any case (see below).")
    String type;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layers", paramLabel = "N", description = "Write only N transformer blocks (quick checks; default: the preset's).")
    Integer layers;

    @Option(names = "--force", description = "Overwrite OUT.gguf if it exists.")
    boolean force;

    @Override
    public Integer call() {
        SynthPreset p = Main.UsageException.parsing(() -> SynthPreset.parse(preset));
        SynthType t = Main.UsageException.parsing(() -> SynthType.parse(type));
        if (layers != null && layers <= 0) throw new Main.UsageException("--layers must be positive, got " + layers);
        Main.UsageException.requireFolderOf(output);
        Main.UsageException.requireNew(output, force);
        SyntheticModel model = SyntheticModel.plan(p, t, layers == null ? p.config().blockCount() : layers);
        long total = model.dataBytes();
        long start = System.nanoTime();
        try (ProgressDisplay bar = ProgressDisplay.bytes(main.err, ProgressDisplay.interactive(), "synth", total)) {
            long[] written = {0};
            model.write(output, seed, (entry, done, count) -> {
                written[0] += entry.byteSize();
                bar.stepTo(written[0]);
                bar.extraMessage(done + "/" + count + " " + entry.name());
            });
        }
        main.err.println("basalt: wrote " + output + " (" + p.presetName() + ", " + t + ", "
                + model.config().blockCount() + " layers, seed " + seed + ", "
                + String.format(Locale.ROOT, "%.2f MiB in %.1f s", total / (1024.0 * 1024.0), (System.nanoTime() - start) / 1e9)
                + ")");
        main.err.flush();
        return 0;
    }
}
