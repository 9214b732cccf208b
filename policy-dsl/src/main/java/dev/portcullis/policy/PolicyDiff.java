package dev.portcullis.policy;

import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a policy change actually changes: for each principal, the actions gained or lost on which
 * repositories, with the deciding patterns and an example name — not a textual diff.
 *
 * <pre>{@code
 * PolicyDiff diff = PolicyDiff.between(before, after);
 * diff.changes().forEach(System.out::println);
 * if (!diff.complete()) System.out.println("there may be more changes");
 * }</pre>
 *
 * <p>Principals are every user and group either policy names, "any other authenticated user",
 * and anonymous. Repositories are covered without sampling: one walk over the automaton of every
 * pattern of both policies finds an example name for each pair of rules (one from each policy,
 * or none) that apply together to some name, and every principal is compared on each. The names
 * are those a repository can have: non-empty segments of printable characters. Users are
 * considered without identity-provider groups, each group through one member who has only it
 * (a subject with several groups is allowed exactly when one of its parts is).
 */
public final class PolicyDiff {
    /**
     * The work one comparison may do, in units of the automaton walk (see NameWalk):
     * about a second and 100 MB at most. The benchmark's registry policies of 1,000 patterns need
     * 0.3 million; wildcards that combine freely ({@code **} between segments, many {@code ?} or
     * {@code *} in one segment) can need exponentially much.
     */
    static final long MAX_WORK = 20_000_000;
    private static final String MEMBER_OF = "\u0001member of ";
    private static final String SOMEONE = "\u0001someone";

    /**
     * One permission a principal gained or lost.
     *
     * @param principal "user alice", "group ci", "any other authenticated user" or "anonymous"
     * @param gained true for a new permission, false for a lost one
     * @param what the action's name, a behaviour's ({@link Behaviour#configName()}), "metrics" or "catalog"
     * @param example a repository name where it changed ({@code null} for metrics)
     * @param before the pattern that decided before ({@code null} when none matched)
     * @param after the pattern that decides now ({@code null} when none matches)
     */
    public record Change(String principal, boolean gained, String what, @Nullable String example, @Nullable String before, @Nullable String after) {
        @Override
        public String toString() {
            String sign = gained ? "+ " : "- ";
            String verb = gained ? " may now " : " may no longer ";
            if (what.equals("metrics")) {
                return sign + principal + verb + "read metrics";
            }
            if (Behaviour.named(what).isPresent()) {
                return sign + principal + (gained ? " now has " : " no longer has ") + what + " on '" + example + "' (pattern " + show(after)
                        + "; before: " + show(before) + ")";
            }
            String on = what.equals("catalog") ? "see '" + example + "' in the catalog" : what + " '" + example + "'";
            return sign + principal + verb + on + " (pattern " + show(after) + "; before: " + show(before) + ")";
        }

        private static String show(@Nullable String pattern) {
            return pattern == null ? "none" : "'" + pattern + "'";
        }
    }

    private final List<Change> changes;
    private final boolean complete;

    private PolicyDiff(List<Change> changes, boolean complete) {
        this.changes = changes;
        this.complete = complete;
    }

    /**
     * Compares two policies; see {@link #complete()} before taking an empty result for "the same".
     *
     * @param before the policy in force now
     * @param after the policy that would replace it
     * @return the changes; may take about a second for large policies with freely combining wildcards
     */
    public static PolicyDiff between(AccessPolicy before, AccessPolicy after) {
        return between(before, after, MAX_WORK);
    }

