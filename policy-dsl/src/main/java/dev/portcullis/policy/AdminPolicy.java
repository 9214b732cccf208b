package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * zot's {@code adminPolicy}: consulted only when a repository's rule denied; allows the listed
 * users and groups the listed actions on every repository, including those no pattern matches.
 */
public record AdminPolicy(List<String> users, List<String> groups, Set<Action> actions) {
    static final AdminPolicy NONE = new AdminPolicy(List.of(), List.of(), Set.of());

    public AdminPolicy {
        users = List.copyOf(Objects.requireNonNull(users, "users"));
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
        actions = Actions.copy(Objects.requireNonNull(actions, "actions"));
    }

    boolean isEmpty() {
        return users.isEmpty() && groups.isEmpty() && actions.isEmpty();
    }
}
