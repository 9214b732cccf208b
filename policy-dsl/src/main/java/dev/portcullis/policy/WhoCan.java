package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every principal that may perform an action on a repository: named users, groups, every
 * authenticated user, anonymous callers, admins.
 *
 * <pre>{@code
 * System.out.print(WhoCan.of(policy, Action.UPDATE, "team/app"));
 * }</pre>
 *
 * A user's identity-provider groups are not known here: a user listed under a group may do what
 * the group may.
 *
 * @param repository the repository asked about
 * @param action the action asked about
 * @param pattern the pattern that applies to the repository, or {@code null} when none matches (or the policy has
 *     no {@code accessControl})
 * @param principals who may, in words, e.g. {@code user alice}, {@code group ci (members by config: bot1)},
 *     {@code any authenticated user (defaultPolicy)}, {@code anonymous (anonymousPolicy)},
 *     {@code admin group admins (adminPolicy)}
 */
public record WhoCan(String repository, Action action, @Nullable String pattern, List<String> principals) {

    /**
     * Lists who may perform {@code action} on {@code repository}: the principals the applying pattern's rule
     * grants it, then the admins whose {@code adminPolicy} includes it.
     *
     * @param policy the policy to ask
     * @param action the action
     * @param repository the repository name, e.g. {@code team/app}
     * @return the answer; its principals are empty when nobody may
     */
    public static WhoCan of(AccessPolicy policy, Action action, String repository) {
        List<String> out = new ArrayList<>();
        if (!policy.hasAccessControl()) {
            out.add("any authenticated user (the configuration has no accessControl)");
            return new WhoCan(repository, action, null, out);
        }
        String pattern = policy.decide(Subject.anonymous(), repository, action).pattern().orElse(null);
        if (pattern != null) {
            RepositoryRule rule = policy.compiled().rule(pattern);
            for (PolicyEntry e : rule.policies()) {
                if (e.actions().contains(action)) {
                    e.users().forEach(u -> out.add("user " + u));
                }
            }
            for (PolicyEntry e : rule.policies()) {
                if (e.actions().contains(action)) {
                    for (String g : e.groups()) {
                        List<String> members = policy.groups().get(g);
                        out.add("group " + g + (members == null || members.isEmpty() ? "" : " (members by config: " + String.join(", ", members) + ")"));
                    }
                }
            }
            if (rule.defaultPolicy().contains(action)) {
                out.add("any authenticated user (defaultPolicy)");
            }
            if (rule.anonymousPolicy().contains(action)) {
                out.add("anonymous (anonymousPolicy)");
            }
        }
        AdminPolicy admin = policy.adminPolicy();
        if (admin.actions().contains(action)) {
            admin.users().forEach(u -> out.add("admin user " + u + " (adminPolicy)"));
            admin.groups().forEach(g -> out.add("admin group " + g + " (adminPolicy)"));
        }
        return new WhoCan(repository, action, pattern, out.stream().distinct().toList());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(action.configName()).append(" on '").append(repository).append("' (")
                .append(pattern == null ? "no pattern matches; only adminPolicy applies" : "pattern '" + pattern + "'").append("):\n");
        if (principals.isEmpty()) {
            s.append("  nobody\n");
        }
        principals.forEach(p -> s.append("  ").append(p).append('\n'));
        return s.toString();
    }
}
