package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of a pattern's {@code policies}: the listed users and groups may perform the actions.
 * {@code users: ["*"]} is a literal user named {@code *}, not a wildcard (as in zot).
 *
 * @param users user names
 * @param groups group names, from the identity provider or the policy's {@code groups} section
 * @param actions what the users and the groups' members may do
 * @param behaviours how the registry behaves for them (zot's behaviour actions, listed with the actions)
 */
public record PolicyEntry(List<String> users, List<String> groups, Set<Action> actions, Set<Behaviour> behaviours) {
    /**
     * Copies the arguments into immutable collections.
     *
     * @param users user names
     * @param groups group names
     * @param actions what they may do
     * @param behaviours how the registry behaves for them
     * @throws NullPointerException if an argument is null
     */
    public PolicyEntry {
        users = List.copyOf(Objects.requireNonNull(users, "users"));
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
        actions = Actions.copy(Objects.requireNonNull(actions, "actions"));
        behaviours = Actions.copyBehaviours(Objects.requireNonNull(behaviours, "behaviours"));
    }

    /**
     * An entry without behaviours.
     *
     * @param users user names
     * @param groups group names
     * @param actions what they may do
     */
    public PolicyEntry(List<String> users, List<String> groups, Set<Action> actions) {
        this(users, groups, actions, Set.of());
    }
}
