package ai.basalt.nn.kernel;

import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.RopeMode;

/**
 * Rotary position embedding over a batch of sequences at positions 0..T−1. A pair (x0, x1) is rotated
 * by its angle: {@code x0' = x0·cos − x1·sin, x1' = x0·sin + x1·cos}. NORMAL pairs adjacent dimensions
 * (2i, 2i+1) like Meta's Llama; NEOX pairs the halves (i, i + hs/2) like {@code rotate_half}. The
 * backward is the rotation by the opposite angle.
 *
 * <p>Shapes: x, out, dx, dout (B, T, H, hs), hs = {@link RopeTable#headDim()}.
 */
public final class RopeKernel {
    private RopeKernel() {}

    /** out ← rope(x); out may be x. */
    public static void forward(float[] out, float[] x, RopeTable table, int b, int t, int heads) {
        rotate(out, x, table, b, t, heads, 1f, false);
    }

    /** dx += rope⁻¹(dout). */
    public static void backward(float[] dx, float[] dout, RopeTable table, int b, int t, int heads) {
        rotate(dx, dout, table, b, t, heads, -1f, true);
    }

    private static void rotate(float[] dst, float[] src, RopeTable table, int b, int t, int heads, float sign,
            boolean accumulate) {
        int hs = table.headDim();
        int half = hs / 2;
        boolean neox = table.mode() == RopeMode.NEOX;
        int stride0 = neox ? 1 : 2;
        int pairGap = neox ? half : 1;
        Parallel.forRows(b * t, 3L * heads * hs, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int pos = row % t;
                for (int h = 0; h < heads; h++) {
                    int base = (row * heads + h) * hs;
                    for (int i = 0; i < half; i++) {
                        float c = table.cos[pos * half + i];
                        float s = sign * table.sin[pos * half + i];
                        int i0 = base + i * stride0;
                        int i1 = i0 + pairGap;
                        float x0 = src[i0];
                        float x1 = src[i1];
                        float y0 = x0 * c - x1 * s;
                        float y1 = x0 * s + x1 * c;
                        if (accumulate) {
                            dst[i0] += y0;
                            dst[i1] += y1;
                        } else {
                            dst[i0] = y0;
                            dst[i1] = y1;
                        }
                    }
                }
            }
        });
    }
}
