package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a policy change actually changes: for each principal, the actions gained or lost on which
 * repositories, with the deciding patterns and an example name — not a textual diff.
 *
 * <pre>{@code
 * for (PolicyDiff.Change c : PolicyDiff.between(before, after)) System.out.println(c);
 * }</pre>
 *
 * <p>Principals are every user and group either policy names, "any other authenticated user",
 * and anonymous. Repositories are covered region by region: for each pair of rules (one from each
 * policy, or none) whose regions can share a name, one example name is computed exactly from
 * the patterns, so no change hides between samples. Users are considered without
 * identity-provider groups; each group is considered through one member who has only it.
 */
public final class PolicyDiff {
    /** Beyond this many region pairs, each policy's rules are sampled on their own. */
    static final int MAX_REGION_PAIRS = 2_500;
    private static final String MEMBER_OF = "\u0001member of ";
    private static final String SOMEONE = "\u0001someone";

    /**
     * @param principal "user alice", "group ci", "any other authenticated user" or "anonymous"
     * @param gained true for a new permission, false for a lost one
     * @param what the action's name, "metrics" or "catalog"
     * @param example a repository name where it changed ({@code null} for metrics)
     * @param before the pattern that decided before ({@code null} when none matched)
     * @param after the pattern that decides now ({@code null} when none matches)
     */
    public record Change(String principal, boolean gained, String what, String example, String before, String after) {
        @Override
        public String toString() {
            String sign = gained ? "+ " : "- ";
            String verb = gained ? " may now " : " may no longer ";
            if (what.equals("metrics")) {
                return sign + principal + verb + "read metrics";
            }
            String on = what.equals("catalog") ? "see '" + example + "' in the catalog" : what + " '" + example + "'";
            return sign + principal + verb + on + " (pattern " + show(after) + "; before: " + show(before) + ")";
        }

        private static String show(String pattern) {
            return pattern == null ? "none" : "'" + pattern + "'";
        }
    }

    private PolicyDiff() {
    }

    public static List<Change> between(AccessPolicy before, AccessPolicy after) {
        Map<String, Subject> subjects = subjects(before, after);
        List<String> names = sampleNames(before, after);
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
            }
        }
        return List.copyOf(changes.values());
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

    /** One name per non-empty region pair (rule before × rule after), plus one per rule when there are too many pairs. */
    private static List<String> sampleNames(AccessPolicy before, AccessPolicy after) {
        List<Region> b = regions(before);
        List<Region> a = regions(after);
        Set<String> names = new LinkedHashSet<>();
        if ((long) b.size() * a.size() <= MAX_REGION_PAIRS) {
            for (Region x : b) {
                for (Region y : a) {
                    List<Glob> all = new ArrayList<>();
                    if (x.glob != null) {
                        all.add(x.glob);
                    }
                    if (y.glob != null) {
                        all.add(y.glob);
                    }
                    List<Glob> none = new ArrayList<>(x.beatenBy);
                    none.addAll(y.beatenBy);
                    GlobAutomaton.example(all, none).ifPresent(names::add);
                }
            }
        } else {
            for (Region r : b) {
                GlobAutomaton.example(r.glob == null ? List.of() : List.of(r.glob), r.beatenBy).ifPresent(names::add);
            }
            for (Region r : a) {
                GlobAutomaton.example(r.glob == null ? List.of() : List.of(r.glob), r.beatenBy).ifPresent(names::add);
            }
        }
        return List.copyOf(names);
    }

    /** Where one rule applies: names its pattern matches and no better pattern does; {@code glob == null}: no pattern at all. */
    private record Region(Glob glob, List<Glob> beatenBy) {
    }

    private static List<Region> regions(AccessPolicy policy) {
        List<Glob> globs = policy.repositories().stream().map(r -> policy.glob(r.pattern())).toList();
        List<Region> out = new ArrayList<>();
        for (Glob g : globs) {
            List<Glob> better = globs.stream().filter(o -> PatternIndex.PRECEDENCE.compare(o, g) < 0).toList();
            out.add(new Region(g, better));
        }
        out.add(new Region(null, globs));
        return out;
    }
}
