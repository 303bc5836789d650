package ai.basalt.generate.constrain;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs a {@link Grammar} over bytes as llama.cpp's grammar engine does, as a set of parse stacks, and memoises
 * every step, so that the set-of-stacks machine becomes a deterministic automaton built lazily: each
 * {@link State} is one interned set of stacks, and {@link #step} is an array lookup once a transition has been
 * taken. Stacks are persistent lists of interned {@link Frame}s, so equal stacks are the same object and a
 * state is identified by the ids of its top frames.
 *
 * <p>A frame is a position in an alternative (the next element to match) plus the frame to return to. The top
 * frame of every stack in a state points at a byte set; frames below point at what follows a rule reference.
 * A reference in last position returns straight to its caller's caller (a tail call), so right recursion such
 * as a string's characters does not grow the stacks.
 *
 * <p>Not thread-safe: one automaton serves one generation (or one thread) at a time.
 */
final class Automaton {
    /** Expansions deeper than this mean a left-recursive grammar, which {@link SchemaCompiler} never builds. */
    private static final int MAX_EXPANSION_DEPTH = 10_000;

    private final Grammar grammar;
    private final Map<FrameKey, Frame> frames = new HashMap<>();
    private final Map<StateKey, State> states = new HashMap<>();
    /** The state with no stacks: nothing can follow. */
    final State dead = new State(new Frame[0], false);
    private final State start;

    Automaton(Grammar grammar) {
        this.grammar = grammar;
        Collector c = new Collector();
        for (int alt : grammar.alternativesOf(grammar.root())) expand(alt, 0, null, c, 0);
        this.start = intern(c);
    }

    State start() {
        return start;
    }

    /** The state after byte {@code b} (0-255), or {@link #dead}. */
    State step(State s, int b) {
        State[] next = s.next;
        if (next == null) next = s.next = new State[256];
        State t = next[b];
        if (t == null) next[b] = t = computeStep(s, b);
        return t;
    }

    /** How many distinct states have been built, for tests and diagnostics. */
    int stateCount() {
        return states.size();
    }

    private State computeStep(State s, int b) {
        if (s == dead) return dead;
        Collector c = new Collector();
        for (Frame f : s.stacks) {
            int element = grammar.alternative(f.alt)[f.index];
            if (grammar.matches(element, b)) expand(f.alt, f.index + 1, f.parent, c, 0);
        }
        return intern(c);
    }

    /** Adds to {@code c} every stack reachable from position {@code (alt, index)} without consuming a byte. */
    private void expand(int alt, int index, Frame parent, Collector c, int depth) {
        if (depth > MAX_EXPANSION_DEPTH) throw new IllegalStateException("grammar is left-recursive");
        int[] elements = grammar.alternative(alt);
        while (index == elements.length) {
            if (parent == null) {
                c.complete = true;
                return;
            }
            alt = parent.alt;
            index = parent.index;
            parent = parent.parent;
            elements = grammar.alternative(alt);
        }
        int element = elements[index];
        if (Grammar.isTerminal(element)) {
            c.add(frame(alt, index, parent));
            return;
        }
        Frame ret = index + 1 == elements.length ? parent : frame(alt, index + 1, parent);
        for (int a : grammar.alternativesOf(Grammar.ruleOf(element))) expand(a, 0, ret, c, depth + 1);
    }

    private Frame frame(int alt, int index, Frame parent) {
        FrameKey key = new FrameKey(alt, index, parent == null ? -1 : parent.id);
        Frame f = frames.get(key);
        if (f == null) {
            f = new Frame(alt, index, parent, frames.size());
            frames.put(key, f);
        }
        return f;
    }

    private State intern(Collector c) {
        if (c.size == 0 && !c.complete) return dead;
        Frame[] tops = Arrays.copyOf(c.frames, c.size);
        Arrays.sort(tops, (x, y) -> Integer.compare(x.id, y.id));
        int[] ids = new int[tops.length];
        for (int i = 0; i < ids.length; i++) ids[i] = tops[i].id;
        StateKey key = new StateKey(ids, c.complete);
        State s = states.get(key);
        if (s == null) {
            s = new State(tops, c.complete);
            states.put(key, s);
        }
        return s;
    }

    /** One interned stack: position {@code (alt, index)} and the frame to return to. */
    static final class Frame {
        final int alt;
        final int index;
        final Frame parent;
        final int id;

        Frame(int alt, int index, Frame parent, int id) {
            this.alt = alt;
            this.index = index;
            this.parent = parent;
            this.id = id;
        }
    }

    /**
     * A set of stacks. {@code complete}: the document may end here. The transition array and the token mask are
     * filled lazily by {@link Automaton#step} and {@link GrammarConstraint}.
     */
    static final class State {
        final Frame[] stacks;
        final boolean complete;
        State[] next;
        /** Bit set of the tokens allowed here (end tokens aside), or null until computed. */
        long[] mask;

        State(Frame[] stacks, boolean complete) {
            this.stacks = stacks;
            this.complete = complete;
        }

        /** Whether no byte can follow (the state is dead or a finished document). */
        boolean isFinal() {
            return stacks.length == 0;
        }
    }

    private record FrameKey(int alt, int index, int parentId) {}

    private record StateKey(int[] ids, boolean complete) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && complete == k.complete && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids) * 2 + (complete ? 1 : 0);
        }
    }

    /** The stacks one step reaches, without duplicates. */
    private static final class Collector {
        Frame[] frames = new Frame[8];
        int size;
        boolean complete;

        void add(Frame f) {
            for (int i = 0; i < size; i++) if (frames[i] == f) return;
            if (size == frames.length) frames = Arrays.copyOf(frames, size * 2);
            frames[size++] = f;
        }
    }
}
