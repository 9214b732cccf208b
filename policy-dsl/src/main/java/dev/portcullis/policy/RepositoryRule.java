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
 * @param defaultBehaviours zot's behaviour actions in {@code defaultPolicy}: for every authenticated user here
 * @param anonymousBehaviours those in {@code anonymousPolicy}: for callers without credentials here
 */
public record RepositoryRule(String pattern, List<PolicyEntry> policies, Set<Action> defaultPolicy, Set<Action> anonymousPolicy,
                             Set<Behaviour> defaultBehaviours, Set<Behaviour> anonymousBehaviours) {
    /**
     * Copies the arguments into immutable collections.
     *
     * @param pattern the repository glob
     * @param policies the per-user and per-group grants
     * @param defaultPolicy what every authenticated user may do here
     * @param anonymousPolicy what callers without credentials may do here
     * @param defaultBehaviours behaviours for every authenticated user here
     * @param anonymousBehaviours behaviours for callers without credentials here
     * @throws NullPointerException if an argument is null
     */
    public RepositoryRule {
        Objects.requireNonNull(pattern, "pattern");
        policies = List.copyOf(Objects.requireNonNull(policies, "policies"));
        defaultPolicy = Actions.copy(Objects.requireNonNull(defaultPolicy, "defaultPolicy"));
        anonymousPolicy = Actions.copy(Objects.requireNonNull(anonymousPolicy, "anonymousPolicy"));
        defaultBehaviours = Actions.copyBehaviours(Objects.requireNonNull(defaultBehaviours, "defaultBehaviours"));
        anonymousBehaviours = Actions.copyBehaviours(Objects.requireNonNull(anonymousBehaviours, "anonymousBehaviours"));
    }

    /**
     * A rule without behaviours.
     *
     * @param pattern the repository glob
     * @param policies the per-user and per-group grants
     * @param defaultPolicy what every authenticated user may do here
     * @param anonymousPolicy what callers without credentials may do here
     */
    public RepositoryRule(String pattern, List<PolicyEntry> policies, Set<Action> defaultPolicy, Set<Action> anonymousPolicy) {
        this(pattern, policies, defaultPolicy, anonymousPolicy, Set.of(), Set.of());
    }

    /**
     * Whether this rule gives {@code subject} the behaviour, as zot decides behaviours: its {@code anonymousPolicy} for
     * an anonymous caller; for others its {@code defaultPolicy} or any entry naming the user or one of its groups (all
     * of them, not the first that names the subject, unlike actions).
     */
    boolean behaves(Subject subject, Set<String> groups, Behaviour behaviour) {
        if (subject.isAnonymous()) {
            return anonymousBehaviours.contains(behaviour);
        }
        if (defaultBehaviours.contains(behaviour)) {
            return true;
        }
        for (PolicyEntry e : policies) {
            if (e.behaviours().contains(behaviour) && (e.users().contains(subject.name()) || e.groups().stream().anyMatch(groups::contains))) {
                return true;
            }
        }
        return false;
    }

    /** Whether any part of this rule names a behaviour. */
    boolean hasBehaviours() {
        return !defaultBehaviours.isEmpty() || !anonymousBehaviours.isEmpty() || policies.stream().anyMatch(e -> !e.behaviours().isEmpty());
    }
}
