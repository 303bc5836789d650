package ai.basalt.train.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a corpus as a stream of {@link Chunk}s of about {@code chunkChars} characters, never holding more than one
 * chunk (or, in line-based input, one line) of it, and decides for every piece of text whether it trains or
 * validates, so that the chunks' order alone fixes the output.
 *
 * <p>Plain text with whole-file documents is cut after the last line end in each buffer (or, in a line longer
 * than the buffer, anywhere but inside a surrogate pair); in {@code CONTIGUOUS} split the piece that holds the
 * split byte is cut there, moved forward to the next character boundary. Line-based input (JSONL, or text with
 * one document a line) is split by lines, and a line starting at or after the split byte validates. Bytes are
 * counted as the UTF-8 the input is, so byte positions are file positions; a leading byte-order mark is dropped.
 */
final class CorpusReader implements AutoCloseable {
    /** Text of one document, or part of one, and where it goes. */
    record Piece(String text, boolean endsDocument, boolean validation) {}

    /** Pieces in input order, and the input bytes they came from. */
    record Chunk(List<Piece> pieces, long bytes) {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final List<Path> files;
    private final PrepareOptions options;
    /** The first byte that validates in {@code CONTIGUOUS} split. */
    private final long splitByte;
    private int fileIndex;
    private Path file;
    private Reader in;
    private boolean lineBased;
    private boolean jsonl;
    private final char[] buffer;
    private int bufferStart;
    private int bufferEnd;
    private boolean eof;
    private boolean fileStarted;
    private boolean documentOpen;
    private boolean lastValidation;
    private long lineNumber;
    private long position;
    private long fileBytes;
    private long documents;

    CorpusReader(List<Path> files, PrepareOptions options, long totalBytes) {
        this.files = List.copyOf(files);
        this.options = options;
        this.splitByte = options.split() == PrepareOptions.Split.CONTIGUOUS
                ? (long) (totalBytes * (1.0 - options.validationFraction())) : Long.MAX_VALUE;
        this.buffer = new char[options.chunkChars()];
    }

    /** Documents started so far. */
    long documents() {
        return documents;
    }

