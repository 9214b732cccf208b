package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;

/**
 * The compiled matcher and the compiled policy decide exactly like the straightforward reference
 * implementations, over random patterns using every glob feature and random names.
 */
class CompiledEqualsReferenceTest {
    private static final String[] PIECES = {
        "a", "b", "c", "ab", "-", "/", "/", "*", "**", "**", "?", "[ab]", "[!a]", "[^c]", "[a-b]", "[-a]",
        "{a,b}", "{a/b,c}", "{a,{b,c}*}", "{,a}", "{**/a,b}", "\\*", "\\a", "\\{",
    };
    private static final String[] SUBJECT_USERS = {"u1", "u2", "root", "user", "a b"};
    private static final String[] GROUPS = {"g1", "g2", "admins"};

    private static Arbitrary<List<String>> pieces() {
        return Arbitraries.of(PIECES).list().ofMinSize(1).ofMaxSize(6).filter(p -> !p.get(0).equals("/"));
    }

    @Provide
    Arbitrary<String> patterns() {
        return pieces().map(parts -> String.join("", parts));
    }

    /** A name built to fit the pattern's pieces (often matching), or an unrelated one. */
    @Provide
    Arbitrary<Tuple2<String, String>> patternsAndNames() {
        return pieces().flatMap(parts -> {
            Arbitrary<String> fitted = Combinators.combine(parts.stream().map(CompiledEqualsReferenceTest::instance).toList())
                    .as(chosen -> String.join("", chosen));
            return Combinators.combine(Arbitraries.just(String.join("", parts)), Arbitraries.oneOf(fitted, fitted, names()))
                    .as(Tuple::of);
        });
    }

    private static Arbitrary<String> instance(String piece) {
        return switch (piece) {
            case "*" -> Arbitraries.of("", "a", "ab", "c");
            case "**" -> Arbitraries.of("", "a", "a/b", "b/", "ab");
            case "?" -> Arbitraries.of("a", "b", "/");
            case "[ab]", "[!a]", "[^c]", "[a-b]", "[-a]" -> Arbitraries.of("a", "b", "c", "-");
            case "{a,b}" -> Arbitraries.of("a", "b");
            case "{a/b,c}" -> Arbitraries.of("a/b", "c");
            case "{a,{b,c}*}" -> Arbitraries.of("a", "b", "ca", "bb");
            case "{,a}" -> Arbitraries.of("", "a");
            case "{**/a,b}" -> Arbitraries.of("a", "x/a", "b", "x/y/a");
            case "\\*" -> Arbitraries.of("*");
            case "\\a" -> Arbitraries.of("a");
            case "\\{" -> Arbitraries.of("{");
            default -> Arbitraries.just(piece);
        };
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> segment = Arbitraries.of("a", "b", "c", "ab", "ba", "abc", "a-b", "*", "{", "", "cc");
        Arbitrary<String> segmented = segment.list().ofMinSize(1).ofMaxSize(5).map(s -> String.join("/", s));
        Arbitrary<String> random = Arbitraries.strings().withChars("ab/c*-{").ofMinLength(0).ofMaxLength(8);
        return Arbitraries.oneOf(segmented, segmented, random);
    }

    @Property(tries = 20_000, seed = "20261128")
    void compiledGlobMatchesLikeTheReference(@ForAll("patternsAndNames") Tuple2<String, String> patternAndName) {
        String pattern = patternAndName.get1();
        String name = patternAndName.get2();
        boolean expected = ReferenceGlob.matches(pattern, name);
        Statistics.label("matches").collect(expected);
        Statistics.label("matches").coverage(c -> c.check(true).percentage(p -> p > 25));
        Glob glob = Glob.compile(pattern);
        assertThat(glob.matches(name)).as("pattern %s on name %s", pattern, name).isEqualTo(expected);
        assertThat(glob.wildcards()).as("wildcards of %s", pattern).isEqualTo(ReferenceGlob.wildcards(pattern));
        for (String prefix : glob.prefixes()) {
            if (expected && glob.prefixes().size() == 1) {
                assertThat(name).as("a name matched by %s starts with its literal prefix", pattern).startsWith(prefix);
            }
        }
    }

    @Provide
    Arbitrary<Set<Action>> actionSets() {
        return Arbitraries.of(Action.class).set().ofMaxSize(4).map(s -> s.isEmpty() ? EnumSet.noneOf(Action.class) : EnumSet.copyOf(s));
    }

