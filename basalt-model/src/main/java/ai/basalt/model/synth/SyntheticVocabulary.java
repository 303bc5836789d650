package ai.basalt.model.synth;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.tokenizer.BpeMerge;
import ai.basalt.tokenizer.ByteLevel;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.Normalization;
import ai.basalt.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level BPE tokenizer of a preset's exact size: the 256 byte tokens, then merged tokens built letter by
 * letter ({@code a}+{@code b} → {@code ab}, {@code Ġ}+{@code a} → {@code Ġa}, {@code Ġa}+{@code b} → {@code Ġab}, …,
 * breadth first, so every merge's sides are earlier tokens and every merged text is new), the family's control
 * tokens where the family has them, and unused {@code [PADn]} tokens to fill the model's vocabulary. It tokenizes
 * lowercase words into multi-byte tokens, like a real vocabulary, and anything else into bytes.
 */
public final class SyntheticVocabulary {
    private SyntheticVocabulary() {}

    /** The tokenizer for {@code preset}: {@code config().vocabularySize()} tokens. */
    public static ByteLevelBpeTokenizer tokenizer(SynthPreset preset) {
        SynthPreset.VocabularyLayout layout = preset.vocabulary();
        int size = preset.config().vocabularySize();
        int merged = layout.normalTokens() - 256;
        if (merged < 0 || layout.normalTokens() + layout.specials().size() > size) {
            throw new IllegalArgumentException(preset.presetName() + ": vocabulary layout does not fit " + size + " tokens");
        }
        List<String> normal = new ArrayList<>(layout.normalTokens());
        for (int b = 0; b < 256; b++) normal.add(String.valueOf(ByteLevel.charOf(b)));
        List<BpeMerge> merges = merges(merged);
        for (BpeMerge m : merges) normal.add(m.merged());

        String[] tokens = new String[size];
        TokenType[] types = new TokenType[size];
        int at = 0;
        if (layout.specialsFirst()) at = putSpecials(layout, tokens, types, at);
        for (String t : normal) {
            tokens[at] = t;
            types[at++] = TokenType.NORMAL;
        }
        if (!layout.specialsFirst()) at = putSpecials(layout, tokens, types, at);
        for (; at < size; at++) {
            tokens[at] = "[PAD" + at + "]";
            types[at] = TokenType.UNUSED;
        }
        Vocabulary vocabulary = new Vocabulary(tokens, new float[size], types, layout.bos(), layout.eos(), -1,
                layout.pad(), layout.addBos(), false, false);
        return new ByteLevelBpeTokenizer(vocabulary, merges, layout.preTokenizer(),
                layout.preTokenizer().ignoresMergesByDefault(), Normalization.NONE);
    }

    private static int putSpecials(SynthPreset.VocabularyLayout layout, String[] tokens, TokenType[] types, int at) {
        for (String s : layout.specials()) {
            tokens[at] = s;
            types[at++] = TokenType.CONTROL;
        }
        return at;
    }

    /** {@code count} merges, breadth first from {@code Ġ} and the lowercase letters, each adding one letter. */
    static List<BpeMerge> merges(int count) {
        List<BpeMerge> out = new ArrayList<>(count);
        List<String> queue = new ArrayList<>();
        queue.add(String.valueOf(ByteLevel.charOf(' ')));
        for (char c = 'a'; c <= 'z'; c++) queue.add(String.valueOf(c));
        for (int next = 0; out.size() < count; next++) {
            String left = queue.get(next);
            for (char c = 'a'; c <= 'z' && out.size() < count; c++) {
                BpeMerge m = new BpeMerge(left, String.valueOf(c));
                out.add(m);
                queue.add(m.merged());
            }
        }
        return out;
    }
}
