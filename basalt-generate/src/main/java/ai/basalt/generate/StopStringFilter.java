package ai.basalt.generate;

import java.util.List;

/**
 * Holds back streamed text that might still become a stop string, and cuts the text at the first stop
 * string once one appears.
 */
final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStringFilter(List<String> stops) {
        this.stops = stops;
    }

    /** Adds {@code piece} and returns the text that is now safe to emit. */
    String push(String piece) {
        if (stopped) return "";
        pending.append(piece);
        int cut = firstStop();
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int keep = longestStopPrefixSuffix();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** Whether a stop string has been seen. */
    boolean stopped() {
        return stopped;
    }

    /** Releases text held back when generation ends without completing a stop string. */
    String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    private int firstStop() {
        int first = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    /** Length of the longest suffix of the pending text that is a proper prefix of some stop string. */
    private int longestStopPrefixSuffix() {
        String text = pending.toString();
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length()); len > best; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
