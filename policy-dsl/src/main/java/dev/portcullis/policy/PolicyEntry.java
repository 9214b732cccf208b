package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of a pattern's {@code policies}: the listed users and groups may perform the actions.
 * {@code users: ["*"]} is a literal user named {@code *}, not a wildcard (as in zot).
 */
public record PolicyEntry(List<String> users, List<String> groups, Set<Action> actions) {
    public PolicyEntry {
        users = List.copyOf(Objects.requireNonNull(users, "users"));
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
        actions = Actions.copy(Objects.requireNonNull(actions, "actions"));
    }
}
