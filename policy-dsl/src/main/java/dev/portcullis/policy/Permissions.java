package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Everything one subject may do under a policy, pattern by pattern: the answer to "what may I do?"
 * that a self-service page or a CLI shows a person.
 *
 * <pre>{@code
 * Permissions p = Permissions.of(policy, Subject.user("erin", "developers"));
 * p.toString(); // "read, create under team/**; read in every other repository"
 * }</pre>
 *
 * <p>Exactly one pattern applies to a repository (the longest match), so a line for {@code team/**}
 * holds for the repositories whose most specific pattern is {@code team/**}; {@link #nothingUnder()}
 * names the patterns where the subject may do nothing, which carve exceptions out of broader ones.
 *
 * @param grants patterns under which the subject may do something, in precedence order (most specific first);
 *     a {@code null} pattern stands for the repositories no pattern matches (only {@code adminPolicy} applies there)
 * @param nothingUnder patterns under which the subject may do nothing, in precedence order
 */
public record Permissions(List<Grants> grants, List<String> nothingUnder) {
    /**
     * Copies the lists; {@link #of} is the usual way to get permissions.
     *
     * @param grants patterns under which the subject may do something, most specific first
     * @param nothingUnder patterns under which the subject may do nothing, most specific first
     * @throws NullPointerException if a list is null or holds null
     */
    public Permissions {
        grants = List.copyOf(grants);
        nothingUnder = List.copyOf(nothingUnder);
    }

    /**
     * What the subject may do in the repositories one pattern governs.
     *
     * @param pattern the pattern, or {@code null} for repositories that no pattern matches
     * @param actions what the subject may do there; never empty in {@link Permissions#of}'s answer
     */
    public record Grants(@Nullable String pattern, Set<Action> actions) {
        /**
         * Copies the actions into an immutable set.
         *
         * @param pattern the pattern, or {@code null} for repositories that no pattern matches
         * @param actions what the subject may do there
         */
        public Grants {
            actions = Actions.copy(actions);
        }

        /**
         * The actions in words, e.g. {@code "read, create"}.
         *
         * @return the config names joined by {@code ", "}, in the order read, create, update, delete
         */
        public String actionWords() {
            return actions.stream().map(Action::configName).collect(Collectors.joining(", "));
        }
    }

    /**
     * Works out the subject's permissions; cost grows with the number of patterns (a page view, not a request path).
     *
     * @param policy the policy to ask
     * @param subject whose permissions; anonymous works too
     * @return the permissions; for a policy without {@code accessControl}, every action in every repository for a
     *     user and nothing for anonymous
     */
    public static Permissions of(AccessPolicy policy, Subject subject) {
        List<Grants> grants = new ArrayList<>();
        List<String> nothing = new ArrayList<>();
        if (!policy.hasAccessControl()) {
            if (!subject.isAnonymous()) {
                grants.add(new Grants(null, EnumSet.allOf(Action.class)));
            }
            return new Permissions(grants, nothing);
        }
        CompiledPolicy compiled = policy.compiled();
        for (String pattern : compiled.patternsByPrecedence()) {
            Set<Action> actions = EnumSet.noneOf(Action.class);
            for (Action a : Action.values()) {
                if (compiled.decideUnder(subject, pattern, a)) {
                    actions.add(a);
                }
            }
            if (actions.isEmpty()) {
                nothing.add(pattern);
            } else {
                grants.add(new Grants(pattern, actions));
            }
        }
        Set<Action> elsewhere = EnumSet.noneOf(Action.class);
        if (policy.isAdmin(subject)) {
            elsewhere.addAll(policy.adminPolicy().actions());
        }
        if (!elsewhere.isEmpty()) {
            grants.add(new Grants(null, elsewhere));
        }
        return new Permissions(grants, nothing);
    }

    /**
     * Whether the subject may do nothing at all.
     *
     * @return true if there are no grants anywhere
     */
    public boolean isEmpty() {
        return grants.isEmpty();
    }

    /** E.g. {@code "read, create under team/**; read in every other repository"}, or {@code "nothing"}. */
    @Override
    public String toString() {
        return grants.isEmpty() ? "nothing" : grants.stream().map(g -> g.actionWords() + " " + where(g.pattern()))
                .collect(Collectors.joining("; "));
    }

    /**
     * Where a pattern of these permissions applies, in words: {@code "in every repository"} ({@code **} alone, or
     * no access control), {@code "in every other repository"} ({@code **} after more specific patterns),
     * {@code "under team/**"}, {@code "in team/app"}, {@code "in repositories no pattern matches"}.
     *
     * @param pattern a pattern of {@link #grants()} or {@link #nothingUnder()}, or {@code null} for the repositories
     *     no pattern matches
     * @return the words, to follow the actions in a sentence
     */
    public String where(@Nullable String pattern) {
        boolean alone = grants.size() + nothingUnder.size() == 1;
        if (pattern == null) {
            return alone ? "in every repository" : "in repositories no pattern matches";
        }
        if (pattern.equals("**")) {
            return alone ? "in every repository" : "in every other repository";
        }
        return pattern.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0) ? "under " + pattern : "in " + pattern;
    }
}
