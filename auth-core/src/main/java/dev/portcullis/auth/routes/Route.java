package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.List;
import java.util.Objects;

/**
 * What a request is, for access control: a set of repository checks, the catalog, the metrics
 * endpoint, something not policy-checked, or a request rejected before any credential is looked at.
 */
public sealed interface Route {

    /** Not policy-checked ({@code /v2/}, {@code OPTIONS}, paths outside the registry). */
    record Unprotected(String why) implements Route {
    }

    /** {@code /v2/_catalog}: passed through; the application filters its list with the policy. */
    record Catalog() implements Route {
    }

    /** The metrics endpoint. */
    record Metrics() implements Route {
    }

    /** The request needs every check to pass. */
    record Protected(List<Check> checks) implements Route {
        public Protected {
            checks = List.copyOf(checks);
            if (checks.isEmpty()) {
                throw new IllegalArgumentException("a protected route needs at least one check");
            }
        }
    }

    /** Answered at once with this status and reason (e.g. 400 for an ambiguous path), without authentication. */
    record Rejected(int status, String code, String reason) implements Route {
    }

    /** One question to the policy. */
    sealed interface Check {
        String repository();
    }

    /** A fixed action on a repository. */
    record Requires(String repository, Action action) implements Check {
        public Requires {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * Writing a tag (or, for a generic store, a path): {@code update} if it already exists, else
     * {@code create}. The application answers "exists?" through an {@link ExistenceLookup}.
     */
    record Writes(String repository, String tag) implements Check {
    }

    /**
     * A cross-repository blob mount source: {@code read} on it is needed for the mount; when it is
     * not allowed the request still proceeds and the registry falls back to a normal upload.
     */
    record MountsFrom(String repository) implements Check {
    }
}
