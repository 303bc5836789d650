import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds of basalt-tensor in one JVM, each in its own class loader, their products of one matrix (the same bytes)
 * alternated 30 times after 10 rounds of warm-up, each side first in every other round: on a machine whose speed drifts by 2× over seconds, the paired ratio is what
 * holds. Arguments: type rows threads passes classesA classesB caseDir.
 */
public class KernelAb {
    public static void main(String[] a) throws Exception {
        String type = a[0];
        int rows = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), passes = Integer.parseInt(a[3]);
        Method[] run = new Method[2], first = new Method[2];
        java.lang.foreign.MemorySegment shared = null;
        for (int v = 0; v < 2; v++) {
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(a[4 + v]).toUri().toURL(),
                Path.of(a[6]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass("KernelCase");
            // B multiplies A's bytes: two copies of the matrix may be placed differently in memory
            c.getMethod("setup", String.class, int.class, int.class, java.lang.foreign.MemorySegment.class)
                    .invoke(null, type, rows, threads, shared);
            shared = (java.lang.foreign.MemorySegment) c.getMethod("data").invoke(null);
            run[v] = c.getMethod("run", int.class);
            first[v] = c.getMethod("first");
        }
        for (int i = 0; i < 10; i++) for (int v = 0; v < 2; v++) run[v].invoke(null, passes);
        int n = 30;
        double[][] speed = new double[2][n];
        double[] ratio = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 2; k++) {
                int v = (i + k) % 2; // each side first in every other round
                speed[v][i] = (double) run[v].invoke(null, passes);
            }
            ratio[i] = speed[1][i] / speed[0][i];
        }
        for (double[] s : speed) Arrays.sort(s);
        Arrays.sort(ratio);
        System.out.printf("%s rows=%d threads=%d: A %.2f, B %.2f Gweights/s (medians); B/A median %.3f [quartiles %.3f, %.3f];"
                + " first output A %s, B %s%n", type, rows, threads, speed[0][n / 2], speed[1][n / 2], ratio[n / 2],
                ratio[n / 4], ratio[3 * n / 4], first[0].invoke(null), first[1].invoke(null));
    }
}
