package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.List;
import java.util.Objects;

/**
 * What a request is, for access control: a set of repository checks, the catalog, the metrics
 * endpoint, something not policy-checked, or a request rejected before any credential is looked at.
 */
public sealed interface Route {

    /**
     * Not policy-checked ({@code /v2/}, {@code OPTIONS}, paths outside the registry).
     *
     * @param why why the request is not checked, such as {@code "outside the registry API"}; for whoever reads the
     *     route, as the pipeline does not act on it
     */
    record Unprotected(String why) implements Route {
    }

    /** {@code /v2/_catalog}: passed through; the application filters its list with the policy. */
    record Catalog() implements Route {
    }

    /** The metrics endpoint. */
    record Metrics() implements Route {
    }

    /**
     * The request needs every check to pass.
     *
     * @param checks the questions to the policy, asked in order; the first one denied refuses the request, apart from
     *     a {@link MountsFrom}, which only falls back to an upload
     */
    record Protected(List<Check> checks) implements Route {
        /**
         * Keeps a copy of the checks.
         *
         * @param checks the questions to the policy, at least one
         * @throws IllegalArgumentException when {@code checks} is empty
         * @throws NullPointerException when {@code checks} or one of them is null
         */
        public Protected {
            checks = List.copyOf(checks);
            if (checks.isEmpty()) {
                throw new IllegalArgumentException("a protected route needs at least one check");
            }
        }
    }

    /**
     * Answered at once with this status and reason (e.g. 400 for an ambiguous path), without authentication.
     *
     * @param status the HTTP status, such as 400, 404 or 405
     * @param code the error code, such as {@code NAME_INVALID} or {@code UNSUPPORTED}: the OCI error body's
     *     {@code code}, in lower case the JSON object's {@code error} elsewhere
     * @param reason what is wrong with the request, for the client and the audit log
     */
    record Rejected(int status, String code, String reason) implements Route {
    }

    /** One question to the policy. */
    sealed interface Check {
        /**
         * The repository the policy is asked about.
         *
         * @return the repository name as the policy's patterns match it, such as {@code team/app}
         */
        String repository();
    }

    /**
     * A fixed action on a repository.
     *
     * @param repository the repository the policy is asked about
     * @param action what the request does there, such as {@code READ}
     */
    record Requires(String repository, Action action) implements Check {
        /**
         * A check of one action.
         *
         * @param repository the repository the policy is asked about
         * @param action what the request does there
         * @throws NullPointerException when either is null
         */
        public Requires {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * Writing a tag (or, for a generic store, a path): {@code update} if it already exists, else
     * {@code create}. The application answers "exists?" through an {@link ExistenceLookup}.
     *
     * @param repository the repository written to
     * @param tag the tag (OCI), or the artifact's path (generic and Maven stores), that the {@link ExistenceLookup} is
     *     asked about
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
     * @param repository the repository whose index is written, such as {@code releases/org/acme/app}
     * @param target the file's path, as the application's store names it (for {@link MavenRoutes}, below its prefix)
     */
    record Adds(String repository, String target) implements Check {
        /**
         * A check of a write that may only add.
         *
         * @param repository the repository whose index is written
         * @param target the file's path, as the application's store names it
         * @throws NullPointerException when either is null
         */
        public Adds {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * A cross-repository blob mount source: {@code read} on it is needed for the mount; when it is
     * not allowed the request still proceeds and the registry falls back to a normal upload.
     *
     * @param repository the repository the blob would be mounted from (the {@code from} parameter)
     */
    record MountsFrom(String repository) implements Check {
    }
}
