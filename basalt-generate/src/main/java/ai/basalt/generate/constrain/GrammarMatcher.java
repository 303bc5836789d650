package ai.basalt.generate.constrain;

import java.nio.charset.StandardCharsets;

/**
 * Feeds a {@link JsonGrammar} bytes one at a time and says whether what was fed is still the prefix of a
 * valid document ({@link #isLive()}) and whether it is a whole one ({@link #isComplete()}). Once a byte is
 * rejected the matcher stays dead. Not thread-safe.
 */
public final class GrammarMatcher {
    private final Automaton automaton;
    private Automaton.State state;

    GrammarMatcher(Automaton automaton) {
        this.automaton = automaton;
        this.state = automaton.start();
    }

    /** Feeds one byte; returns whether the text is still live. */
    public boolean accept(byte b) {
        state = automaton.step(state, b & 0xFF);
        return isLive();
    }

    /** Feeds bytes in order; returns whether the text is still live. */
    public boolean accept(byte[] bytes) {
        for (byte b : bytes) {
            if (!accept(b)) return false;
        }
        return isLive();
    }

    /** Feeds {@code text}'s UTF-8 bytes. */
    public boolean accept(String text) {
        return accept(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether some continuation (possibly none) of what was fed is a valid document. */
    public boolean isLive() {
        return state != automaton.dead;
    }

    /** Whether what was fed is a valid document as it stands. */
    public boolean isComplete() {
        return state.complete;
    }

    /** Whether {@code text} is, as a whole, a document of the grammar (a fresh matcher's verdict). */
    public static boolean matches(JsonGrammar grammar, String text) {
        GrammarMatcher m = grammar.matcher();
        return m.accept(text) && m.isComplete();
    }
}
