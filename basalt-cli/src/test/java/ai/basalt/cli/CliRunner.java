package ai.basalt.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures what it writes. */
record CliRunner(int exitCode, String out, String err) {

    static CliRunner run(String... args) {
        return runWithInput("", args);
    }

    /** Runs the CLI with {@code stdin} as its standard input. */
    static CliRunner runWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new CliRunner(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The lines written to stderr. */
    String[] errLines() {
        return err.isEmpty() ? new String[0] : err.split("\\R");
    }
}
