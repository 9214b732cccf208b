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
     * Writing an index of what the repository holds, which a deploy rewrites whole each time (Maven's
     * {@code maven-metadata.xml} and its checksums): {@code update} lets the caller change it freely; {@code create} lets
     * the caller only add to it. A write allowed by {@code create} alone carries the condition
     * {@code WriteCondition.Expect.ONLY_ADDS}: the application commits it only if the new content keeps everything the
     * present content lists ({@link MavenMetadata#loss} says what it would drop), atomically with the write.
     *
     * @param target the file's path, as the application's store names it (for {@link MavenRoutes}, below its prefix)
     */
    record Adds(String repository, String target) implements Check {
        public Adds {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * A cross-repository blob mount source: {@code read} on it is needed for the mount; when it is
     * not allowed the request still proceeds and the registry falls back to a normal upload.
     */
    record MountsFrom(String repository) implements Check {
    }
}
