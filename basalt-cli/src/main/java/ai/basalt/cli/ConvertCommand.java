package ai.basalt.cli;

import ai.basalt.format.llama2c.Llama2cConverter;
import ai.basalt.model.hf.HuggingFaceConverter;
import ai.basalt.model.hf.HuggingFaceConverter.FloatType;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code basalt convert}: a Hugging Face folder to a GGUF file, a GGUF file to a Hugging Face folder, or a llama2.c
 * checkpoint and its tokenizer to a GGUF file. Which one follows from IN: a folder, a {@code .bin} checkpoint (with
 * {@code --tokenizer}), or a GGUF file.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert between Hugging Face folders and GGUF files, or a llama2.c checkpoint to GGUF.",
            "  IN a folder (config.json, *.safetensors, tokenizer)  ->  OUT.gguf",
            "  IN.gguf                                              ->  OUT folder",
            "  IN.bin --tokenizer TOK.bin (llama2.c)                ->  OUT.gguf"})
final class ConvertCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]i?B|B)?", Pattern.CASE_INSENSITIVE);

    @Parameters(index = "0", paramLabel = "IN", description = "A Hugging Face model folder, a GGUF file, or a llama2.c "
            + "checkpoint.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF file or Hugging Face folder to write.")
    Path output;

    @Option(names = {"-t", "--tokenizer"}, paramLabel = "TOK.bin",
            description = "llama2.c tokenizer file (tokenizer.bin format), for a llama2.c IN.")
    Path tokenizer;

    @Option(names = "--type", paramLabel = "f32|f16|bf16",
            description = "Type of the weight matrices written; default: the input's own (F32 for a quantized GGUF).")
    String type;

    @Option(names = "--shard-size", paramLabel = "SIZE", defaultValue = "5GB",
            description = "Most tensor data per safetensors file of a Hugging Face OUT (e.g. 5GB, 500MB; default: "
                    + "${DEFAULT-VALUE}); a larger model is split into shards with an index.")
    String shardSize;

    @Option(names = "--force", description = "Overwrite OUT if it exists.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FloatType floatType = type == null ? null : parseType(type);
        String wrote;
        if (tokenizer != null || input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".bin")) {
            wrote = llama2c(floatType);
        } else {
            if (!Files.exists(input)) throw new Main.UsageException(input + ": no such file or folder");
            Main.UsageException.requireNew(output, force);
            if (Files.isDirectory(input)) {
                if (Files.isDirectory(output)) {
                    throw new Main.UsageException(output + ": is a folder; a GGUF file expected");
                }
                HuggingFaceConverter.Summary s = HuggingFaceConverter.toGguf(input, output, floatType);
                wrote = output + " (" + s.tensors() + " tensors, matrices " + s.type() + ")";
            } else {
                HuggingFaceConverter.Summary s = HuggingFaceConverter.toHuggingFace(input, output, floatType,
                        parseSize(shardSize));
                wrote = output + "/ (" + s.tensors() + " tensors, " + s.type() + ")";
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("basalt: wrote " + wrote);
        err.flush();
        return 0;
    }

    private String llama2c(FloatType floatType) {
        if (tokenizer == null) {
            throw new Main.UsageException(input + ": a llama2.c checkpoint needs its tokenizer (--tokenizer TOK.bin)");
        }
        if (!Files.isRegularFile(input)) throw new Main.UsageException(input + ": no such checkpoint file");
        if (!Files.isRegularFile(tokenizer)) throw new Main.UsageException(tokenizer + ": no such tokenizer file");
        Main.UsageException.requireNew(output, force);
        if (floatType != null) throw new Main.UsageException("--type applies to Hugging Face and GGUF conversions only");
        Llama2cConverter.convert(input, tokenizer, output);
        return output.toString();
    }

    private static FloatType parseType(String name) {
        try {
            return FloatType.parse(name);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--type: " + e.getMessage());
        }
    }

    /** Bytes in {@code 5GB}, {@code 500MB}, {@code 2GiB} or plain digits; decimal units, as transformers reads them. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new Main.UsageException("--shard-size: '" + text + "' is not a size such as 5GB, 500MB or 2GiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long scale = switch (unit) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            default -> 1L;
        };
        if (n <= 0) throw new Main.UsageException("--shard-size: '" + text + "' is not positive");
        return Math.multiplyExact(n, scale);
    }
}
