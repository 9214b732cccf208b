package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

class PolicyDiffTest {
    /** {@code count} team patterns under "**"; anonymous callers may read everywhere but in the teams. */
    static String teams(int count) {
        StringBuilder text = new StringBuilder("repo \"**\" {\n  anonymous: read\n  authenticated: read\n  group devs: read, create\n}\n");
        for (int n = 1; n <= count; n++) {
            text.append("repo \"team").append(n).append("/*\" {\n  authenticated: read\n  group devs: read, create\n}\n");
        }
        return text.toString();
    }

    static final String TEAM_APPS = "repo \"team*/app\" {\n  anonymous: read\n  authenticated: read\n  group devs: read, create\n}\n";

    @Test
    void aPatternThatWinsOnlyWhereItMeetsAnotherIsFoundAmongThousandsOfRegionPairs() {
        AccessPolicy before = AccessPolicy.parse(teams(55));
        AccessPolicy after = AccessPolicy.parse(teams(55) + TEAM_APPS);
        assertThat(after.decide(Subject.anonymous(), "team55/app", Action.READ).allowed()).isTrue();
        assertThat(before.decide(Subject.anonymous(), "team55/app", Action.READ).allowed()).isFalse();

        PolicyDiff diff = PolicyDiff.between(before, after);

        assertThat(diff.complete()).isTrue();
        assertThat(diff.changes()).contains(
                new PolicyDiff.Change("anonymous", true, "read", "team55/app", "team55/*", "team*/app"),
                new PolicyDiff.Change("anonymous", true, "catalog", "team55/app", "team55/*", "team*/app"));
        assertThat(diff.changes()).hasSize(110).allMatch(c -> c.principal().equals("anonymous") && c.gained());
    }

    @Test
    void aComparisonStoppedByItsLimitSaysSoInsteadOfReportingNoDifference() {
        // '*a' and 20 '?': which of a name's last 21 characters are 'a' matters, so the automaton needs 2^21 states
        String pattern = "*a" + "?".repeat(20);
        AccessPolicy before = AccessPolicy.parse("repo \"" + pattern + "\" {\n  anonymous: read\n}\n");
        AccessPolicy after = AccessPolicy.parse("repo \"" + pattern + "\" {\n  anonymous: read, create\n}\n");

        PolicyDiff diff = PolicyDiff.between(before, after);

        assertThat(diff.complete()).isFalse();
        assertThat(diff.changes()).isEmpty();
        PolicyDiff shortRun = PolicyDiff.between(AccessPolicy.parse("repo \"*a?\" {\n  anonymous: read\n}\n"),
                AccessPolicy.parse("repo \"*a?\" {\n  anonymous: read, create\n}\n"));
        assertThat(shortRun.complete()).isTrue();
        assertThat(shortRun.changes()).containsExactly(new PolicyDiff.Change("anonymous", true, "create", "ax", "*a?", "*a?"));
    }

    // ------------------------------------------------------------------ the property

    /** Path segments patterns are made of (literals, shared prefixes, every kind of wildcard), each with names it matches. */
    private static final Map<String, List<String>> SEGMENTS = segments();

    private static Map<String, List<String>> segments() {
        Map<String, List<String>> segments = new LinkedHashMap<>();
        segments.put("a", List.of("a"));
        segments.put("b", List.of("b"));
        segments.put("ab", List.of("ab"));
        segments.put("app", List.of("app"));
        segments.put("team1", List.of("team1"));
        segments.put("team12", List.of("team12"));
        segments.put("*", List.of("x", "ab", "team1"));
        segments.put("a*", List.of("a", "ab", "app"));
        segments.put("*b", List.of("b", "ab"));
        segments.put("team*", List.of("team", "team1", "team12", "teamx"));
        segments.put("?", List.of("a", "x"));
        segments.put("a?", List.of("ab", "ax"));
        segments.put("[ab]", List.of("a", "b"));
        segments.put("[!a]*", List.of("b", "x", "team1"));
        segments.put("{a,b}", List.of("a", "b"));
        segments.put("{app,lib}", List.of("app", "lib"));
        segments.put("team{1,2}", List.of("team1", "team2"));
        segments.put("**", List.of("", "x", "a/b", "team1/app"));
        return Collections.unmodifiableMap(segments);
    }

    private static final String[] USERS = {"alice", "bob", "root", "prometheus"};
    private static final String[] GROUPS = {"ci", "devs", "ops"};

