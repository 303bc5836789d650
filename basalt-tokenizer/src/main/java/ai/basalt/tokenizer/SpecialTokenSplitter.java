package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts the texts of special tokens out of the input before BPE, as llama.cpp's
 * {@code tokenizer_st_partition} does: special tokens are tried longest first (by UTF-8 length), each
 * splitting every remaining text fragment at all its non-overlapping occurrences, left to right.
 * User-defined tokens are always matched; control and unknown tokens only when special tokens are parsed.
 */
final class SpecialTokenSplitter {

    /** A piece of the input: text still to be tokenized, or a special token already found. */
    sealed interface Fragment {
        record Text(String text) implements Fragment {}

        record Special(int token) implements Fragment {}
    }

    private record SpecialToken(int id, String text, boolean userDefined) {}

    private final List<SpecialToken> specials = new ArrayList<>();

    SpecialTokenSplitter(Vocabulary vocabulary) {
        for (int id = 0; id < vocabulary.size(); id++) {
            TokenType type = vocabulary.types()[id];
            String text = vocabulary.tokens()[id];
            if (type.isSpecial() && !text.isEmpty()) {
                specials.add(new SpecialToken(id, text, type == TokenType.USER_DEFINED));
            }
        }
        // llama.cpp sorts its special-token cache by byte length, longest first; ties keep id order here
        specials.sort(Comparator.comparingInt(
                (SpecialToken s) -> s.text().getBytes(StandardCharsets.UTF_8).length).reversed());
    }

    /** The fragments of {@code text}; none for the empty text. */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment.Text(text));
        for (SpecialToken special : specials) {
            if ((parseSpecial || special.userDefined()) && occursIn(fragments, special.text())) {
                fragments = splitAll(fragments, special);
            }
        }
        return fragments;
    }

    private static boolean occursIn(List<Fragment> fragments, String needle) {
        for (Fragment fragment : fragments) {
            if (fragment instanceof Fragment.Text(String text) && text.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    private static List<Fragment> splitAll(List<Fragment> fragments, SpecialToken special) {
        List<Fragment> result = new ArrayList<>(fragments.size() + 2);
        String needle = special.text();
        for (Fragment fragment : fragments) {
            if (!(fragment instanceof Fragment.Text(String text))) {
                result.add(fragment);
                continue;
            }
            int from = 0;
            for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, from)) {
                if (at > from) {
                    result.add(new Fragment.Text(text.substring(from, at)));
                }
                result.add(new Fragment.Special(special.id()));
                from = at + needle.length();
            }
            if (from < text.length()) {
                result.add(new Fragment.Text(text.substring(from)));
            }
        }
        return result;
    }
}
