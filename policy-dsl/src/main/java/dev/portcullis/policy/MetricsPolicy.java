package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * zot's {@code metrics} section: the users who may read the metrics endpoint, and whether
 * anonymous callers may ({@code anonymousPolicy: ["read"]}). Groups and admins play no part.
 */
public record MetricsPolicy(List<String> users, Set<Action> anonymousPolicy) {
    static final MetricsPolicy NONE = new MetricsPolicy(List.of(), Set.of());

    public MetricsPolicy {
        users = List.copyOf(Objects.requireNonNull(users, "users"));
        anonymousPolicy = Actions.copy(Objects.requireNonNull(anonymousPolicy, "anonymousPolicy"));
    }

    boolean isEmpty() {
        return users.isEmpty() && anonymousPolicy.isEmpty();
    }
}
