package ai.basalt.model.layers;

import ai.basalt.model.KvType;

/**
 * The keys and values of every cached position of one sequence, for every layer, in pages of {@link #PAGE}
 * positions: the cache grows a page at a time as positions are used (a state sized to a 131,072-token context
 * takes memory for the positions written, and growing copies nothing).
 *
 * <p>Both page kinds are per key/value head, so that one head's slice of a page is contiguous:
 * <ul>
 *   <li>a key page is (kvHeads, headDim, PAGE), keys transposed: dimension d of position t of head h at
 *       {@code (h·headDim + d)·PAGE + t}, so that a head's scores are lane-parallel over positions
 *       ({@code TensorOps.dotColumns});</li>
 *   <li>a value page is (kvHeads, PAGE, headDim): position t of head h at {@code (h·PAGE + t)·headDim}, rows
 *       for {@code TensorOps.sumRows}.</li>
 * </ul>
 * In {@link KvType#F16} the pages hold IEEE half-precision bits (rounded to nearest even on {@link #store}, as
 * llama.cpp's default F16 cache stores them), half the memory and half the traffic of {@link KvType#F32}; readers
 * widen a slice at a time ({@link CachedAttention}), so every kernel reads the same floats whatever computes them.
 */
public final class KvCache {
    /** Positions per page. */
    public static final int PAGE = 256;

    private final KvType type;
    private final int layers;
    private final int capacity;
    private final int kvHeads;
    private final int headDim;
    /** (layers, pages): float[] pages in F32, null otherwise */
    private final float[][][] keys32, values32;
    /** (layers, pages): short[] pages of half-precision bits in F16, null otherwise */
    private final short[][][] keys16, values16;
    private int reserved;

    public KvCache(KvType type, int layers, int kvHeads, int headDim, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("KV cache capacity " + capacity + " must be positive");
        this.type = type;
        this.layers = layers;
        this.capacity = capacity;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        int pages = (capacity + PAGE - 1) / PAGE;
        boolean half = type == KvType.F16;
        keys32 = half ? null : new float[layers][pages][];
        values32 = half ? null : new float[layers][pages][];
        keys16 = half ? new short[layers][pages][] : null;
        values16 = half ? new short[layers][pages][] : null;
    }

    public KvType type() {
        return type;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /** Positions the pages hold now (a multiple of {@link #PAGE}, or the capacity). */
    public int reserved() {
        return reserved;
    }

    /** Bytes the pages made so far take: keys and values, every layer. */
    public long bytes() {
        long pages = (reserved + PAGE - 1) / PAGE;
        return 2L * layers * pages * PAGE * kvHeads * headDim * (type == KvType.F16 ? 2 : 4);
    }

    /** Makes the pages hold at least {@code positions} positions (up to the capacity). */
    public void reserve(int positions) {
        if (positions <= reserved) return;
        if (positions > capacity) {
            throw new IllegalArgumentException("position " + (positions - 1) + " is outside the KV cache of " + capacity);
        }
        int pageFloats = kvHeads * headDim * PAGE;
        for (int page = reserved / PAGE; page * PAGE < positions; page++) {
            for (int l = 0; l < layers; l++) {
                if (type == KvType.F16) {
                    keys16[l][page] = new short[pageFloats];
                    values16[l][page] = new short[pageFloats];
                } else {
                    keys32[l][page] = new float[pageFloats];
                    values32[l][page] = new float[pageFloats];
                }
            }
            reserved = Math.min(capacity, (page + 1) * PAGE);
        }
    }

    /**
     * Writes the keys and values of one position (kvHeads · headDim each, from kOff and vOff) into layer
     * {@code layer}'s pages, which {@link #reserve} must have made.
     */
    public void store(int layer, float[] k, int kOff, float[] v, int vOff, int position) {
        if (position < 0 || position >= reserved) {
            throw new IllegalArgumentException("position " + position + " is outside the reserved KV cache of " + reserved);
        }
        int page = position / PAGE, t = position % PAGE;
        if (type == KvType.F16) {
            short[] keys = keys16[layer][page], values = values16[layer][page];
            for (int h = 0; h < kvHeads; h++) {
                int kv = h * headDim;
                for (int d = 0; d < headDim; d++) keys[(kv + d) * PAGE + t] = Float.floatToFloat16(k[kOff + kv + d]);
                int row = (h * PAGE + t) * headDim;
                for (int d = 0; d < headDim; d++) values[row + d] = Float.floatToFloat16(v[vOff + kv + d]);
            }
        } else {
            float[] keys = keys32[layer][page], values = values32[layer][page];
            for (int h = 0; h < kvHeads; h++) {
                int kv = h * headDim;
                for (int d = 0; d < headDim; d++) keys[(kv + d) * PAGE + t] = k[kOff + kv + d];
                System.arraycopy(v, vOff + kv, values, (h * PAGE + t) * headDim, headDim);
            }
        }
    }

    /** Layer l's F32 key pages (see the class comment); null in F16. */
    float[][] keys(int layer) {
        return keys32 == null ? null : keys32[layer];
    }

    float[][] values(int layer) {
        return values32 == null ? null : values32[layer];
    }

    /** Layer l's F16 key pages; null in F32. */
    short[][] halfKeys(int layer) {
        return keys16 == null ? null : keys16[layer];
    }

    short[][] halfValues(int layer) {
        return values16 == null ? null : values16[layer];
    }
}
