package ai.basalt.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece BPE over one whitespace-escaped text fragment, as llama.cpp's
 * {@code llm_tokenizer_spm_session::tokenize} does it.
 *
 * <p>The fragment starts as a doubly linked list of symbols, one per code point. Every adjacent pair whose
 * concatenation is a vocabulary token goes into a queue ordered by that token's score (ties: leftmost
 * first). The best pair is merged, the right symbol unlinked, and the merged symbol's new pairs with its
 * neighbours are queued; an entry whose symbols have changed since it was queued is stale and skipped.
 * Each step is O(log n), so a fragment of n code points costs O(n log n).
 *
 * <p>Every merged symbol is a vocabulary token, so llama.cpp's {@code resegment} reduces to: emit the
 * symbol's token, or for a single code point without one, the byte-fallback tokens of its UTF-8 bytes.
 * Where a byte has no token, the code point becomes the unknown token, one for a run of such code points
 * (as SentencePiece merges consecutive unknowns); llama.cpp aborts there instead.
 */
final class SpmMerge {
    private final String text;
    private final PieceIndex index;
    /** (n) start of each symbol in {@code text}, in UTF-16 units. */
    private final int[] start;
    /** (n) length of each symbol in UTF-16 units; 0 once merged into its left neighbour. */
    private final int[] length;
    /** (n) previous live symbol, or -1. */
    private final int[] prev;
    /** (n) next live symbol, or -1. */
    private final int[] next;
    private final BigramQueue queue;

    private SpmMerge(String text, PieceIndex index) {
        this.text = text;
        this.index = index;
        int n = text.codePointCount(0, text.length());
        start = new int[n];
        length = new int[n];
        prev = new int[n];
        next = new int[n];
        queue = new BigramQueue(n);
        int offset = 0;
        for (int i = 0; i < n; i++) {
            start[i] = offset;
            length[i] = Character.charCount(text.codePointAt(offset));
            offset += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
    }

    /** Appends the tokens of {@code escapedText} (spaces already replaced by U+2581) to {@code out}. */
    static void tokenize(String escapedText, PieceIndex index, TokenBuffer out) {
        if (escapedText.isEmpty()) {
            return;
        }
        SpmMerge merge = new SpmMerge(escapedText, index);
        merge.mergeAll();
        merge.emit(out);
    }

    private void mergeAll() {
        for (int i = 1; i < start.length; i++) {
            tryAddBigram(i - 1, i);
        }
        while (!queue.isEmpty()) {
            int left = queue.topLeft();
            int right = queue.topRight();
            int mergedLength = queue.topLength();
            queue.pop();
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != mergedLength) {
                continue; // one side has merged since this entry was queued
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            tryAddBigram(prev[left], left);
            tryAddBigram(left, next[left]);
        }
    }

    private void tryAddBigram(int left, int right) {
        if (left == -1 || right == -1) {
            return;
        }
        int merged = length[left] + length[right];
        if (merged > index.maxChars()) {
            return;
        }
        int token = index.id(text.substring(start[left], start[left] + merged));
        if (token != -1) {
            queue.push(left, right, index.score(token), merged);
        }
    }

    private void emit(TokenBuffer out) {
        boolean previousUnknown = false;
        for (int i = 0; i != -1; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + length[i]);
            int token = index.id(symbol);
            if (token != -1) {
                out.add(token);
                previousUnknown = false;
            } else if (emitBytes(symbol, out)) {
                previousUnknown = false;
            } else {
                if (!previousUnknown) {
                    out.add(unknown(symbol));
                }
                previousUnknown = true;
            }
        }
    }

    /** Emits the byte tokens of {@code symbol}; false, emitting nothing, if a byte has none. */
    private boolean emitBytes(String symbol, TokenBuffer out) {
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (index.byteToken(b & 0xFF) == -1) {
                return false;
            }
        }
        for (byte b : bytes) {
            out.add(index.byteToken(b & 0xFF));
        }
        return true;
    }

    private int unknown(String symbol) {
        if (index.unk() == -1) {
            throw new IllegalStateException("cannot encode U+" + Integer.toHexString(symbol.codePointAt(0))
                    + ": no token, no byte-fallback tokens and no unknown token in the vocabulary");
        }
        return index.unk();
    }
}
