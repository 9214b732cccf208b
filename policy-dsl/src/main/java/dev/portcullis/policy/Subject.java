package dev.portcullis.policy;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who is asking: anonymous, or a named user with the groups their identity provider reported.
 *
 * <pre>{@code
 * Subject ci = Subject.user("ci-bot", "artifact-workloads");
 * Subject nobody = Subject.anonymous();
 * }</pre>
 *
 * Groups defined in the policy's own {@code groups} section are added by the policy at decision
 * time; they need not be listed here.
 */
public final class Subject {
    private static final Subject ANONYMOUS = new Subject(null, Set.of());

    private final @Nullable String name;
    private final Set<String> groups;

    private Subject(@Nullable String name, Set<String> groups) {
        this.name = name;
        this.groups = groups;
    }

    /**
     * The caller who presented no credentials.
     *
     * @return the one anonymous subject, with no name and no groups
     */
    public static Subject anonymous() {
        return ANONYMOUS;
    }

    /**
     * An authenticated user.
     *
     * @param name the user name as the policy lists it; never empty
     * @param groups the groups the identity provider reported, in its order; duplicates are dropped
     * @return the subject, holding its own copy of the groups
     * @throws IllegalArgumentException if the name is null or empty, or a group is null
     * @throws NullPointerException if {@code groups} is null
     */
    public static Subject user(String name, Collection<String> groups) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a user name must not be empty; use Subject.anonymous() for a caller without credentials");
        }
        Objects.requireNonNull(groups, "groups");
        if (groups.isEmpty()) {
            return new Subject(name, Set.of());
        }
        if (groups.size() == 1 && groups.iterator().next() != null) { // the usual key or CI identity: one group has one order
            return new Subject(name, Set.of(groups.iterator().next()));
        }
        LinkedHashSet<String> copy = new LinkedHashSet<>();
        for (String g : groups) {
            if (g == null) {
                throw new IllegalArgumentException("user '" + name + "' has a null group name");
            }
            copy.add(g);
        }
        return new Subject(name, Collections.unmodifiableSet(copy));
    }

    /**
     * An authenticated user with the given groups.
     *
     * @param name the user name as the policy lists it; never empty
     * @param groups the groups the identity provider reported, if any
     * @return the subject
     * @throws IllegalArgumentException if the name is null or empty, or a group is null
     */
    public static Subject user(String name, String... groups) {
        return user(name, Arrays.asList(groups));
    }

    /**
     * Whether this is the caller without credentials.
     *
     * @return true for {@link #anonymous()}, false for every user
     */
    public boolean isAnonymous() {
        return name == null;
    }

    /**
     * The user name, or {@code null} for the anonymous subject.
     *
     * @return the name, or {@code null} for anonymous
     */
    public @Nullable String name() {
        return name;
    }

    /**
     * The groups from the identity provider, in the order given (empty for anonymous).
     *
     * @return an unmodifiable set; the policy's own {@code groups} section is not included
     */
    public Set<String> groups() {
        return groups;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subject s && Objects.equals(name, s.name) && groups.equals(s.groups);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, groups);
    }

    @Override
    public String toString() {
        if (isAnonymous()) {
            return "anonymous";
        }
        return groups.isEmpty() ? "user '" + name + "'" : "user '" + name + "' (groups: " + String.join(", ", groups) + ")";
    }
}
