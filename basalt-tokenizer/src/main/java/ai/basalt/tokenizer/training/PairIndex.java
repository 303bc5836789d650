package ai.basalt.tokenizer.training;

/**
 * Numbers the distinct adjacent token pairs met during training: (left, right) to a dense slot 0, 1, 2, ...
 * Open addressing over packed longs; grows, never shrinks.
 */
final class PairIndex {
    /** Key (left << 32 | right) + 1, 0 meaning empty. */
    private long[] keys = new long[1 << 12];
    private int[] slots = new int[1 << 12];
    private int size;

    int size() {
        return size;
    }

    /** The slot of (left, right), or -1. */
    int find(int left, int right) {
        long key = key(left, right);
        int i = index(keys, key);
        return keys[i] == key ? slots[i] : -1;
    }

    /** The slot of (left, right), numbering it {@link #size()} if it is new. */
    int findOrAdd(int left, int right) {
        long key = key(left, right);
        int i = index(keys, key);
        if (keys[i] == key) {
            return slots[i];
        }
        keys[i] = key;
        slots[i] = size;
        if (++size * 2 > keys.length) {
            grow();
        }
        return size - 1;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        keys = new long[oldKeys.length * 2];
        slots = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int j = index(keys, oldKeys[i]);
                keys[j] = oldKeys[i];
                slots[j] = oldSlots[i];
            }
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32 | (right & 0xFFFF_FFFFL)) + 1;
    }

    private static int index(long[] keys, long key) {
        int mask = keys.length - 1;
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        int i = (int) (h ^ (h >>> 31)) & mask;
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    @Override
    public String toString() {
        return "PairIndex[size=" + size + ", capacity=" + keys.length + "]";
    }
}
