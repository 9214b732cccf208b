package dev.portcullis.policy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A policy's rules as written, in zot's sections: what the readers (zot JSON, the policy language, the builder)
 * produce, what the printers write and what {@link CompiledPolicy} compiles. Valid by construction, so that no
 * reader can let a mistake through: no user name is empty, every pattern compiles and none is defined twice; the
 * {@link InvalidPolicyException} otherwise names the place as a zot JSON path, e.g. {@code repositories["team/*"]}.
 *
 * @param hasAccessControl false for zot's policy of a config without {@code accessControl}: every authenticated
 *     user may do everything, anonymous callers nothing
 * @param groups group name to member user names, in declaration order
 * @param repositories the repository rules, in declaration order
 */
record PolicyRules(boolean hasAccessControl, Map<String, List<String>> groups, List<RepositoryRule> repositories,
                   AdminPolicy adminPolicy, MetricsPolicy metricsPolicy) {
    static final PolicyRules WITHOUT_ACCESS_CONTROL = new PolicyRules(false, Map.of(), List.of(), AdminPolicy.NONE, MetricsPolicy.NONE);

    PolicyRules {
        refuseEmptyUserNames(groups, repositories, adminPolicy, metricsPolicy);
        Set<String> patterns = new HashSet<>();
        for (RepositoryRule rule : repositories) {
            try {
                Glob.compile(rule.pattern());
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException(repositoryPath(rule.pattern()) + ": " + e.getMessage(), e);
            }
            if (!patterns.add(rule.pattern())) {
                throw definedTwice(rule.pattern());
            }
        }
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        repositories = List.copyOf(repositories);
    }

    /** Every place a user name can be. */
    private static void refuseEmptyUserNames(Map<String, List<String>> groups, List<RepositoryRule> repositories, AdminPolicy admin,
                                             MetricsPolicy metrics) {
        groups.forEach((group, users) -> refuseEmptyUserName(users, "groups[" + quote(group) + "].users", EmptyUserName.GROUP));
        for (RepositoryRule rule : repositories) {
            for (int i = 0; i < rule.policies().size(); i++) {
                refuseEmptyUserName(rule.policies().get(i).users(), repositoryPath(rule.pattern()) + ".policies[" + i + "].users",
                        EmptyUserName.REPOSITORY_POLICY);
            }
        }
        refuseEmptyUserName(admin.users(), "adminPolicy.users", EmptyUserName.ADMIN_POLICY);
        refuseEmptyUserName(metrics.users(), "metrics.users", EmptyUserName.METRICS);
    }

    private static void refuseEmptyUserName(List<String> users, String path, EmptyUserName place) {
        int at = users.indexOf("");
        if (at >= 0) {
            throw new InvalidPolicyException(path + "[" + at + "]: " + place.inZotJson());
        }
    }

    static InvalidPolicyException definedTwice(String pattern) {
        return new InvalidPolicyException(repositoryPath(pattern) + ": the pattern is defined twice; merge the two definitions into one");
    }

    /** Where a pattern's rule is in zot JSON, e.g. {@code repositories["team/*"]}: how errors and lint findings name it. */
    static String repositoryPath(String pattern) {
        return "repositories[" + quote(pattern) + "]";
    }

    /** {@code s} as a JSON string, the form names take in zot JSON paths and, when not bare words, in the policy language. */
    static String quote(String s) {
        return JsonNodeFactory.instance.textNode(s).toString();
    }
}
