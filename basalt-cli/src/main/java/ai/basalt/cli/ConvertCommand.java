package ai.basalt.cli;

import ai.basalt.format.llama2c.Llama2cConverter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code basalt convert}: a llama2.c checkpoint and its tokenizer to one GGUF file. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a llama2.c checkpoint (IN.bin) and its tokenizer.bin to a GGUF file.")
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN.bin", description = "llama2.c checkpoint (run.c's legacy format).")
    Path input;

    @Option(names = {"-t", "--tokenizer"}, required = true, paramLabel = "TOK.bin",
            description = "llama2.c tokenizer file (tokenizer.bin format).")
    Path tokenizer;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "The GGUF file to write.")
    Path output;

    @Option(names = "--force", description = "Overwrite OUT.gguf if it exists.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        requireFile(input, "checkpoint");
        requireFile(tokenizer, "tokenizer");
        if (Files.exists(output) && !force) {
            throw new Main.UsageException(output + ": already exists (pass --force to overwrite)");
        }
        Llama2cConverter.convert(input, tokenizer, output);
        PrintWriter err = spec.commandLine().getErr();
        err.println("basalt: wrote " + output);
        err.flush();
        return 0;
    }

    private static void requireFile(Path p, String what) {
        if (!Files.isRegularFile(p)) throw new Main.UsageException(p + ": no such " + what + " file");
    }
}
