package ai.basalt.cli;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Sampling and stopping options shared by {@code run} and {@code chat}. Defaults are llama.cpp's. */
final class SamplingOptions {
    private static final SamplingParams D = SamplingParams.DEFAULTS;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature = D.temperature();

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 is off (default: ${DEFAULT-VALUE}).")
    int topK = D.topK();

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold; 1 is off (default: ${DEFAULT-VALUE}).")
    float topP = D.topP();

    @Option(names = "--min-p", paramLabel = "P", description = "Keep tokens at least P times as likely as the best; 0 is off (default: ${DEFAULT-VALUE}).")
    float minP = D.minP();

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "Penalty for repeating recent tokens; 1 is off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty = D.repeatPenalty();

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "How many recent tokens the penalty considers (default: ${DEFAULT-VALUE}).")
    int repeatLastN = D.repeatLastN();

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", description = "Generate at most N tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens = 256;

    @Option(names = "--stop", paramLabel = "S", description = "Stop before this text; repeatable.")
    List<String> stop = new ArrayList<>();

    GenerationParams params() {
        return Main.UsageException.parsing(() -> new GenerationParams(
                new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed), maxTokens, stop));
    }
}
