package ai.basalt.cli;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.Session;
import ai.basalt.model.LanguageModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code basalt run}: writes exactly the generated continuation of the prompt to standard output as it
 * is produced; timings go to standard error.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Generate a continuation of PROMPT and write it to standard output as it is produced.")
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Mixin
    ModelOption modelOption;

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-c", "--context"}, paramLabel = "N", description = "Context length (default: the model's).")
    Integer context;

    @Option(names = {"-f", "--prompt-file"}, paramLabel = "FILE", description = "Read the prompt from FILE (UTF-8).")
    Path promptFile;

    @Mixin
    KvTypeOption kvType = new KvTypeOption();

    @Option(names = "--quiet", description = "Do not print timings to standard error.")
    boolean quiet;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT",
            description = "The text to continue (default: empty, generate from the start of a sequence).")
    String prompt;

    @Override
    public Integer call() throws IOException {
        String text = promptText();
        GenerationParams params = sampling.params();
        PrintStream out = main.out;
        try (LanguageModel model = modelOption.load(main.hub())) {
            Session session = new Session(model, contextLength(model), kvType.type());
            GenerationResult result = session.generate(text, params, piece -> {
                out.print(piece);
                out.flush();
            });
            if (System.console() != null && System.console().isTerminal()) out.println();
            out.flush();
            if (!quiet) {
                main.err.printf(Locale.ROOT,
                        "basalt: prompt %d tokens, %.1f tokens/s; generated %d tokens, %.1f tokens/s; stop: %s%n",
                        result.promptTokens(), result.promptTokensPerSecond(), result.tokens().length,
                        result.generatedTokensPerSecond(), result.stopReason().name().toLowerCase(Locale.ROOT));
            }
        }
        return 0;
    }

    private String promptText() throws IOException {
        if (promptFile != null) {
            if (prompt != null) throw new Main.UsageException("give the prompt either as an argument or with --prompt-file, not both");
            if (!Files.isRegularFile(promptFile)) throw new Main.UsageException(promptFile + ": no such prompt file");
            return Files.readString(promptFile, StandardCharsets.UTF_8);
        }
        return prompt == null ? "" : prompt;
    }

    private int contextLength(LanguageModel model) {
        if (context == null) return model.contextLength();
        if (context < 1 || context > model.contextLength()) {
            throw new Main.UsageException("--context " + context + " must be between 1 and the model's "
                    + model.contextLength());
        }
        return context;
    }
}
