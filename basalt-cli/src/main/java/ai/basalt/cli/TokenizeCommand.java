package ai.basalt.cli;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.hf.HuggingFaceFolder;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.TokenDecoder;
import ai.basalt.tokenizer.Tokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code basalt tokenize}: the token ids of a text under a model's tokenizer, or under a Hugging Face
 * {@code tokenizer.json} without any model.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the token ids of TEXT under a model's tokenizer.",
            "--model may also name a Hugging Face tokenizer.json (byte-level BPE) or a folder holding one that is "
                    + "not a model folder (no config.json); then no model is loaded."},
        footer = {"", "Output: the ids on one line, separated by spaces. With --json, one JSON array of "
                + "{\"id\": N, \"piece\": TEXT} objects, where piece is the token's own text (a special token's "
                + "name; U+FFFD where the token holds only part of a character).",
            "", "Examples:", "  basalt tokenize --model llama3.gguf 'Hello world'",
            "  basalt tokenize --model tokenizer.json --json --no-special < prompt.txt"})
final class TokenizeCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--json", description = "Print a JSON array of {\"id\", \"piece\"} objects.")
    boolean json;

    @ArgGroup(exclusive = true)
    Special special;

    /** Whether special tokens count: {@code --special} (the default) or {@code --no-special}. */
    static final class Special {
        @Option(names = "--special", description = "Special-token texts in TEXT (<|im_start|>, <s>) become their "
                + "ids, and BOS/EOS are added where the tokenizer adds them, as for a prompt (the default).")
        boolean on;

        @Option(names = "--no-special", description = "Tokenize TEXT as plain text: special-token texts are "
                + "ordinary characters, and no BOS/EOS is added.")
        boolean off;
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT",
            description = "The text (UTF-8); '-' or none reads standard input, all of it, line ends included.")
    String text;

    @Override
    public Integer call() throws IOException {
        String input = text == null || text.equals("-")
                ? new String(main.in.readAllBytes(), StandardCharsets.UTF_8) : text;
        boolean specials = special == null || !special.off;
        Path tokenizerJson = tokenizerJson();
        if (tokenizerJson != null) {
            print(HuggingFaceTokenizerJson.read(tokenizerJson), input, specials);
        } else {
            try (LanguageModel model = modelOption.load(main.hub())) {
                print(model.tokenizer(), input, specials);
            }
        }
        return 0;
    }

    /**
     * The {@code tokenizer.json} that {@code --model} names, itself or in a folder that is not a model; null if it
     * names a model (a Hugging Face model folder included: its tokenizer is the one the model runs with, which
     * {@code tokenizer_config.json} and {@code tokenizer.model} may change).
     */
    private Path tokenizerJson() {
        if (modelOption.model == null || modelOption.model.isBlank()) return null;
        Path path = Path.of(modelOption.model);
        if (HuggingFaceFolder.isModelFolder(path)) return null;
        if (Files.isDirectory(path)) {
            Path inside = path.resolve("tokenizer.json");
            return Files.isRegularFile(inside) ? inside : null;
        }
        boolean json = path.getFileName() != null
                && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        if (json && !Files.isRegularFile(path)) throw new Main.UsageException(path + ": no such tokenizer file");
        return json ? path : null;
    }

    private void print(Tokenizer tokenizer, String input, boolean specials) throws JsonProcessingException {
        int[] ids = tokenizer.encode(input, specials, specials);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ArrayNode array = mapper.createArrayNode();
            for (int id : ids) array.addObject().put("id", id).put("piece", piece(tokenizer, id));
            main.out.println(mapper.writeValueAsString(array));
        } else {
            main.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        main.out.flush();
    }

    /** A token's own text: special tokens by name, others as they continue a text (SentencePiece keeps its space). */
    private static String piece(Tokenizer tokenizer, int id) {
        TokenType type = tokenizer.vocabulary().type(id);
        if (type == TokenType.CONTROL || type == TokenType.UNKNOWN || type == TokenType.USER_DEFINED) {
            return tokenizer.vocabulary().token(id);
        }
        TokenDecoder decoder = tokenizer.newContinuationDecoder();
        return decoder.append(id) + decoder.flush();
    }
}