    /** What a rule grants; few kinds, so that a new or removed pattern often changes nothing. */
    private static RepositoryRule rule(String pattern, int grants) {
        Set<Action> none = Set.of();
        Set<Action> read = Set.of(Action.READ);
        return switch (grants) {
            case 0 -> new RepositoryRule(pattern, List.of(), none, read);
            case 1 -> new RepositoryRule(pattern, List.of(), read, none);
            case 2 -> new RepositoryRule(pattern, List.of(new PolicyEntry(List.of(), List.of("ci"), Set.of(Action.READ, Action.CREATE))), none, none);
            case 3 -> new RepositoryRule(pattern, List.of(new PolicyEntry(List.of("alice"), List.of(), EnumSet.allOf(Action.class))), read, none);
            case 4 -> new RepositoryRule(pattern, List.of(), none, none);
            default -> new RepositoryRule(pattern, List.of(new PolicyEntry(List.of("bob"), List.of("devs"), Set.of(Action.READ, Action.UPDATE))),
                    none, read);
        };
    }

    record Rule(List<String> segments, int grants) {
        String pattern() {
            return String.join("/", segments);
        }
    }

    /** Groups, admin and metrics: the parts of a policy that are not repository rules. */
    record Rest(Map<String, List<String>> groups, AdminPolicy admin, MetricsPolicy metrics) {
    }

    enum EditKind { ADD, REMOVE, REGRANT }

    record Edit(EditKind kind, Rule rule, int at) {
    }

    record Pair(AccessPolicy before, AccessPolicy after, List<List<String>> patterns) {
        @Override
        public String toString() {
            return "before:\n" + before.toText() + "after:\n" + after.toText();
        }
    }

    private static Arbitrary<Rule> rules() {
        return Combinators.combine(Arbitraries.of(List.copyOf(SEGMENTS.keySet())).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.integers().between(0, 5)).as(Rule::new);
    }

    /** A registry's shape: most patterns under one of 40 teams, whose names the random patterns' segments meet. */
    private static Arbitrary<List<Rule>> registry(int size) {
        Arbitrary<Rule> underTeam = Combinators.combine(Arbitraries.integers().between(1, 40),
                Arbitraries.of(List.copyOf(SEGMENTS.keySet())).list().ofMinSize(1).ofMaxSize(2), Arbitraries.integers().between(0, 5))
                .as((team, rest, grants) -> {
                    List<String> segments = new ArrayList<>(List.of("team" + team));
                    segments.addAll(rest);
                    return new Rule(segments, grants);
                });
        return Combinators.combine(underTeam.list().ofSize(size - 20), rules().list().ofSize(20)).as((teams, global) -> {
            Map<String, Rule> unique = new LinkedHashMap<>();
            teams.forEach(r -> unique.putIfAbsent(r.pattern(), r));
            global.forEach(r -> unique.putIfAbsent(r.pattern(), r));
            return List.copyOf(unique.values());
        });
    }

    private static Arbitrary<Rest> rests() {
        Arbitrary<List<String>> users = Arbitraries.of(USERS).list().ofMaxSize(2);
        Arbitrary<List<String>> groups = Arbitraries.of(GROUPS).list().ofMaxSize(2);
        Arbitrary<Set<Action>> actions = Arbitraries.of(Action.class).set().ofMaxSize(2);
        Arbitrary<Map<String, List<String>>> config = Arbitraries.maps(Arbitraries.of(GROUPS), users).ofMaxSize(2).map(LinkedHashMap::new);
        Arbitrary<AdminPolicy> admin = Combinators.combine(users, groups, actions).as(AdminPolicy::new);
        Arbitrary<MetricsPolicy> metrics = Combinators.combine(users, Arbitraries.of(Set.<Action>of(), Set.of(Action.READ)))
                .as(MetricsPolicy::new);
        return Combinators.combine(config, admin, metrics).as(Rest::new);
    }

