package dev.portcullis.policy;

import java.util.Objects;

/**
 * One repository pattern with the policy's glob semantics, for code outside the policy that
 * must match names the same way (API-key scopes, for one).
 *
 * <pre>{@code
 * RepositoryPattern p = RepositoryPattern.compile("team/**");
 * p.matches("team/app");   // true
 * }</pre>
 */
public final class RepositoryPattern {
    private final Glob glob;

    private RepositoryPattern(Glob glob) {
        this.glob = glob;
    }

    /** @throws IllegalArgumentException naming the pattern, the position and the problem */
    public static RepositoryPattern compile(String pattern) {
        return new RepositoryPattern(Glob.compile(Objects.requireNonNull(pattern, "pattern")));
    }

    public boolean matches(String repository) {
        return glob.matches(repository);
    }

    public String pattern() {
        return glob.pattern();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RepositoryPattern other && other.pattern().equals(pattern());
    }

    @Override
    public int hashCode() {
        return pattern().hashCode();
    }

    @Override
    public String toString() {
        return pattern();
    }
}
