package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * zot's {@code adminPolicy}: consulted only when a repository's rule denied; allows the listed
 * users and groups the listed actions on every repository, including those no pattern matches.
 * Admins also see every repository in the catalog, whatever the actions say.
 *
 * @param users admin user names
 * @param groups admin group names, from the identity provider or the policy's {@code groups} section
 * @param actions what admins may do; empty leaves them only the catalog
 */
public record AdminPolicy(List<String> users, List<String> groups, Set<Action> actions) {
    static final AdminPolicy NONE = new AdminPolicy(List.of(), List.of(), Set.of());

    /**
     * Copies the arguments into immutable collections.
     *
     * @param users admin user names
     * @param groups admin group names
     * @param actions what admins may do
     * @throws NullPointerException if an argument is null
     */
    public AdminPolicy {
        users = List.copyOf(Objects.requireNonNull(users, "users"));
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
        actions = Actions.copy(Objects.requireNonNull(actions, "actions"));
    }

    boolean isEmpty() {
        return users.isEmpty() && groups.isEmpty() && actions.isEmpty();
    }
}
