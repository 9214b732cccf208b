package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * zot's {@code metrics} section: the users who may read the metrics endpoint, and whether
 * anonymous callers may ({@code anonymousPolicy: ["read"]}). Groups and admins play no part.
 *
 * @param users the user names that may read metrics; empty denies every authenticated caller
 * @param anonymousPolicy contains {@link Action#READ} if anonymous callers may read metrics
 */
public record MetricsPolicy(List<String> users, Set<Action> anonymousPolicy) {
    static final MetricsPolicy NONE = new MetricsPolicy(List.of(), Set.of());

    /**
     * Copies the arguments into immutable collections.
     *
     * @param users the user names that may read metrics; empty denies every authenticated caller
     * @param anonymousPolicy contains {@link Action#READ} if anonymous callers may read metrics; other actions
     *     mean nothing here
     * @throws NullPointerException if an argument is null
     */
    public MetricsPolicy {
        users = List.copyOf(Objects.requireNonNull(users, "users"));
        anonymousPolicy = Actions.copy(Objects.requireNonNull(anonymousPolicy, "anonymousPolicy"));
    }

    boolean isEmpty() {
        return users.isEmpty() && anonymousPolicy.isEmpty();
    }
}
