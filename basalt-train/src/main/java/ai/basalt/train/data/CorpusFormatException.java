package ai.basalt.train.data;

/**
 * A corpus file cannot be read as the preparation's options say: text that is not UTF-8, a JSONL line that is not
 * a JSON object with a string in the text field. The message is one line naming the file (and line, for JSONL)
 * and the problem, for example {@code "books.jsonl:17: no string field \"text\" (found a number)"}.
 */
public class CorpusFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorpusFormatException(String message) {
        super(message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n"));
    }
}
