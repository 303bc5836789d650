package ai.basalt.cli;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.Session;
import ai.basalt.model.LanguageModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code basalt chat}: an interactive session. Each line the user types is appended to the conversation
 * and the model's reply streams back; the KV cache carries over between turns. {@code /reset} starts
 * over, {@code /bye} (or end of input) quits.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Talk with a model interactively; /reset starts over, /bye quits.")
final class ChatCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Mixin
    ModelOption modelOption;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws IOException {
        GenerationParams params = sampling.params();
        PrintStream out = main.out;
        PrintStream err = main.err;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LanguageModel model = modelOption.load(main.hub())) {
            err.println("basalt: chatting with " + model.name() + "; /reset starts over, /bye quits");
            Session session = new Session(model, model.contextLength());
            while (true) {
                err.print("> ");
                err.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/bye")) break;
                if (line.strip().equals("/reset")) {
                    session = new Session(model, model.contextLength());
                    continue;
                }
                if (session.position() + session.tokenize(line).length + 1 >= session.capacity()) {
                    err.println("basalt: the context is full; starting a new conversation");
                    session = new Session(model, model.contextLength());
                }
                session.generate(line, params, piece -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
            }
        }
        return 0;
    }
}
