package ai.basalt.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import ai.basalt.tensor.Parallel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The arrays of one graph's intermediates, recycled by exact length. A training step rebuilds the same
 * graph with the same shapes, so from the second step on every request is met from the free lists and the
 * step allocates no float arrays.
 */
final class BufferPool {
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final ArrayList<float[]> inUse = new ArrayList<>();
    private long allocations;
    private long allocatedFloats;

    /** An array of exactly {@code n} floats whose contents are undefined. */
    float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[n];
            allocations++;
            allocatedFloats += n;
        }
        inUse.add(a);
        return a;
    }

    /** An array of exactly {@code n} zeros. */
    float[] takeZeroed(int n) {
        float[] a = take(n);
        Parallel.forRows(n, 4, (i0, i1) -> Arrays.fill(a, i0, i1, 0f));
        return a;
    }

    /** Returns every array handed out since the last release to the free lists. */
    void releaseAll() {
        for (float[] a : inUse) free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        inUse.clear();
    }

    /** How many arrays this pool has allocated in its life. */
    long allocations() {
        return allocations;
    }

    /** How many floats this pool has allocated in its life. */
    long allocatedFloats() {
        return allocatedFloats;
    }
}
