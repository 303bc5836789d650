package ai.basalt.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time per op and direction, gathered by a {@link Graph} given one with {@link Graph#setProfile}: where a
 * training step spends its time. Not thread-safe; one graph writes it.
 */
public final class OpProfile {
    private final Map<String, long[]> forward = new LinkedHashMap<>();
    private final Map<String, long[]> backward = new LinkedHashMap<>();

    /** Charges {@code nanos} of wall time to {@code op}; the graph calls this, and callers may for work of their own. */
    public void add(String op, boolean isBackward, long nanos) {
        long[] cell = (isBackward ? backward : forward).computeIfAbsent(op, k -> new long[2]);
        cell[0] += nanos;
        cell[1]++;
    }

    /** One line per op and direction, largest total first: op, direction, calls, milliseconds, share. */
    public List<String> report() {
        record Row(String op, String dir, long nanos, long calls) {}
        List<Row> rows = new ArrayList<>();
        forward.forEach((k, v) -> rows.add(new Row(k, "forward", v[0], v[1])));
        backward.forEach((k, v) -> rows.add(new Row(k, "backward", v[0], v[1])));
        rows.sort((a, b) -> Long.compare(b.nanos, a.nanos));
        double total = rows.stream().mapToLong(Row::nanos).sum();
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(String.format("%-16s %-8s %9d calls %10.1f ms %5.1f%%", r.op, r.dir, r.calls, r.nanos / 1e6,
                    100 * r.nanos / total));
        }
        return out;
    }
}
