package ai.basalt.cli;

import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.train.data.DataPreparer;
import ai.basalt.train.data.PrepareOptions;
import ai.basalt.train.data.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code basalt data}: training data. Its one subcommand so far is {@code prepare}. */
@Command(name = "data", mixinStandardHelpOptions = true, subcommands = DataCommand.Prepare.class,
        description = "Prepare training data: tokenize a corpus into token shards.")
final class DataCommand implements Runnable {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(main.out);
    }

    /** {@code basalt data prepare}: tokenizes a corpus into {@code train.tokens} and {@code val.tokens}. */
    @Command(name = "prepare", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Tokenize a corpus of any size into DIR/train.tokens and DIR/val.tokens for 'basalt train'.",
                "Documents are separated by the tokenizer's end-of-sequence token where it has one."},
            footer = {"", "Example:", "  basalt data prepare --tokenizer tokenizer.json --out shards books/*.txt"})
    static final class Prepare implements Callable<Integer> {
        @ParentCommand
        DataCommand parent;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
                description = "tokenizer.json, a character tokenizer .json, a SentencePiece .model or a .gguf.")
        Path tokenizer;

        @Option(names = "--format", paramLabel = "auto|text|jsonl",
                description = "How inputs are read; auto reads .jsonl/.ndjson as JSONL, the rest as text "
                        + "(default: ${DEFAULT-VALUE}).")
        String format = "auto";

        @Option(names = "--text-field", paramLabel = "F",
                description = "The JSONL field holding a document's text (default: ${DEFAULT-VALUE}).")
        String textField = "text";

        @Option(names = "--documents", paramLabel = "file|line",
                description = "What one document of a text file is (default: ${DEFAULT-VALUE}).")
        String documents = "file";

        @Option(names = "--val-fraction", paramLabel = "X",
                description = "Share of the input for validation, in [0, 1) (default: ${DEFAULT-VALUE}).")
        double validationFraction = 0.1;

        @Option(names = "--split", paramLabel = "contiguous|document",
                description = "contiguous: the last X of the bytes validate; document: each document validates with "
                        + "probability X (default: ${DEFAULT-VALUE}).")
        String split = "contiguous";

        @Option(names = "--seed", paramLabel = "N", description = "Seed of the document split (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--threads", paramLabel = "N",
                description = "Tokenizing threads; the output does not depend on them (default: all processors).")
        Integer threads;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
        Path out;

        @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Corpus files, UTF-8 text or JSONL.")
        List<Path> inputs;

        @Override
        public Integer call() {
            PrepareOptions options = options();
            for (Path input : inputs) {
                if (!Files.isRegularFile(input)) throw new Main.UsageException(input + ": no such input file");
            }
            Tokenizer tok = TokenizerFiles.load(tokenizer);
            Main main = parent.main;
            long total = 0;
            for (Path input : inputs) total += input.toFile().length();
            DataPreparer.Result r;
            try (ProgressDisplay bar = ProgressDisplay.bytes(main.err, ProgressDisplay.interactive(), "tokenize", total)) {
                r = new DataPreparer(tok, options).prepare(inputs, out, (done, all) -> bar.stepTo(done));
            }
            main.out.printf(Locale.ROOT, "%s: %,d tokens%n%s: %,d tokens%n%,d documents, %,d bytes, vocabulary of %d%n",
                    r.train(), r.trainTokens(), r.validation(), r.validationTokens(), r.documents(), r.bytes(),
                    tok.vocabulary().size());
            main.out.flush();
            return 0;
        }

        private PrepareOptions options() {
            PrepareOptions.Format f = switch (format) {
                case "auto" -> PrepareOptions.Format.AUTO;
                case "text" -> PrepareOptions.Format.TEXT;
                case "jsonl" -> PrepareOptions.Format.JSONL;
                default -> throw new Main.UsageException("--format " + format + ": expected auto, text or jsonl");
            };
            PrepareOptions.Split s = switch (split) {
                case "contiguous" -> PrepareOptions.Split.CONTIGUOUS;
                case "document" -> PrepareOptions.Split.BY_DOCUMENT;
                default -> throw new Main.UsageException("--split " + split + ": expected contiguous or document");
            };
            PrepareOptions.TextDocuments d = switch (documents) {
                case "file" -> PrepareOptions.TextDocuments.FILE;
                case "line" -> PrepareOptions.TextDocuments.LINE;
                default -> throw new Main.UsageException("--documents " + documents + ": expected file or line");
            };
            return Main.UsageException.parsing(() -> {
                PrepareOptions o = PrepareOptions.defaults().withFormat(f).withTextField(textField).withTextDocuments(d)
                        .withSplit(s, validationFraction).withSeed(seed);
                return threads == null ? o : o.withThreads(threads);
            });
        }
    }
}
