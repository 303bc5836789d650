package ai.basalt.server;

/**
 * Streamed text while tools are on offer: what may be a call (a reply opening with {@code {}, or any reply when a call
 * is forced) is held back until the generation ends, when {@link ToolCalls#parse} decides; anything else streams
 * as it comes once its first non-blank character shows it is not a call.
 */
public final class HeldText {
    private final boolean forced;
    /** The text held so far, or null once it is known not to be a call (or when no tool is on offer). */
    private StringBuilder held;

    public HeldText(ToolCalls tools) {
        this.forced = tools.forced();
        this.held = tools.offered() ? new StringBuilder() : null;
    }

    /** The text to stream now for {@code piece}: empty while it is held. */
    public String pass(String piece) {
        if (held == null) return piece;
        held.append(piece);
        String lead = held.toString().stripLeading();
        if (forced || lead.isEmpty() || lead.startsWith("{")) return "";
        String out = held.toString();
        held = null;
        return out;
    }

    /** At the end: the text still held (empty if none), for the caller to stream as a call or as text. */
    public String rest() {
        return held == null ? "" : held.toString();
    }
}
