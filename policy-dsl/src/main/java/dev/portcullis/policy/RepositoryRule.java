package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What zot's {@code repositories["<pattern>"]} says: per-user and per-group grants, the
 * {@code defaultPolicy} for every authenticated user, and the {@code anonymousPolicy} for callers
 * without credentials.
 *
 * <p>The pattern is checked when a policy is built from the rule, not here.
 *
 * @param pattern the repository glob, e.g. {@code team/**}
 * @param policies the per-user and per-group grants, in declaration order
 * @param defaultPolicy what every authenticated user may do here
 * @param anonymousPolicy what callers without credentials may do here
 */
public record RepositoryRule(String pattern, List<PolicyEntry> policies, Set<Action> defaultPolicy, Set<Action> anonymousPolicy) {
    /**
     * Copies the arguments into immutable collections.
     *
     * @param pattern the repository glob
     * @param policies the per-user and per-group grants
     * @param defaultPolicy what every authenticated user may do here
     * @param anonymousPolicy what callers without credentials may do here
     * @throws NullPointerException if an argument is null
     */
    public RepositoryRule {
        Objects.requireNonNull(pattern, "pattern");
        policies = List.copyOf(Objects.requireNonNull(policies, "policies"));
        defaultPolicy = Actions.copy(Objects.requireNonNull(defaultPolicy, "defaultPolicy"));
        anonymousPolicy = Actions.copy(Objects.requireNonNull(anonymousPolicy, "anonymousPolicy"));
    }
}
