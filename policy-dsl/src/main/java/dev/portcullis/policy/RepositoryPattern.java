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

    /**
     * Compiles a pattern with the policy's glob syntax ({@code docs/policy-language.md}).
     *
     * @param pattern the glob, e.g. {@code team/**} or {@code team/*}
     * @return the compiled pattern
     * @throws IllegalArgumentException naming the pattern, the position and the problem
     * @throws NullPointerException if {@code pattern} is null
     */
    public static RepositoryPattern compile(String pattern) {
        return new RepositoryPattern(Glob.compile(Objects.requireNonNull(pattern, "pattern")));
    }

    /**
     * Whether the pattern matches a whole repository name, case-sensitively.
     *
     * @param repository the repository name, e.g. {@code team/app}
     * @return true if the pattern matches all of it
     */
    public boolean matches(String repository) {
        return glob.matches(repository);
    }

    /**
     * The pattern as it was compiled.
     *
     * @return the source text given to {@link #compile}
     */
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
