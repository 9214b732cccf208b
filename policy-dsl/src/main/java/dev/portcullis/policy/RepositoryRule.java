package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What zot's {@code repositories["<pattern>"]} says: per-user and per-group grants, the
 * {@code defaultPolicy} for every authenticated user, and the {@code anonymousPolicy} for callers
 * without credentials.
 */
public record RepositoryRule(String pattern, List<PolicyEntry> policies, Set<Action> defaultPolicy, Set<Action> anonymousPolicy) {
    public RepositoryRule {
        Objects.requireNonNull(pattern, "pattern");
        policies = List.copyOf(Objects.requireNonNull(policies, "policies"));
        defaultPolicy = Actions.copy(Objects.requireNonNull(defaultPolicy, "defaultPolicy"));
        anonymousPolicy = Actions.copy(Objects.requireNonNull(anonymousPolicy, "anonymousPolicy"));
    }
}
