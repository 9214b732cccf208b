package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

class GlobAutomatonTest {
    private final CompiledEqualsReferenceTest generators = new CompiledEqualsReferenceTest();

    @Property(tries = 3_000, seed = "20261128")
    void examplesAreRealAndNoMeansNone(@ForAll("patterns") String a, @ForAll("patternsAndNames") Tuple2<String, String> bAndName) {
        Glob p = Glob.compile(a);
        Glob q = Glob.compile(bAndName.get1());
        String name = bAndName.get2();
        GlobAutomaton.Answer both = GlobAutomaton.find(List.of(p, q), List.of(), 20_000);
        GlobAutomaton.Answer onlyP = GlobAutomaton.find(List.of(p), List.of(q), 20_000);
        Statistics.label("both").collect(both.found());
        assertThat(both.found()).isNotEqualTo(GlobAutomaton.Found.UNKNOWN);
        if (both.found() == GlobAutomaton.Found.YES) {
            assertThat(p.matches(both.example()) && q.matches(both.example())).as("%s and %s on %s", a, bAndName.get1(), both.example()).isTrue();
        } else {
            assertThat(p.matches(name) && q.matches(name)).as("no name should match both %s and %s", a, bAndName.get1()).isFalse();
        }
        if (onlyP.found() == GlobAutomaton.Found.YES) {
            assertThat(p.matches(onlyP.example()) && !q.matches(onlyP.example())).isTrue();
        } else if (onlyP.found() == GlobAutomaton.Found.NO) {
            assertThat(p.matches(name) && !q.matches(name)).as("%s should be covered by %s", a, bAndName.get1()).isFalse();
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> patterns() {
        return generators.patterns();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Tuple2<String, String>> patternsAndNames() {
        return generators.patternsAndNames();
    }

    @Test
    void repeatedTrailingDoubleStarsAlsoMatchTheBareParentAsTheMatcherDoes() {
        assertThat(Glob.compile("a/**/**").matches("a")).isTrue();
        assertThat(GlobAutomaton.example(List.of(Glob.compile("a/**/**"), Glob.compile("a")), List.of())).contains("a");
        assertThat(GlobAutomaton.example(List.of(Glob.compile("**/**/b")), List.of(Glob.compile("**/b")))).isEmpty();
    }

    @Test
    void aNameOfCharactersAboveAsciiIsFoundWhenOnlyTheyMatch() {
        // the class leaves out space to '~': what it matches beyond control characters starts after DEL
        assertThat(GlobAutomaton.example(List.of(Glob.compile("[^ -~]")), List.of())).contains("\u0080");
    }

    @Test
    void readableExamples() {
        assertThat(GlobAutomaton.example(List.of(Glob.compile("team/**")), List.of(Glob.compile("team/*"), Glob.compile("team"))))
                .contains("team/x/x");
        assertThat(GlobAutomaton.example(List.of(Glob.compile("ab/*"), Glob.compile("a?/c")), List.of())).contains("ab/c");
        assertThat(GlobAutomaton.example(List.of(Glob.compile("team/*")), List.of(Glob.compile("team/**")))).isEmpty();
    }
}
