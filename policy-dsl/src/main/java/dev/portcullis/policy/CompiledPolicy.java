package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The rules prepared for deciding: the patterns in a {@link PatternIndex}, each rule's grants as action bit masks per
 * user and group, adminPolicy's and metrics' users as sets. {@link AccessPolicy} decides with it, {@link Explanation}
 * explains with it, and the analyses (permissions, who-can, lint) ask it about single patterns.
 */
final class CompiledPolicy {
    private final PolicyRules rules;
    private final PatternIndex index;
    private final CompiledRule[] byRank;
    private final Map<String, Set<String>> configGroupsOfUser;
    private final Set<String> adminUsers;
    private final Set<String> adminGroups;
    private final int adminMask;
    private final Set<String> metricsUsers;

    CompiledPolicy(PolicyRules rules) {
        this.rules = rules;
        Map<String, RepositoryRule> rulesByPattern = new HashMap<>();
        List<Glob> globs = new ArrayList<>();
        for (RepositoryRule rule : rules.repositories()) {
            globs.add(Glob.compile(rule.pattern()));
            rulesByPattern.put(rule.pattern(), rule);
        }
        this.index = new PatternIndex(globs);
        List<Glob> ranked = index.ranked();
        this.byRank = new CompiledRule[ranked.size()];
        for (int r = 0; r < byRank.length; r++) {
            byRank[r] = new CompiledRule(Objects.requireNonNull(rulesByPattern.get(ranked.get(r).pattern())));
        }
        Map<String, Set<String>> ofUser = new HashMap<>();
        rules.groups().forEach((group, users) -> users.forEach(u -> ofUser.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(group)));
        this.configGroupsOfUser = ofUser;
        this.adminUsers = Set.copyOf(rules.adminPolicy().users());
        this.adminGroups = Set.copyOf(rules.adminPolicy().groups());
        this.adminMask = Actions.mask(rules.adminPolicy().actions());
        this.metricsUsers = Set.copyOf(rules.metricsPolicy().users());
    }

    PolicyRules rules() {
        return rules;
    }

    /** The rank of the pattern that applies to {@code repository}, or -1 if none matches. */
    int find(String repository) {
        return index.find(repository);
    }

    String pattern(int rank) {
        return byRank[rank].source.pattern();
    }

    /** The tier of the rule of rank {@code rank} that grants the action, without adminPolicy; {@link Grant#NONE} if none does. */
    Grant grant(int rank, Subject subject, Action action) {
        return byRank[rank].grant(subject, configGroupsOfUser.get(subject.name()), action.bit());
    }

    /** Whether adminPolicy names the subject and gives it the action. */
    boolean adminAllows(Subject subject, Action action) {
        return isAdmin(subject) && (adminMask & action.bit()) != 0;
    }

    boolean inMetricsUsers(Subject subject) {
        return metricsUsers.contains(subject.name());
    }

    /** See {@link AccessPolicy#isAdmin}. */
    boolean isAdmin(Subject subject) {
        if (subject.isAnonymous()) {
            return false;
        }
        if (adminUsers.contains(subject.name())) {
            return true;
        }
        for (String g : effectiveGroups(subject)) {
            if (adminGroups.contains(g)) {
                return true;
            }
        }
        return false;
    }

    /** See {@link AccessPolicy#effectiveGroups}. */
    Set<String> effectiveGroups(Subject subject) {
        if (subject.isAnonymous()) {
            return Set.of();
        }
        Set<String> fromConfig = configGroupsOfUser.get(subject.name());
        if (fromConfig == null) {
            return subject.groups();
        }
        Set<String> all = new LinkedHashSet<>(subject.groups());
        all.addAll(fromConfig);
        return all;
    }

    /** Every pattern, most specific first (the order in which they claim a repository). */
    List<String> patternsByPrecedence() {
        List<String> out = new ArrayList<>(byRank.length);
        for (CompiledRule r : byRank) {
            out.add(r.source.pattern());
        }
        return out;
    }

    /** Whether the subject may perform the action in a repository governed by {@code pattern}: its grants, then adminPolicy. */
    boolean decideUnder(Subject subject, String pattern, Action action) {
        for (CompiledRule r : byRank) {
            if (r.source.pattern().equals(pattern)) {
                if (r.grant(subject, configGroupsOfUser.get(subject.name()), action.bit()) != Grant.NONE) {
                    return true;
                }
                return adminAllows(subject, action);
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    /** Every pattern matching {@code repository}, the one that applies first, then in precedence order. */
    List<String> matchingPatterns(String repository) {
        List<String> out = new ArrayList<>();
        for (Glob g : index.ranked()) {
            if (g.matches(repository)) {
                out.add(g.pattern());
            }
        }
        return out;
    }

    Glob glob(String pattern) {
        for (Glob g : index.ranked()) {
            if (g.pattern().equals(pattern)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    RepositoryRule rule(String pattern) {
        for (RepositoryRule r : rules.repositories()) {
            if (r.pattern().equals(pattern)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no pattern " + pattern);
    }

    /** A rule prepared for deciding: per-user and per-group action bit masks. */
    private static final class CompiledRule {
        final RepositoryRule source;
        final Map<String, Integer> userMasks = new HashMap<>();
        final Map<String, Integer> groupMasks = new HashMap<>();
        final int defaultMask;
        final int anonymousMask;

        CompiledRule(RepositoryRule source) {
            this.source = source;
            for (PolicyEntry p : source.policies()) {
                int m = Actions.mask(p.actions());
                p.users().forEach(u -> userMasks.merge(u, m, (a, b) -> a | b));
                p.groups().forEach(g -> groupMasks.merge(g, m, (a, b) -> a | b));
            }
            defaultMask = Actions.mask(source.defaultPolicy());
            anonymousMask = Actions.mask(source.anonymousPolicy());
        }

        Grant grant(Subject subject, @Nullable Set<String> configGroups, int bit) {
            if (subject.isAnonymous()) {
                return (anonymousMask & bit) != 0 ? Grant.ANONYMOUS : Grant.NONE;
            }
            Integer user = userMasks.get(subject.name());
            if (user != null && (user & bit) != 0) {
                return Grant.USER;
            }
            if (!groupMasks.isEmpty()) {
                for (String g : subject.groups()) {
                    Integer m = groupMasks.get(g);
                    if (m != null && (m & bit) != 0) {
                        return Grant.GROUP;
                    }
                }
                if (configGroups != null) {
                    for (String g : configGroups) {
                        Integer m = groupMasks.get(g);
                        if (m != null && (m & bit) != 0) {
                            return Grant.GROUP;
                        }
                    }
                }
            }
            return (defaultMask & bit) != 0 ? Grant.DEFAULT : Grant.NONE;
        }
    }
}
