package dev.portcullis.policy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * zot's evaluation written the obvious way: scan every pattern with {@link ReferenceGlob}, keep the
 * longest (ties: fewer wildcards, then lexicographic), then walk the tiers. The compiled
 * {@link AccessPolicy} must decide exactly like this.
 */
final class ReferenceEvaluator {
    private ReferenceEvaluator() {
    }

    static String chosenPattern(AccessPolicy policy, String repository) {
        String best = null;
        for (RepositoryRule rule : policy.repositories()) {
            String p = rule.pattern();
            if (ReferenceGlob.matches(p, repository) && (best == null || better(p, best))) {
                best = p;
            }
        }
        return best;
    }

    private static boolean better(String a, String b) {
        int la = a.getBytes(StandardCharsets.UTF_8).length;
        int lb = b.getBytes(StandardCharsets.UTF_8).length;
        if (la != lb) {
            return la > lb;
        }
        int wa = ReferenceGlob.wildcards(a);
        int wb = ReferenceGlob.wildcards(b);
        if (wa != wb) {
            return wa < wb;
        }
        return a.compareTo(b) < 0;
    }

    static Grant decide(AccessPolicy policy, Subject subject, String repository, Action action) {
        if (!policy.hasAccessControl()) {
            return subject.isAnonymous() ? Grant.NONE : Grant.DEFAULT;
        }
        Set<String> groups = new LinkedHashSet<>(subject.groups());
        if (!subject.isAnonymous()) {
            policy.groups().forEach((g, users) -> {
                if (users.contains(subject.name())) {
                    groups.add(g);
                }
            });
        }
        String pattern = chosenPattern(policy, repository);
        if (pattern != null) {
            RepositoryRule rule = policy.repositories().stream().filter(r -> r.pattern().equals(pattern)).findFirst().orElseThrow();
            if (subject.isAnonymous()) {
                if (rule.anonymousPolicy().contains(action)) {
                    return Grant.ANONYMOUS;
                }
            } else {
                for (PolicyEntry p : rule.policies()) {
                    if (p.users().contains(subject.name()) && p.actions().contains(action)) {
                        return Grant.USER;
                    }
                }
                for (PolicyEntry p : rule.policies()) {
                    if (p.actions().contains(action) && p.groups().stream().anyMatch(groups::contains)) {
                        return Grant.GROUP;
                    }
                }
                if (rule.defaultPolicy().contains(action)) {
                    return Grant.DEFAULT;
                }
            }
        }
        AdminPolicy admin = policy.adminPolicy();
        boolean isAdmin = !subject.isAnonymous()
                && (admin.users().contains(subject.name()) || admin.groups().stream().anyMatch(groups::contains));
        return isAdmin && admin.actions().contains(action) ? Grant.ADMIN : Grant.NONE;
    }
}
