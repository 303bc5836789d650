package ai.basalt.tokenizer.training;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The merge phase of BPE training over counted words: repeatedly the most frequent adjacent pair becomes a new
 * token, ties going to the lexicographically greatest pair of byte strings (left compared first, bytes unsigned),
 * as in Stanford CS336's reference trainer; occurrences in a word merge left to right.
 *
 * <p>Incremental: pair counts are kept over all words and only the words holding the merged pair (found through
 * a per-pair list of word ids) are rewritten, their old pairs subtracted and new ones added. A max-heap of
 * (count, pair) entries picks the best pair; an entry whose count no longer matches is stale and skipped, and a
 * changed count is pushed anew, so each merge costs O(affected words + changed pairs x log heap).
 *
 * <p>Token ids here are internal: 0..255 the single bytes, then one per new token in creation order.
 */
final class MergeLoop {
    /** A merge made: internal ids of the two sides and of the token made. */
    record Merge(int left, int right, int merged) {}

    private record Candidate(long count, int slot) {}

    /** (tokens) the bytes of each internal token. */
    private final List<byte[]> tokenBytes = new ArrayList<>();
    /** Internal ids by their bytes as ISO-8859-1 text (one char per byte), to find a merge that remakes a token. */
    private final Map<String, Integer> tokenIds = new HashMap<>();
    /** (words) each distinct pre-token's current tokens, and how often it occurs. */
    private final int[][] words;
    private final long[] wordCounts;
    /** (words) the merge step that last rewrote each word, so that a word listed twice is rewritten once. */
    private final int[] wordStamp;

    private final PairIndex pairs = new PairIndex();
    /** (pairs) per slot: sides, count over the corpus, and the words that held the pair when it appeared. */
    private int[] pairLeft = new int[1024];
    private int[] pairRight = new int[1024];
    private long[] pairCount = new long[1024];
    private int[][] pairWords = new int[1024][];
    private int[] pairWordCount = new int[1024];
    /** (pairs) per slot: the step it was last touched in and its count before that step. */
    private int[] pairStamp = new int[1024];
    private long[] countBefore = new long[1024];
    private final List<Integer> touched = new ArrayList<>();
    private final PriorityQueue<Candidate> heap;
    private int step;

