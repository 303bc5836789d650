package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
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

    @Property(tries = 300)
    void outputIsTheTextUpToTheFirstStop(@ForAll @StringLength(max = 40) String text, @ForAll @StringLength(min = 1, max = 3) String stop,
            @ForAll("chunkSizes") List<Integer> chunks) {
        StopStringFilter f = new StopStringFilter(List.of(stop));
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (int size : chunks) {
            if (at >= text.length()) break;
            int end = Math.min(text.length(), at + size);
            out.append(f.push(text.substring(at, end)));
            at = end;
        }
        if (at < text.length()) out.append(f.push(text.substring(at)));
        out.append(f.flush());
        int cut = text.indexOf(stop);
        assertThat(out.toString()).isEqualTo(cut >= 0 ? text.substring(0, cut) : text);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<List<Integer>> chunkSizes() {
        return net.jqwik.api.Arbitraries.integers().between(1, 5).list().ofMaxSize(20);
    }
}
