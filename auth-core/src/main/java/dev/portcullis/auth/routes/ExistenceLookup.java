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
    boolean exists(String repository, String tag) throws IOException;
}