    @Provide
    Arbitrary<AccessPolicy> policies() {
        Arbitrary<List<String>> users = Arbitraries.of(SUBJECT_USERS).list().ofMaxSize(2);
        Arbitrary<List<String>> groups = Arbitraries.of(GROUPS).list().ofMaxSize(2);
        Arbitrary<PolicyEntry> entry = Combinators.combine(users, groups, actionSets()).as(PolicyEntry::new);
        Arbitrary<String> pattern = Arbitraries.oneOf(patterns(),
                Arbitraries.of("**", "*", "a/**", "a/*", "{a,b}/**", "a", "a/b", "ab/**", "*/b", "**/b", "a/**/b", "[ab]*/**"));
        Arbitrary<RepositoryRule> rule = Combinators.combine(pattern, entry.list().ofMaxSize(3), actionSets(), actionSets())
                .as(RepositoryRule::new);
        Arbitrary<AdminPolicy> admin = Combinators.combine(users, groups, actionSets()).as(AdminPolicy::new);
        Arbitrary<Map<String, List<String>>> configGroups = Arbitraries.maps(Arbitraries.of(GROUPS), users).ofMaxSize(2)
                .map(LinkedHashMap::new);
        Arbitrary<MetricsPolicy> metrics = Combinators.combine(users, Arbitraries.of(Set.<Action>of(), Set.of(Action.READ)))
                .as(MetricsPolicy::new);
        return Combinators.combine(rule.list().ofMinSize(0).ofMaxSize(12).uniqueElements(RepositoryRule::pattern), admin, configGroups,
                metrics).as((rules, a, g, m) -> new AccessPolicy(new PolicyRules(true, g, new ArrayList<>(rules), a, m)));
    }

    @Provide
    Arbitrary<Subject> subjects() {
        Arbitrary<Subject> users = Combinators.combine(Arbitraries.of(SUBJECT_USERS), Arbitraries.of(GROUPS).set().ofMaxSize(2))
                .as(Subject::user);
        return Arbitraries.oneOf(users, users, Arbitraries.just(Subject.anonymous()));
    }

    @Property(tries = 10_000, seed = "20261128")
    void compiledPolicyDecidesLikeTheReferenceScan(@ForAll("policies") AccessPolicy policy, @ForAll("subjects") Subject subject,
                                                   @ForAll("names") String repository, @ForAll Action action) {
        Decision d = policy.decide(subject, repository, action);
        Grant expected = ReferenceEvaluator.decide(policy, subject, repository, action);
        Statistics.label("grant").collect(expected);
        assertThat(d.grantedBy()).as("%s %s %s under%n%s", subject, action, repository, policy.toZotJson()).isEqualTo(expected);
        assertThat(d.allowed()).isEqualTo(expected != Grant.NONE);
        assertThat(d.pattern().orElse(null)).isEqualTo(ReferenceEvaluator.chosenPattern(policy, repository));

        boolean listed = !subject.isAnonymous() && policy.isAdmin(subject)
                || ReferenceEvaluator.decide(policy, subject, repository, Action.READ) != Grant.NONE;
        assertThat(policy.canList(subject, repository)).isEqualTo(listed);
    }

    @Property(tries = 2_000, seed = "20261128")
    void zotJsonRoundTripDecidesIdentically(@ForAll("policies") AccessPolicy policy, @ForAll("subjects") Subject subject,
                                            @ForAll("names") String repository, @ForAll Action action) {
        AccessPolicy copy = AccessPolicy.fromZotJson(policy.toZotJson());
        assertThat(copy.decide(subject, repository, action).grantedBy()).isEqualTo(policy.decide(subject, repository, action).grantedBy());
        assertThat(copy.decideMetrics(subject).allowed()).isEqualTo(policy.decideMetrics(subject).allowed());
        assertThat(copy.toZotJson()).isEqualTo(policy.toZotJson());
    }

    @Property(tries = 2_000, seed = "20261128")
    void policyLanguageRoundTripDecidesIdentically(@ForAll("policies") AccessPolicy policy, @ForAll("subjects") Subject subject,
                                                   @ForAll("names") String repository, @ForAll Action action) {
        String text = policy.toText();
        AccessPolicy parsed = AccessPolicy.parse(text);
        assertThat(parsed.toText()).isEqualTo(text);
        AccessPolicy viaJson = AccessPolicy.fromZotJson(parsed.toZotJson());
        for (AccessPolicy copy : List.of(parsed, viaJson)) {
            assertThat(copy.decide(subject, repository, action).grantedBy()).as(text)
                    .isEqualTo(policy.decide(subject, repository, action).grantedBy());
            assertThat(copy.decideMetrics(subject).allowed()).isEqualTo(policy.decideMetrics(subject).allowed());
            assertThat(copy.canList(subject, repository)).isEqualTo(policy.canList(subject, repository));
        }
    }
}
