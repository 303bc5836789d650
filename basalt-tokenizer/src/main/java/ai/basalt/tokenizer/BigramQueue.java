package ai.basalt.tokenizer;

import java.util.Arrays;

/**
 * A binary max-heap of candidate merges, ordered as llama.cpp's {@code llm_bigram_spm::comparator}: the
 * highest score first and, among equal scores, the leftmost pair. Entries live in parallel primitive arrays
 * so a long input does not allocate one object per candidate.
 */
final class BigramQueue {
    private int[] left;
    private int[] right;
    /** Length in UTF-16 units of the merged text when the entry was made, to detect stale entries. */
    private int[] length;
    private float[] score;
    private int size;

    BigramQueue(int capacity) {
        int n = Math.max(capacity, 16);
        left = new int[n];
        right = new int[n];
        length = new int[n];
        score = new float[n];
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(int leftSymbol, int rightSymbol, float mergeScore, int mergedLength) {
        if (size == left.length) {
            int n = size * 2;
            left = Arrays.copyOf(left, n);
            right = Arrays.copyOf(right, n);
            length = Arrays.copyOf(length, n);
            score = Arrays.copyOf(score, n);
        }
        set(size, leftSymbol, rightSymbol, mergeScore, mergedLength);
        siftUp(size++);
    }

    int topLeft() {
        return left[0];
    }

    int topRight() {
        return right[0];
    }

    int topLength() {
        return length[0];
    }

    void pop() {
        size--;
        if (size > 0) {
            move(size, 0);
            siftDown(0);
        }
    }

    /** Whether entry {@code a} comes out before entry {@code b}. */
    private boolean before(int a, int b) {
        return score[a] > score[b] || (score[a] == score[b] && left[a] < left[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && before(child + 1, child)) {
                child++;
            }
            if (!before(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void set(int i, int l, int r, float s, int len) {
        left[i] = l;
        right[i] = r;
        score[i] = s;
        length[i] = len;
    }

    private void move(int from, int to) {
        set(to, left[from], right[from], score[from], length[from]);
    }

    private void swap(int a, int b) {
        int l = left[a], r = right[a], len = length[a];
        float s = score[a];
        move(b, a);
        set(b, l, r, s, len);
    }
}
