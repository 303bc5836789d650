package ai.basalt.tokenizer;

import java.util.Arrays;

/**
 * BPE merge rules by token ids, and the merge of one word: repeatedly the adjacent pair of lowest rank is
 * merged, the leftmost first among equals, until no adjacent pair has a rule (OpenAI's {@code encoder.py}
 * {@code bpe}; llama.cpp's {@code llm_tokenizer_bpe_session} with the same tie-break). A heap of candidate pairs
 * keyed by (rank, position) over a linked list of symbols makes a word of n symbols cost O(n log n), so long
 * runs (a line of 10,000 dashes) stay fast. Immutable.
 */
final class MergeTable {
    /** Open addressing: key (left << 32 | right) + 1, 0 meaning empty, and the rank stored beside it. */
    private final long[] keys;
    private final int[] ranks;
    private final int mask;
    /** (merges) the token each rank makes. */
    private final int[] merged;

    /**
     * @param left   (merges) the left token of each rule, by rank
     * @param right  (merges) the right token of each rule, by rank
     * @param merged (merges) the token each rule makes; where a pair repeats, its first (lowest) rank counts
     */
    MergeTable(int[] left, int[] right, int[] merged) {
        int capacity = Integer.highestOneBit(Math.max(4, merged.length * 2 + 1)) << 1;
        this.keys = new long[capacity];
        this.ranks = new int[capacity];
        this.mask = capacity - 1;
        this.merged = merged.clone();
        for (int rank = 0; rank < merged.length; rank++) {
            long key = key(left[rank], right[rank]);
            int slot = slot(key);
            if (keys[slot] == 0) {
                keys[slot] = key;
                ranks[slot] = rank;
            }
        }
    }

    int size() {
        return merged.length;
    }

    /** The rank of the rule merging {@code left} and {@code right}, or -1 if there is none. */
    int rank(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        return keys[slot] == key ? ranks[slot] : -1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32 | (right & 0xFFFF_FFFFL)) + 1;
    }

    private int slot(long key) {
        int slot = (int) (mix(key) & mask);
        while (keys[slot] != 0 && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static long mix(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return h ^ (h >>> 29);
    }

    /** The tokens {@code symbols} merge into. {@code symbols} is overwritten. */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        if (n < 2) {
            return symbols;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        PairHeap heap = new PairHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            heap.offer(rank(symbols[i], symbols[i + 1]), i);
        }
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int rank = (int) (top >>> 32);
            int at = (int) top;
            int right = next[at];
            // stale: the left symbol was absorbed (-1) or a neighbour changed since the pair was queued
            if (symbols[at] < 0 || right < 0 || rank(symbols[at], symbols[right]) != rank) {
                continue;
            }
            symbols[at] = merged[rank];
            symbols[right] = -1;
            next[at] = next[right];
            if (next[at] >= 0) {
                prev[next[at]] = at;
            }
            alive--;
            if (prev[at] >= 0) {
                heap.offer(rank(symbols[prev[at]], symbols[at]), prev[at]);
            }
            if (next[at] >= 0) {
                heap.offer(rank(symbols[at], symbols[next[at]]), at);
            }
        }
        int[] out = new int[alive];
        for (int i = 0, k = 0; i >= 0; i = next[i]) {
            out[k++] = symbols[i];
        }
        return out;
    }

    /**
     * The same merge as {@link #apply}, the way OpenAI's {@code encoder.py} writes it: find the adjacent pair of
     * lowest rank, merge all its occurrences left to right, repeat. O(n^2) per word; kept as the oracle
     * {@link #apply} is tested against.
     */
    int[] applySlowly(int[] symbols) {
        int[] word = symbols.clone();
        int n = word.length;
        while (n > 1) {
            int best = -1;
            for (int i = 0; i + 1 < n; i++) {
                int r = rank(word[i], word[i + 1]);
                if (r >= 0 && (best < 0 || r < best)) best = r;
            }
            if (best < 0) break;
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && rank(word[i], word[i + 1]) == best) {
                    word[k++] = merged[best];
                    i++;
                } else {
                    word[k++] = word[i];
                }
            }
            n = k;
        }
        return Arrays.copyOf(word, n);
    }

    /** A binary min-heap of (rank, position) packed into longs; offers of rank -1 are dropped. */
    private static final class PairHeap {
        private long[] heap;
        private int size;

        PairHeap(int capacity) {
            heap = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void offer(int rank, int position) {
            if (rank < 0) {
                return;
            }
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            long item = (long) rank << 32 | position;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= item) break;
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = item;
        }

        long poll() {
            long top = heap[0];
            long last = heap[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && heap[child + 1] < heap[child]) child++;
                if (heap[child] >= last) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}
