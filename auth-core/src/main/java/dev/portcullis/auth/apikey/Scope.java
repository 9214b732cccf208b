package dev.portcullis.auth.apikey;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.RepositoryPattern;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API key may be used for: a repository pattern (the policy's glob syntax) and actions.
 * A key with scopes may do only what its owner's policy and one of its scopes both allow.
 *
 * <pre>{@code
 * Scope s = Scope.parse("team/**:read,create");
 * s.permits("team/app", Action.CREATE);   // true
 * }</pre>
 *
 * @param pattern the repositories the scope covers
 * @param actions what the key may do there; never empty
 */
public record Scope(RepositoryPattern pattern, Set<Action> actions) {
    /**
     * Checks and copies the parts.
     *
     * @param pattern the repositories the scope covers
     * @param actions what the key may do there
     * @throws IllegalArgumentException if there are no actions
     * @throws NullPointerException if {@code pattern} is null
     */
    public Scope {
        Objects.requireNonNull(pattern, "pattern");
        if (actions == null || actions.isEmpty()) {
            throw new IllegalArgumentException("scope '" + pattern + "' needs at least one action, e.g. " + pattern + ":read");
        }
        actions = Collections.unmodifiableSet(EnumSet.copyOf(actions));
    }

    /**
     * Parses {@code PATTERN:ACTION[,ACTION...]}; the last ':' separates the actions.
     *
     * @param text the scope as a user writes it, e.g. {@code team/**:read,create}
     * @return the scope
     * @throws IllegalArgumentException naming the scope and what is wrong
     */
    public static Scope parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("scope '" + text + "' must be PATTERN:ACTIONS, e.g. 'team/**:read,create'");
        }
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String a : text.substring(colon + 1).split(",")) {
            try {
                actions.add(Action.parse(a.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scope '" + text + "': " + e.getMessage(), e);
            }
        }
        RepositoryPattern pattern;
        try {
            pattern = RepositoryPattern.compile(text.substring(0, colon));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scope '" + text + "': " + e.getMessage(), e);
        }
        return new Scope(pattern, actions);
    }

    /**
     * Whether this scope allows the action on the repository.
     *
     * @param repository the repository name
     * @param action the action asked for
     * @return true if the action is among the scope's and the pattern matches the repository
     */
    public boolean permits(String repository, Action action) {
        return actions.contains(action) && pattern.matches(repository);
    }

    /**
     * Whether any of {@code scopes} permits it; an empty list means "no restriction".
     *
     * @param scopes a key's scopes
     * @param repository the repository name
     * @param action the action asked for
     * @return true if the list is empty or one scope permits the action on the repository
     */
    public static boolean permitAll(List<Scope> scopes, String repository, Action action) {
        if (scopes.isEmpty()) {
            return true;
        }
        for (Scope s : scopes) {
            if (s.permits(repository, action)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses several scopes; see {@link #parse}.
     *
     * @param texts the scopes as a user writes them
     * @return the scopes, in the same order, unmodifiable
     * @throws IllegalArgumentException for the first text that is not a scope, naming it
     */
    public static List<Scope> parseAll(List<String> texts) {
        List<Scope> out = new ArrayList<>();
        texts.forEach(t -> out.add(parse(t)));
        return List.copyOf(out);
    }

    /** {@code team/**:read,create}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return pattern + ":" + actions.stream().map(Action::configName).collect(Collectors.joining(","));
    }
}
