package ai.basalt.tokenizer.training;

import ai.basalt.tokenizer.PreTokenizer;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Counts the pre-tokens of a streamed corpus. The text is read in blocks and cut into chunks only where the
 * pre-tokenizer says a cut cannot change the pre-tokens ({@link PreTokenizer#lastSafeCut}) and no special token is
 * cut in two, so the counts do not depend on the block size or the number of threads. Chunks are counted in
 * parallel, each into its own map, and the maps summed. Special tokens are removed: they split the text and are
 * never counted (a document boundary such as {@code <|endoftext|>} must not merge with its neighbours).
 */
final class PreTokenCounter {
    private final PreTokenizer preTokenizer;
    /** Special tokens, longest first, so the longest wins among those starting at one position. */
    private final List<String> specials;
    private final int longestSpecial;
    private final int threads;
    private final int chunkChars;

    PreTokenCounter(PreTokenizer preTokenizer, List<String> specials, int threads, int chunkChars) {
        this.preTokenizer = preTokenizer;
        this.specials = specials.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        this.longestSpecial = specials.stream().mapToInt(String::length).max().orElse(0);
        this.threads = threads;
        this.chunkChars = chunkChars;
    }

    /**
     * The count of each distinct pre-token of {@code corpus}; {@code charsRead} hears the running total of chars
     * read after each block.
     */
    Map<String, long[]> count(Reader corpus, LongConsumer charsRead) throws IOException {
        Map<String, long[]> totals = new HashMap<>();
        ArrayDeque<Future<Map<String, int[]>>> inFlight = new ArrayDeque<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().factory())) {
            StringBuilder pending = new StringBuilder();
            char[] block = new char[Math.min(chunkChars, 1 << 16)];
            long read = 0;
            int searchedTo = 0;
            for (int n = corpus.read(block); n >= 0; n = corpus.read(block)) {
                pending.append(block, 0, n);
                read += n;
                charsRead.accept(read);
                if (pending.length() < chunkChars) {
                    continue;
                }
                int cut = safeCut(pending, searchedTo);
                if (cut < 0) {
                    searchedTo = pending.length(); // one long line: keep reading until a cut appears
                    continue;
                }
                String chunk = pending.substring(0, cut);
                pending.delete(0, cut);
                searchedTo = 0;
                inFlight.add(pool.submit(() -> countChunk(chunk)));
                while (inFlight.size() > 2 * threads) {
                    addAll(totals, inFlight.poll());
                }
            }
            String rest = pending.toString();
            inFlight.add(pool.submit(() -> countChunk(rest)));
            while (!inFlight.isEmpty()) {
                addAll(totals, inFlight.poll());
            }
        }
        return totals;
    }

    /** The last safe cut at or after {@code from}, not inside a special token's occurrence; -1 if none. */
    private int safeCut(CharSequence text, int from) {
        int to = text.length();
        while (true) {
            int cut = preTokenizer.lastSafeCut(text, Math.max(0, from - 1), to);
            if (cut < 0 || !insideSpecial(text, cut)) {
                return cut;
            }
            to = cut;
        }
    }

    private boolean insideSpecial(CharSequence text, int cut) {
        int from = Math.max(0, cut - longestSpecial);
        String window = text.subSequence(from, Math.min(text.length(), cut + longestSpecial)).toString();
        for (String special : specials) {
            for (int i = window.indexOf(special); i >= 0 && from + i < cut; i = window.indexOf(special, i + 1)) {
                if (from + i + special.length() > cut) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void addAll(Map<String, long[]> totals, Future<Map<String, int[]>> chunk) throws IOException {
        Map<String, int[]> counts;
        try {
            counts = chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while counting pre-tokens", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        counts.forEach((word, count) -> totals.computeIfAbsent(word, w -> new long[1])[0] += count[0]);
    }

    /** The pre-token counts of one chunk, special tokens removed. */
    Map<String, int[]> countChunk(String chunk) {
        Map<String, int[]> counts = new HashMap<>();
        int from = 0;
        while (from < chunk.length()) {
            int at = chunk.length();
            String found = null;
            for (String special : specials) {
                int i = chunk.indexOf(special, from);
                if (i >= 0 && i < at) {
                    at = i;
                    found = special;
                }
            }
            int end = at;
            preTokenizer.split(chunk, from, end,
                    (start, stop) -> counts.computeIfAbsent(chunk.substring(start, stop), w -> new int[1])[0]++);
            from = found == null ? end : end + found.length();
        }
        return counts;
    }
}
