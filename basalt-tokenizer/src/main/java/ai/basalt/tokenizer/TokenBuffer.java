package ai.basalt.tokenizer;

import java.util.Arrays;

/** A growable list of token ids. */
final class TokenBuffer {
    private int[] ids = new int[64];
    private int size;

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    /** The last id added, or -1 when empty. */
    int last() {
        return size == 0 ? -1 : ids[size - 1];
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