    /** Mostly small policies, some of several hundred patterns; the second is the first edited, or unrelated. */
    @Provide
    Arbitrary<Pair> policyPairs() {
        Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 20)),
                Tuple.of(3, Arbitraries.integers().between(20, 80)),
                Tuple.of(1, Arbitraries.integers().between(200, 400)));
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.of(EditKind.class), rules(), Arbitraries.integers().between(0, 1000))
                .as(Edit::new);
        return sizes.flatMap(n -> Combinators.combine(
                n < 200 ? rules().list().ofSize(n).uniqueElements(Rule::pattern) : registry(n),
                edit.list().ofMaxSize(4),
                rests(),
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(null)), Tuple.of(1, rests())),
                Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(null)), Tuple.of(1, rules().list().ofMaxSize(20).uniqueElements(Rule::pattern))),
                Arbitraries.of(true, false)
        ).as((rules, edits, rest, otherRest, unrelated, reversed) -> pair(rules, edits, rest, otherRest, unrelated, reversed)));
    }

    private static Pair pair(List<Rule> rules, List<Edit> edits, Rest rest, Rest otherRest, List<Rule> unrelated, boolean reversed) {
        List<Rule> edited = new ArrayList<>(unrelated != null ? unrelated : rules);
        for (Edit e : edits) {
            if (e.kind() == EditKind.ADD) {
                if (edited.stream().noneMatch(r -> r.pattern().equals(e.rule().pattern()))) {
                    edited.add(e.rule());
                }
            } else if (!edited.isEmpty()) {
                int at = e.at() % edited.size();
                Rule old = edited.remove(at);
                if (e.kind() == EditKind.REGRANT) {
                    edited.add(at, new Rule(old.segments(), e.rule().grants()));
                }
            }
        }
        if (reversed) {
            Collections.reverse(edited);
        }
        Rest afterRest = otherRest != null ? otherRest : rest;
        List<List<String>> patterns = new ArrayList<>();
        rules.forEach(r -> patterns.add(r.segments()));
        edited.forEach(r -> patterns.add(r.segments()));
        return new Pair(policy(rules, rest), policy(edited, afterRest), patterns);
    }

    private static AccessPolicy policy(List<Rule> rules, Rest rest) {
        return new AccessPolicy(new PolicyRules(true, rest.groups(), rules.stream().map(r -> rule(r.pattern(), r.grants())).toList(), rest.admin(),
                rest.metrics()));
    }

    @Property(tries = 80, seed = "20261128", edgeCases = EdgeCasesMode.NONE)
    void diffFindsEveryDifferenceOfABruteForceSampleAndOnlyRealOnes(@ForAll("policyPairs") Pair pair, @ForAll long seed) {
        AccessPolicy before = pair.before();
        AccessPolicy after = pair.after();
        PolicyDiff diff = PolicyDiff.between(before, after);
        Statistics.label("complete").collect(diff.complete());
        Statistics.label("complete").coverage(c -> c.check(true).percentage(p -> p == 100.0));
        Statistics.label("changes").collect(diff.changes().isEmpty() ? "none" : "some");
        Statistics.label("changes").coverage(c -> c.check("none").percentage(p -> p > 10));
        Statistics.label("patterns").collect(before.repositories().size() >= 200 ? "200 or more" : "fewer");
        Statistics.label("patterns").coverage(c -> c.check("200 or more").count(n -> n >= 5));

        List<Map.Entry<String, Subject>> principals = principals(before, after);
        for (PolicyDiff.Change c : diff.changes()) {
            Subject s = principals.stream().filter(p -> p.getKey().equals(c.principal())).findFirst().orElseThrow().getValue();
            if (c.what().equals("metrics")) {
                assertThat(after.decideMetrics(s).allowed()).as("%s", c).isEqualTo(c.gained()).isNotEqualTo(before.decideMetrics(s).allowed());
                continue;
            }
            Decision was = decide(before, s, c.what(), c.example());
            Decision now = decide(after, s, c.what(), c.example());
            assertThat(now.allowed()).as("%s%n%s", c, pair).isEqualTo(c.gained()).isNotEqualTo(was.allowed());
            assertThat(was.pattern().orElse(null)).as("%s", c).isEqualTo(c.before());
            assertThat(now.pattern().orElse(null)).as("%s", c).isEqualTo(c.after());
        }

        Set<String> names = sample(pair, new Random(seed));
        diff.changes().stream().map(PolicyDiff.Change::example).filter(n -> n != null).forEach(names::add);
        Set<List<Object>> reported = new LinkedHashSet<>();
        diff.changes().forEach(c -> reported.add(Arrays.asList(c.principal(), c.what(), c.gained(), c.before(), c.after())));
        Set<List<Object>> found = new LinkedHashSet<>();
        for (Map.Entry<String, Subject> p : principals) {
            Subject s = p.getValue();
            if (before.decideMetrics(s).allowed() != after.decideMetrics(s).allowed()) {
                found.add(Arrays.asList(p.getKey(), "metrics", after.decideMetrics(s).allowed(), null, null));
            }
            for (String name : names) {
                for (String what : List.of("read", "create", "update", "delete", "catalog")) {
                    Decision was = decide(before, s, what, name);
                    Decision now = decide(after, s, what, name);
                    if (was.allowed() != now.allowed()) {
                        found.add(Arrays.asList(p.getKey(), what, now.allowed(), was.pattern().orElse(null), now.pattern().orElse(null)));
                    }
                }
            }
        }
        assertThat(reported).as("every difference the sample shows is reported%n%s", pair).containsAll(found);
        assertThat(diff.changes().isEmpty()).as("no difference reported ⇔ none in the sample").isEqualTo(found.isEmpty());
    }

    /** Why diff may judge each group through a member who has only it: a subject is allowed exactly when one of its parts is. */
    @Property(tries = 2_000, seed = "20261128")
    void aUserWithSeveralGroupsIsAllowedExactlyWhenTheUserAloneOrAMemberOfOneOfThemIs(
            @ForAll("policies") AccessPolicy policy, @ForAll("names") String name) {
        for (String what : List.of("read", "create", "update", "delete", "catalog")) {
            boolean parts = decide(policy, Subject.user("u1"), what, name).allowed()
                    || decide(policy, Subject.user("member", "g1"), what, name).allowed()
                    || decide(policy, Subject.user("member", "admins"), what, name).allowed();
            assertThat(decide(policy, Subject.user("u1", "g1", "admins"), what, name).allowed()).as("%s %s", what, name).isEqualTo(parts);
        }
    }

    @Provide
    Arbitrary<AccessPolicy> policies() {
        return new CompiledEqualsReferenceTest().policies();
    }

    @Provide
    Arbitrary<String> names() {
        return new CompiledEqualsReferenceTest().names();
    }

    private static Decision decide(AccessPolicy policy, Subject subject, String what, String name) {
        return what.equals("catalog") ? policy.decideCatalog(subject, name) : policy.decide(subject, name, Action.parse(what));
    }

    /**
     * Subjects to judge, each with the principal diff should report it as: users and groups a policy names as
     * themselves (a group through a member who has only it), any other user or group as "any other authenticated user".
     */
    private static List<Map.Entry<String, Subject>> principals(AccessPolicy before, AccessPolicy after) {
        Set<String> users = new LinkedHashSet<>();
        Set<String> groups = new LinkedHashSet<>();
        for (AccessPolicy p : List.of(before, after)) {
            p.groups().forEach((g, members) -> {
                groups.add(g);
                users.addAll(members);
            });
            p.repositories().forEach(r -> r.policies().forEach(e -> {
                users.addAll(e.users());
                groups.addAll(e.groups());
            }));
            users.addAll(p.adminPolicy().users());
            groups.addAll(p.adminPolicy().groups());
            users.addAll(p.metricsPolicy().users());
        }
        String other = "any other authenticated user";
        List<Map.Entry<String, Subject>> out = new ArrayList<>();
        out.add(Map.entry("anonymous", Subject.anonymous()));
        out.add(Map.entry(other, Subject.user("stranger")));
        for (String u : USERS) {
            out.add(Map.entry(users.contains(u) ? "user " + u : other, Subject.user(u)));
        }
        for (String g : GROUPS) {
            out.add(Map.entry(groups.contains(g) ? "group " + g : other, Subject.user("member of " + g, g)));
        }
        return out;
    }

    /** Each pattern's own example, names fitted to each pattern, and random names from the same pieces. */
    private static Set<String> sample(Pair pair, Random random) {
        Set<String> names = new LinkedHashSet<>();
        for (List<String> segments : new LinkedHashSet<>(pair.patterns())) {
            GlobAutomaton.example(List.of(Glob.compile(String.join("/", segments))), List.of()).ifPresent(names::add);
            for (int k = 0; k < 2; k++) {
                List<String> parts = new ArrayList<>();
                for (String segment : segments) {
                    List<String> fits = SEGMENTS.getOrDefault(segment, List.of(segment));
                    String fit = fits.get(random.nextInt(fits.size()));
                    if (!fit.isEmpty()) {
                        parts.add(fit);
                    }
                }
                if (!parts.isEmpty()) {
                    names.add(String.join("/", parts));
                }
            }
        }
        List<String> pieces = List.of("a", "b", "ab", "app", "lib", "team", "team1", "team2", "team12", "teamx", "x", "ba");
        for (int k = 0; k < 40; k++) {
            List<String> parts = new ArrayList<>();
            for (int s = random.nextInt(4); s >= 0; s--) {
                parts.add(pieces.get(random.nextInt(pieces.size())));
            }
            names.add(String.join("/", parts));
        }
        return names;
    }
}