    /** The next chunk, or null after the last file. */
    Chunk next() {
        try {
            while (true) {
                if (in == null) {
                    if (fileIndex == files.size()) return null;
                    open(files.get(fileIndex++));
                }
                Chunk chunk = lineBased ? nextLines() : nextText();
                if (chunk != null) return chunk;
                in.close();
                in = null;
            }
        } catch (CharacterCodingException e) {
            throw new CorpusFormatException(file + ": not valid UTF-8 (after byte " + fileBytes + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read corpus file (" + e + ")", e);
        }
    }

    private void open(Path path) throws IOException {
        file = path;
        in = new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        PrepareOptions.Format format = options.format();
        if (format == PrepareOptions.Format.AUTO) {
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            format = name.endsWith(".jsonl") || name.endsWith(".ndjson") ? PrepareOptions.Format.JSONL
                    : PrepareOptions.Format.TEXT;
        }
        lineBased = format == PrepareOptions.Format.JSONL || options.textDocuments() == PrepareOptions.TextDocuments.LINE;
        jsonl = format == PrepareOptions.Format.JSONL;
        bufferStart = bufferEnd = 0;
        eof = false;
        fileStarted = false;
        documentOpen = false;
        lineNumber = 0;
        fileBytes = 0;
    }

    // A whole file is one document: chunks cut after the last line end in the buffer.
    private Chunk nextText() throws IOException {
        int len = bufferEnd;
        while (!eof && len < buffer.length) {
            int n = in.read(buffer, len, buffer.length - len);
            if (n < 0) eof = true;
            else len += n;
        }
        long bomBytes = 0;
        int start = 0;
        if (!fileStarted && len > 0) {
            fileStarted = true;
            if (buffer[0] == '\uFEFF') {
                start = 1;
                bomBytes = 3;
            }
        }
        if (len - start == 0) {
            position += bomBytes;
            fileBytes += bomBytes;
            if (!documentOpen) return null;
            documentOpen = false;
            return new Chunk(List.of(new Piece("", true, lastValidation)), 0);
        }
        int cut = len;
        if (!eof) {
            int newline = lastIndexOf(buffer, '\n', start, len);
            if (newline >= 0) cut = newline + 1;
            else if (Character.isHighSurrogate(buffer[len - 1]) && len - 1 > start) cut = len - 1;
        }
        String text = new String(buffer, start, cut - start);
        System.arraycopy(buffer, cut, buffer, 0, len - cut);
        bufferEnd = len - cut;
        boolean ends = eof && bufferEnd == 0;
        if (!documentOpen) {
            documentOpen = true;
            documents++;
        }
        if (ends) documentOpen = false;
        position += bomBytes;
        fileBytes += bomBytes;
        return new Chunk(cutAtSplit(text, ends), bomBytes + utf8Length(text, 0, text.length()));
    }

    /** {@code text} as one piece, or two where it holds the split byte; advances the byte position past it. */
    private List<Piece> cutAtSplit(String text, boolean ends) {
        long bytes = utf8Length(text, 0, text.length());
        long from = position;
        position += bytes;
        fileBytes += bytes;
        boolean validation = documentValidation(documents - 1, from);
        if (options.split() != PrepareOptions.Split.CONTIGUOUS || from >= splitByte || from + bytes <= splitByte) {
            lastValidation = validation;
            return List.of(new Piece(text, ends, validation));
        }
        int k = 0;
        long need = splitByte - from;
        for (long b = 0; b < need; ) {
            int cp = text.codePointAt(k);
            b += utf8Length(text, k, k + Character.charCount(cp));
            k += Character.charCount(cp);
        }
        lastValidation = true;
        if (k == text.length()) return List.of(new Piece(text, ends, false));
        return List.of(new Piece(text.substring(0, k), false, false), new Piece(text.substring(k), ends, true));
    }

    // One document a line: JSONL records, or non-empty lines of text.
    private Chunk nextLines() throws IOException {
        List<Piece> pieces = new ArrayList<>();
        long bytes = 0;
        long chars = 0;
        while (chars < options.chunkChars()) {
            String line = readLine();
            if (line == null) break;
            lineNumber++;
            long lineBytes = utf8Length(line, 0, line.length());
            long lineStart = position;
            position += lineBytes;
            fileBytes += lineBytes;
            bytes += lineBytes;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            String content = stripTerminator(line);
            String text = jsonl ? (content.isBlank() ? null : jsonText(content)) : (content.isEmpty() ? null : content);
            if (text == null) continue;
            pieces.add(new Piece(text, true, documentValidation(documents++, lineStart)));
            chars += text.length();
        }
        return bytes == 0 ? null : new Chunk(List.copyOf(pieces), bytes);
    }

    /** The next line with its terminator, or null at the end of the file. */
    private String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (bufferStart == bufferEnd) {
                int n = eof ? -1 : in.read(buffer, 0, buffer.length);
                bufferStart = 0;
                bufferEnd = Math.max(n, 0);
                if (n < 0) {
                    eof = true;
                    return line == null || line.isEmpty() ? null : line.toString();
                }
            }
            int newline = indexOf(buffer, '\n', bufferStart, bufferEnd);
            int end = newline >= 0 ? newline + 1 : bufferEnd;
            if (line == null && newline >= 0) {
                String s = new String(buffer, bufferStart, end - bufferStart);
                bufferStart = end;
                return s;
            }
            if (line == null) line = new StringBuilder();
            line.append(buffer, bufferStart, end - bufferStart);
            bufferStart = end;
            if (newline >= 0) return line.toString();
        }
    }

    private String jsonText(String content) {
        String where = file + ":" + lineNumber + ": ";
        JsonNode node;
        try {
            node = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            throw new CorpusFormatException(where + "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) throw new CorpusFormatException(where + "not a JSON object");
        JsonNode text = node.get(options.textField());
        if (text == null || !text.isTextual()) {
            throw new CorpusFormatException(where + "no string field \"" + options.textField() + "\""
                    + (text == null ? "" : " (found " + text.getNodeType().name().toLowerCase(Locale.ROOT) + ")"));
        }
        return text.textValue();
    }

    /** Whether document {@code index}, or its piece that starts at byte {@code start}, validates. */
    private boolean documentValidation(long index, long start) {
        if (options.split() == PrepareOptions.Split.CONTIGUOUS) return start >= splitByte;
        long h = SplitMix64.mix(options.seed() + (index + 1) * 0x9E3779B97F4A7C15L);
        return SplitMix64.unit(h) < options.validationFraction();
    }

    private static String stripTerminator(String line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\n') end--;
        if (end > 0 && line.charAt(end - 1) == '\r') end--;
        return line.substring(0, end);
    }

    /** Bytes of {@code text[from, to)} in UTF-8; an unpaired surrogate counts as the 3 bytes of U+FFFD. */
    static long utf8Length(CharSequence text, int from, int to) {
        long bytes = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) bytes += 1;
            else if (c < 0x800) bytes += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else bytes += 3;
        }
        return bytes;
    }

    private static int indexOf(char[] a, char c, int from, int to) {
        for (int i = from; i < to; i++) if (a[i] == c) return i;
        return -1;
    }

    private static int lastIndexOf(char[] a, char c, int from, int to) {
        for (int i = to - 1; i >= from; i--) if (a[i] == c) return i;
        return -1;
    }

    @Override
    public void close() {
        try {
            if (in != null) in.close();
        } catch (IOException ignored) {
            // Closing a file that was only read.
        }
        in = null;
    }
}