    /**
     * @param words      (words) the UTF-8 bytes of each distinct pre-token
     * @param wordCounts (words) how often each occurs
     */
    MergeLoop(List<byte[]> words, long[] wordCounts) {
        for (int b = 0; b < 256; b++) {
            newToken(new byte[] {(byte) b});
        }
        this.words = new int[words.size()][];
        this.wordCounts = wordCounts.clone();
        this.wordStamp = new int[words.size()];
        for (int w = 0; w < this.words.length; w++) {
            byte[] bytes = words.get(w);
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) symbols[i] = bytes[i] & 0xFF;
            this.words[w] = symbols;
        }
        Comparator<Candidate> byCount = Comparator.comparingLong(Candidate::count);
        Comparator<Candidate> best = byCount
                .thenComparing((x, y) -> Arrays.compareUnsigned(tokenBytes.get(pairLeft[x.slot()]), tokenBytes.get(pairLeft[y.slot()])))
                .thenComparing((x, y) -> Arrays.compareUnsigned(tokenBytes.get(pairRight[x.slot()]), tokenBytes.get(pairRight[y.slot()])));
        this.heap = new PriorityQueue<>(best.reversed());
        countInitialPairs();
    }

    /** The bytes of internal token {@code id}. */
    byte[] bytes(int id) {
        return tokenBytes.get(id);
    }

    /** The number of distinct tokens so far (256 bytes plus those made). */
    int tokenCount() {
        return tokenBytes.size();
    }

    private int newToken(byte[] bytes) {
        int id = tokenBytes.size();
        tokenBytes.add(bytes);
        tokenIds.put(new String(bytes, StandardCharsets.ISO_8859_1), id);
        return id;
    }

    private void countInitialPairs() {
        for (int w = 0; w < words.length; w++) {
            int[] symbols = words[w];
            for (int i = 0; i + 1 < symbols.length; i++) {
                int slot = slot(symbols[i], symbols[i + 1]);
                pairCount[slot] += wordCounts[w];
                addWord(slot, w);
            }
        }
        for (int slot = 0; slot < pairs.size(); slot++) {
            if (pairCount[slot] > 0) heap.add(new Candidate(pairCount[slot], slot));
        }
    }

    /**
     * Makes merges until {@link #tokenCount()} reaches {@code targetTokens} or no pair is left; a merge whose bytes
     * form an existing token reuses it and adds none. Returns the merges in order.
     */
    List<Merge> run(int targetTokens, MergeListener listener) {
        List<Merge> merges = new ArrayList<>();
        while (tokenCount() < targetTokens) {
            Candidate best = heap.poll();
            if (best == null) {
                break;
            }
            if (best.count() != pairCount[best.slot()] || best.count() <= 0) {
                continue; // stale entry
            }
            Merge merge = merge(best.slot());
            merges.add(merge);
            listener.merged(merges.size(), merge);
        }
        return merges;
    }

    /** Called after each merge, with the number of merges made so far. */
    @FunctionalInterface
    interface MergeListener {
        void merged(int mergesDone, Merge merge);
    }

    private Merge merge(int slot) {
        int left = pairLeft[slot];
        int right = pairRight[slot];
        byte[] a = tokenBytes.get(left);
        byte[] b = tokenBytes.get(right);
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        Integer existing = tokenIds.get(new String(joined, StandardCharsets.ISO_8859_1));
        int merged = existing != null ? existing : newToken(joined);
        step++;
        touched.clear();
        int listed = pairWordCount[slot]; // the list only grows at its end, and not for this pair, during the step
        int[] holders = pairWords[slot];
        for (int k = 0; k < listed; k++) {
            int w = holders[k];
            if (wordStamp[w] != step) {
                wordStamp[w] = step;
                rewrite(w, left, right, merged);
            }
        }
        for (int s : touched) {
            if (pairCount[s] > 0 && pairCount[s] != countBefore[s]) {
                heap.add(new Candidate(pairCount[s], s));
            }
        }
        return new Merge(left, right, merged);
    }

    /** Merges every (left, right) in word {@code w}, left to right, and updates the pair counts. */
    private void rewrite(int w, int left, int right, int merged) {
        int[] old = words[w];
        int[] out = new int[old.length];
        int n = 0;
        for (int i = 0; i < old.length; i++) {
            if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = old[i];
            }
        }
        if (n == old.length) {
            return; // the word lost the pair to an earlier merge: a stale list entry
        }
        long count = wordCounts[w];
        for (int i = 0; i + 1 < old.length; i++) {
            adjust(pairs.find(old[i], old[i + 1]), -count);
        }
        for (int i = 0; i + 1 < n; i++) {
            int s = slot(out[i], out[i + 1]);
            adjust(s, count);
            if (out[i] == merged || out[i + 1] == merged) {
                addWord(s, w); // only pairs next to a merged symbol can be new to this word
            }
        }
        words[w] = Arrays.copyOf(out, n);
    }

    private void adjust(int slot, long delta) {
        if (pairStamp[slot] != step) {
            pairStamp[slot] = step;
            countBefore[slot] = pairCount[slot];
            touched.add(slot);
        }
        pairCount[slot] += delta;
    }

    private int slot(int left, int right) {
        int slot = pairs.findOrAdd(left, right);
        if (slot == pairLeft.length) {
            int capacity = slot * 2;
            pairLeft = Arrays.copyOf(pairLeft, capacity);
            pairRight = Arrays.copyOf(pairRight, capacity);
            pairCount = Arrays.copyOf(pairCount, capacity);
            pairWords = Arrays.copyOf(pairWords, capacity);
            pairWordCount = Arrays.copyOf(pairWordCount, capacity);
            pairStamp = Arrays.copyOf(pairStamp, capacity);
            countBefore = Arrays.copyOf(countBefore, capacity);
        }
        if (pairWords[slot] == null) {
            pairLeft[slot] = left;
            pairRight[slot] = right;
            pairWords[slot] = new int[2];
        }
        return slot;
    }

    private void addWord(int slot, int w) {
        int n = pairWordCount[slot];
        int[] list = pairWords[slot];
        if (n > 0 && list[n - 1] == w) {
            return;
        }
        if (n == list.length) {
            list = pairWords[slot] = Arrays.copyOf(list, n * 2);
        }
        list[n] = w;
        pairWordCount[slot] = n + 1;
    }
}
