package ai.basalt.generate.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A context-free grammar over bytes, in the shape of llama.cpp's GBNF rules: each rule is a list of
 * alternatives, each alternative a sequence of elements, each element a set of bytes (a terminal) or a
 * reference to a rule. Elements are ints: {@code e >= 0} names byte set {@code e}, {@code e < 0} names rule
 * {@code -e - 1}. Immutable once built; {@link Automaton} runs it.
 *
 * <p>No rule may be left-recursive (reach itself again before consuming a byte): {@link SchemaCompiler} only
 * recurses through {@code {} and {@code [}.
 */
final class Grammar {
    /** (sets, 4) bit sets over the 256 byte values. */
    private final long[][] byteSets;
    /** (alternatives, length) element sequences. */
    private final int[][] alternatives;
    /** (rules, count) alternative ids of each rule. */
    private final int[][] rules;
    private final int root;

    private Grammar(long[][] byteSets, int[][] alternatives, int[][] rules, int root) {
        this.byteSets = byteSets;
        this.alternatives = alternatives;
        this.rules = rules;
        this.root = root;
    }

    int root() {
        return root;
    }

    int[] alternative(int id) {
        return alternatives[id];
    }

    int[] alternativesOf(int rule) {
        return rules[rule];
    }

    boolean matches(int byteSet, int b) {
        return (byteSets[byteSet][b >>> 6] & (1L << b)) != 0;
    }

    int ruleCount() {
        return rules.length;
    }

    static boolean isTerminal(int element) {
        return element >= 0;
    }

    static int ruleOf(int element) {
        return -element - 1;
    }

    /** Collects rules; rules may be declared first and defined later, which is how recursion is built. */
    static final class Builder {
        private final List<long[]> byteSets = new ArrayList<>();
        private final Map<BitsKey, Integer> byteSetIds = new HashMap<>();
        private final List<int[]> alternatives = new ArrayList<>();
        private final List<int[]> rules = new ArrayList<>();

        /** A rule without alternatives yet; {@link #define} gives them. */
        int declare() {
            rules.add(null);
            return rules.size() - 1;
        }

        /** Gives a declared rule its alternatives. */
        void define(int rule, List<int[]> alts) {
            if (rules.get(rule) != null) throw new IllegalStateException("rule " + rule + " is already defined");
            int[] ids = new int[alts.size()];
            for (int i = 0; i < ids.length; i++) {
                alternatives.add(alts.get(i).clone());
                ids[i] = alternatives.size() - 1;
            }
            rules.set(rule, ids);
        }

        /** A new rule with these alternatives; returns its reference element. */
        int rule(int[]... alts) {
            int r = declare();
            define(r, List.of(alts));
            return ref(r);
        }

        static int ref(int rule) {
            return -rule - 1;
        }

        /** The element matching one byte in {@code [from, to]}, or in any of several such ranges. */
        int bytes(int... inclusiveRanges) {
            long[] bits = new long[4];
            for (int i = 0; i < inclusiveRanges.length; i += 2) {
                for (int b = inclusiveRanges[i]; b <= inclusiveRanges[i + 1]; b++) bits[b >>> 6] |= 1L << b;
            }
            return byteSet(bits);
        }

        /** The element matching exactly byte {@code b}. */
        int exactly(int b) {
            return bytes(b & 0xFF, b & 0xFF);
        }

        /** The element matching one of the characters of {@code ascii}. */
        int anyOf(String ascii) {
            long[] bits = new long[4];
            for (int i = 0; i < ascii.length(); i++) bits[ascii.charAt(i) >>> 6] |= 1L << ascii.charAt(i);
            return byteSet(bits);
        }

        private int byteSet(long[] bits) {
            return byteSetIds.computeIfAbsent(new BitsKey(bits), k -> {
                byteSets.add(bits);
                return byteSets.size() - 1;
            });
        }

        /** The elements matching {@code text}'s UTF-8 bytes in order. */
        int[] literal(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int[] out = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) out[i] = exactly(bytes[i]);
            return out;
        }

        /** Concatenates element sequences. */
        static int[] seq(int[]... parts) {
            int n = 0;
            for (int[] p : parts) n += p.length;
            int[] out = new int[n];
            int at = 0;
            for (int[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }

        static int[] of(int... elements) {
            return elements;
        }

        /**
         * A rule matching {@code item} repeated {@code min} to {@code max} times ({@code max < 0}: no bound). The
         * optional part is right-recursive, so the automaton's stacks do not grow with the count.
         */
        int repeat(int[] item, int min, int max) {
            int tail;
            if (max < 0) {
                int star = declare();
                define(star, List.of(new int[0], seq(item, of(ref(star)))));
                tail = ref(star);
            } else {
                tail = rule(new int[0]);
                for (int k = min; k < max; k++) tail = rule(new int[0], seq(item, of(tail)));
            }
            int[][] parts = new int[min + 1][];
            for (int i = 0; i < min; i++) parts[i] = item;
            parts[min] = of(tail);
            return rule(seq(parts));
        }

        /**
         * A rule matching {@code min} to {@code max} items ({@code max < 0}: no bound), separated by
         * {@code separator}.
         */
        int separated(int[] item, int[] separator, int min, int max) {
            if (max == 0) return rule(new int[0]);
            int rest = repeat(seq(separator, item), Math.max(0, min - 1), max < 0 ? -1 : max - 1);
            int[] nonEmpty = seq(item, of(rest));
            return min == 0 ? rule(new int[0], nonEmpty) : rule(nonEmpty);
        }

        Grammar build(int rootElement) {
            for (int r = 0; r < rules.size(); r++) {
                if (rules.get(r) == null) throw new IllegalStateException("rule " + r + " was declared but never defined");
            }
            int root = Grammar.isTerminal(rootElement) ? ruleOf(rule(of(rootElement))) : ruleOf(rootElement);
            return new Grammar(byteSets.toArray(long[][]::new), alternatives.toArray(int[][]::new),
                    rules.toArray(int[][]::new), root);
        }

        private record BitsKey(long[] bits) {
            @Override
            public boolean equals(Object o) {
                return o instanceof BitsKey k && Arrays.equals(bits, k.bits);
            }

            @Override
            public int hashCode() {
                return Arrays.hashCode(bits);
            }
        }
    }
}