    static PolicyDiff between(AccessPolicy before, AccessPolicy after, long maxWork) {
        Map<String, Subject> subjects = subjects(before, after);
        NameWalk.Classes<RulePair> regions = regions(before, after, maxWork);
        List<String> names = regions.examples().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(RulePair.DECLARATION_ORDER)).map(Map.Entry::getValue).toList();
        Map<List<Object>, Change> changes = new LinkedHashMap<>();
        for (Map.Entry<String, Subject> e : subjects.entrySet()) {
            Subject s = e.getValue();
            boolean metricsBefore = before.decideMetrics(s).allowed();
            boolean metricsAfter = after.decideMetrics(s).allowed();
            if (metricsBefore != metricsAfter) {
                changes.put(List.of(e.getKey(), "metrics"), new Change(e.getKey(), metricsAfter, "metrics", null, null, null));
            }
            for (String name : names) {
                for (Action a : Action.values()) {
                    compare(changes, e.getKey(), a.configName(), name, before.decide(s, name, a), after.decide(s, name, a));
                }
                compare(changes, e.getKey(), "catalog", name, before.decideCatalog(s, name), after.decideCatalog(s, name));
                for (Behaviour b : Behaviour.values()) {
                    boolean was = before.behaves(s, name, b);
                    boolean now = after.behaves(s, name, b);
                    if (was != now) {
                        String from = before.decide(s, name, Action.READ).pattern().orElse(null);
                        String to = after.decide(s, name, Action.READ).pattern().orElse(null);
                        changes.putIfAbsent(java.util.Arrays.asList(e.getKey(), b.configName(), now, from, to),
                                new Change(e.getKey(), now, b.configName(), name, from, to));
                    }
                }
            }
        }
        return new PolicyDiff(List.copyOf(changes.values()), regions.complete());
    }

    /**
     * Who gains or loses what; every one is real, and when {@link #complete()} they are all there are.
     *
     * @return an unmodifiable list, one change per principal, action and pair of deciding patterns; empty when
     *     nothing changed
     */
    public List<Change> changes() {
        return changes;
    }

    /**
     * False when the patterns tell too many kinds of name apart (see {@code MAX_WORK}) and the
     * comparison stopped early: the changes listed are real, but there may be others, so an empty
     * list does not mean the policies decide the same.
     *
     * @return true if every kind of repository name was compared
     */
    public boolean complete() {
        return complete;
    }

    private static void compare(Map<List<Object>, Change> changes, String principal, String what, String name, Decision b, Decision a) {
        if (b.allowed() == a.allowed()) {
            return;
        }
        String was = b.pattern().orElse(null);
        String now = a.pattern().orElse(null);
        List<Object> key = java.util.Arrays.asList(principal, what, a.allowed(), was, now);
        changes.putIfAbsent(key, new Change(principal, a.allowed(), what, name, was, now));
    }

    private static Map<String, Subject> subjects(AccessPolicy... policies) {
        Set<String> users = new LinkedHashSet<>();
        Set<String> groups = new LinkedHashSet<>();
        for (AccessPolicy p : policies) {
            p.groups().forEach((g, members) -> {
                groups.add(g);
                users.addAll(members);
            });
            for (RepositoryRule r : p.repositories()) {
                r.policies().forEach(e -> {
                    users.addAll(e.users());
                    groups.addAll(e.groups());
                });
            }
            users.addAll(p.adminPolicy().users());
            groups.addAll(p.adminPolicy().groups());
            users.addAll(p.metricsPolicy().users());
        }
        Map<String, Subject> out = new LinkedHashMap<>();
        out.put("anonymous", Subject.anonymous());
        out.put("any other authenticated user", Subject.user(SOMEONE));
        users.forEach(u -> out.put("user " + u, Subject.user(u)));
        groups.forEach(g -> out.put("group " + g, Subject.user(MEMBER_OF + g, g)));
        return out;
    }

    /** The rules that apply to a name, as indices in each policy's declaration order; -1 when none does. */
    private record RulePair(int before, int after) {
        /** The order the rules were written in, none last. */
        static final Comparator<RulePair> DECLARATION_ORDER = Comparator.<RulePair>comparingInt(p -> p.before < 0 ? Integer.MAX_VALUE : p.before)
                .thenComparingInt(p -> p.after < 0 ? Integer.MAX_VALUE : p.after);
    }

    /** One example name for each pair of rules that apply together to some name. */
    private static NameWalk.Classes<RulePair> regions(AccessPolicy before, AccessPolicy after, long maxWork) {
        Map<String, Glob> byPattern = new LinkedHashMap<>();
        for (AccessPolicy p : List.of(before, after)) {
            p.repositories().forEach(r -> byPattern.computeIfAbsent(r.pattern(), Glob::compile));
        }
        // in precedence order, a policy's first matching pattern is the one that applies
        List<Glob> ranked = byPattern.values().stream().sorted(PatternIndex.PRECEDENCE).toList();
        int[] inBefore = declarationIndex(ranked, before);
        int[] inAfter = declarationIndex(ranked, after);
        return NameWalk.classes(ranked, matched -> new RulePair(first(matched, inBefore), first(matched, inAfter)), maxWork);
    }

    private static int[] declarationIndex(List<Glob> ranked, AccessPolicy policy) {
        Map<String, Integer> declared = new LinkedHashMap<>();
        policy.repositories().forEach(r -> declared.put(r.pattern(), declared.size()));
        return ranked.stream().mapToInt(g -> declared.getOrDefault(g.pattern(), -1)).toArray();
    }

    private static int first(BitSet matched, int[] declared) {
        for (int i = matched.nextSetBit(0); i >= 0; i = matched.nextSetBit(i + 1)) {
            if (declared[i] >= 0) {
                return declared[i];
            }
        }
        return -1;
    }
}
