package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StopStringFilterTest {

    @Test
    void holdsBackAPossibleStopPrefixAndCutsAtTheStop() {
        StopStringFilter f = new StopStringFilter(List.of("END"));
        assertThat(f.push("hello E")).isEqualTo("hello ");
        assertThat(f.push("N")).isEmpty();
        assertThat(f.push("D and more")).isEmpty();
        assertThat(f.stopped()).isTrue();
        assertThat(f.flush()).isEmpty();
    }

    @Test
    void releasesHeldTextWhenThePrefixDoesNotComplete() {
        StopStringFilter f = new StopStringFilter(List.of("END"));
        assertThat(f.push("hello EN")).isEqualTo("hello ");
        assertThat(f.push("x")).isEqualTo("ENx");
        assertThat(f.stopped()).isFalse();
    }

    @Test
    void flushReleasesAnUnfinishedPrefix() {
        StopStringFilter f = new StopStringFilter(List.of("\n\n"));
        assertThat(f.push("line\n")).isEqualTo("line");
        assertThat(f.flush()).isEqualTo("\n");
    }

    @Test
    void earliestOfSeveralStopsWins() {
        StopStringFilter f = new StopStringFilter(List.of("cd", "b"));
        assertThat(f.push("abcd")).isEqualTo("a");
    }

    /** Property: for any text, stop string and chunking, the output is the text up to the first stop. */
    @Test
    void outputIsTheTextUpToTheFirstStop() {
        long seed = Long.getLong("basalt.test.seed", 20261128L);
        SplittableRandom random = new SplittableRandom(seed);
        String alphabet = "abAB \n\u00e9\u4e2d";
        for (int trial = 0; trial < 2000; trial++) {
            String text = randomString(random, alphabet, random.nextInt(41));
            String stop = randomString(random, alphabet, 1 + random.nextInt(3));
            StopStringFilter f = new StopStringFilter(List.of(stop));
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < text.length()) {
                int end = Math.min(text.length(), at + 1 + random.nextInt(5));
                out.append(f.push(text.substring(at, end)));
                at = end;
            }
            out.append(f.flush());
            int cut = text.indexOf(stop);
            assertThat(out.toString())
                    .as("trial %d (seed %d): text=%s stop=%s", trial, seed, text, stop)
                    .isEqualTo(cut >= 0 ? text.substring(0, cut) : text);
        }
    }

    private static String randomString(SplittableRandom random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return sb.toString();
    }
}
