package ai.basalt.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Entry point of the {@code basalt} command. */
@Command(
        name = "basalt",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Run, chat with, convert and benchmark language models in pure Java.",
        subcommands = {
            RunCommand.class,
            ChatCommand.class,
            ServeCommand.class,
            ModelsCommand.class,
            ConvertCommand.class,
            QuantizeCommand.class,
            SynthCommand.class,
            BenchCommand.class,
            TrainCommand.class,
            DataCommand.class,
            TokenizeCommand.class,
            TokenizerCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    /** Exit code of a failure while running (bad file, bad model, I/O). */
    static final int EXIT_FAILURE = 1;
    /** Exit code of a command line that does not parse. */
    static final int EXIT_USAGE = 2;

    @Option(names = "--hub", paramLabel = "DIR",
            description = "Model hub folder (default: $BASALT_HOME or ~/.basalt).")
    String hubFolder;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where commands read text given as '-' (UTF-8). */
    final InputStream in;
    /** Where generated text goes (UTF-8). */
    final PrintStream out;
    /** Where logs, timings and errors go (UTF-8). */
    final PrintStream err;

    Main(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    Hub hub() {
        return Hub.at(hubFolder);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(execute(System.in, out, err, args));
    }

    /** Runs the command line against the given streams and returns its exit code (no System.exit). */
    static int execute(PrintStream out, PrintStream err, String... args) {
        return execute(InputStream.nullInputStream(), out, err, args);
    }

    /** Runs the command line against the given streams and returns its exit code (no System.exit). */
    static int execute(InputStream in, PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new Main(in, out, err));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler(errorHandler());
        cli.setParameterExceptionHandler(Main::usageError);
        return cli.execute(args);
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("basalt: " + oneLine(e.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')");
        return EXIT_USAGE;
    }

    private static IExecutionExceptionHandler errorHandler() {
        return (e, cmd, parseResult) -> {
            cmd.getErr().println("basalt: " + describe(e));
            if (System.getenv("BASALT_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return e instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
        };
    }

    /** The one-line message the user sees for an exception. */
    static String describe(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + oneLine(e.getMessage()) + "): give the JVM more heap with BASALT_JAVA_OPTS=-Xmx...";
        }
        if (e instanceof StackOverflowError) return "internal error: stack overflow";
        if (e instanceof UncheckedIOException u && u.getCause() != null) return oneLine(u.getCause().getMessage());
        String message = e.getMessage();
        boolean expected = e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof UnsupportedOperationException
                || e instanceof java.io.IOException
                || e.getClass().getName().startsWith("ai.basalt.");
        if (expected && message != null && !message.isBlank()) return oneLine(message);
        return "internal error: " + e.getClass().getSimpleName() + (message == null ? "" : ": " + oneLine(message))
                + " (set BASALT_DEBUG=1 for the stack trace)";
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").strip();
    }

    /** A problem with what the user asked for, reported with the usage exit code. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }

        /** What {@code parser} returns, its {@link IllegalArgumentException} (a bad option value) a usage error. */
        static <T> T parsing(Supplier<T> parser) {
            try {
                return parser.get();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        /** Checks that {@code output} does not exist yet, unless {@code --force} allows replacing it. */
        static void requireNew(Path output, boolean force) {
            if (Files.exists(output) && !force) {
                throw new UsageException(output + ": already exists (pass --force to overwrite)");
            }
        }

        /** Checks that the folder {@code output} is to be written in exists. */
        static void requireFolderOf(Path output) {
            Path folder = output.toAbsolutePath().getParent();
            if (folder != null && !Files.isDirectory(folder)) {
                throw new UsageException(folder + ": no such folder for the output");
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"basalt " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
