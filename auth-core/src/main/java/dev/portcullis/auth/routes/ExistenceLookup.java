package dev.portcullis.auth.routes;

import java.io.IOException;

/**
 * Supplied by the application: does this tag (OCI) or path (generic store) already exist? It
 * decides {@code create} versus {@code update}. A failure to answer fails the request closed (500).
 * The answer holds for the request's head only: when it decided (a caller who may create but not
 * update), the write carries a {@code Outcome.WriteCondition} that the application
 * checks again, atomically, when it commits.
 *
 * <pre>{@code
 * ExistenceLookup tags = (repository, tag) -> storage.tagExists(repository, tag);
 * }</pre>
 */
@FunctionalInterface
public interface ExistenceLookup {
    /**
     * Whether the target of a write exists now. Asked only when the caller may do one of {@code create} and
     * {@code update} but not the other, since otherwise the answer changes nothing; may block. Called from many
     * threads at once.
     *
     * @param repository the repository as the policy names it, such as {@code team/app} or
     *     {@code releases/org/acme/app}
     * @param tag what is written, as {@link Route.Writes#tag()} names it: an OCI tag such as {@code 1.0}; for
     *     {@link PathRoutes} the artifact's path inside the repository, such as {@code guide/v1.pdf}; for
     *     {@link MavenRoutes} the file's path below the prefix, such as {@code releases/org/acme/app/1.0/app-1.0.jar}
     * @return true if it exists (the write is an {@code update}), false if not (a {@code create})
     * @throws IOException when the store cannot tell; the request is then refused with 500, never guessed
     */
    boolean exists(String repository, String tag) throws IOException;
}
