package ai.basalt.cli;

import ai.basalt.generate.ContextOverflowException;
import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.TokenListener;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.chat.ChatSession;
import ai.basalt.generate.chat.ChatTemplate;
import ai.basalt.generate.chat.ChatTemplateException;
import ai.basalt.generate.chat.ChatTemplates;
import ai.basalt.model.LanguageModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code basalt chat}: an interactive session. The conversation is kept as messages and rendered with the
 * model's chat template (GGUF {@code tokenizer.chat_template}) each turn; only the tokens the KV cache does not
 * hold yet are fed, and a reply ends at the template's end-of-turn token. A model without a template gets a
 * named built-in ({@link ChatTemplates}): ChatML where its vocabulary has the ChatML tokens, else a plain
 * {@code User:}/{@code Assistant:} transcript, which a base model (such as the embedded basalt-mini) can continue.
 * {@code /reset} starts over, {@code /bye} (or end of input) quits.
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

    @Mixin
    KvTypeOption kvType = new KvTypeOption();

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message that opens the conversation.")
    String system;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE",
            description = "Use this chat template instead of the model's: a built-in (chatml, plain) or a Jinja file.")
    String chatTemplate;

    @Override
    public Integer call() throws IOException {
        GenerationParams params = sampling.params();
        PrintStream out = main.out;
        PrintStream err = main.err;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LanguageModel model = modelOption.load(main.hub())) {
            ChatTemplate template = template(model);
            err.println("basalt: chatting with " + modelOption.label() + " using the chat template " + template.name()
                    + (chatTemplate == null && model.chatTemplate().isEmpty() ? " (the model has none)" : "")
                    + "; /reset starts over, /bye quits");
            ChatSession chat = new ChatSession(model, template, model.contextLength(), kvType.type());
            while (true) {
                err.print("> ");
                err.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/bye")) break;
                if (line.strip().equals("/reset")) {
                    chat.reset();
                    continue;
                }
                if (turn(chat, line, params, out, err)) out.println();
            }
        }
        return 0;
    }

    /**
     * One exchange; a conversation that outgrew the context starts over with this line. Returns false where the
     * template refused the conversation (reported on {@code err}).
     */
    private boolean turn(ChatSession chat, String line, GenerationParams params, PrintStream out, PrintStream err) {
        TokenListener print = piece -> {
            out.print(piece);
            out.flush();
        };
        try {
            openWithSystem(chat);
            try {
                chat.send(ChatMessage.user(line), params, print);
            } catch (ContextOverflowException e) {
                err.println("basalt: the context is full; starting a new conversation");
                chat.reset();
                openWithSystem(chat);
                chat.send(ChatMessage.user(line), params, print);
            }
            return true;
        } catch (ChatTemplateException e) {
            err.println("basalt: " + e.getMessage());
            return false;
        }
    }

    /** The system message opens every conversation, the first and those after /reset or a full context. */
    private void openWithSystem(ChatSession chat) {
        if (system != null && chat.messages().isEmpty()) chat.add(ChatMessage.system(system));
    }

    private ChatTemplate template(LanguageModel model) throws IOException {
        if (chatTemplate == null) return ChatTemplates.forModel(model);
        if (chatTemplate.equals(ChatTemplates.CHATML) || chatTemplate.equals(ChatTemplates.PLAIN)) {
            return ChatTemplates.builtin(model, chatTemplate);
        }
        Path file = Path.of(chatTemplate);
        if (!Files.isRegularFile(file)) {
            throw new Main.UsageException("--chat-template " + chatTemplate + ": neither a built-in ("
                    + ChatTemplates.CHATML + ", " + ChatTemplates.PLAIN + ") nor a file");
        }
        return ChatTemplates.of(model, file.toString(), Files.readString(file));
    }
}
