package dev.portcullis.auth.conformance;

import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.routes.MavenMetadata;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tags of the suite's application, and its {@code ExistenceLookup}: in {@code team/app} the tag {@code existing}
 * always exists (and nothing written there is kept); under {@code team/race} the application really stores what is
 * pushed, committing each write under its {@link WriteCondition}s atomically, as a registry must. A generic store's
 * files ({@value #FILES}, routed by {@code PathRoutes.of("/files/{repo:2}/**")}) and a Maven repository's
 * ({@value #MAVEN}, routed by {@code MavenRoutes.under("/maven")}) are stored by path in the same way; a Maven metadata
 * write that may only add is compared with what is stored.
 */
public final class Tags {
    static final String STORED = "team/race";
    static final String FILES = "/files/";
    static final String MAVEN = "/maven/";
    private final Map<String, String> stored = new HashMap<>();

    /**
     * The application's {@code ExistenceLookup}: whether a write to {@code repository} at {@code tag} would
     * overwrite something.
     *
     * @param repository the repository name the route gave: an OCI repository, a generic store's repository, or a
     *     Maven artifact's name
     * @param tag the tag; for a file, its path as the route gave it (below the repository for a generic store, below
     *     {@code /maven/} for Maven)
     * @return true for {@code team/app:existing} and for whatever is stored
     */
    public synchronized boolean exists(String repository, String tag) {
        return repository.equals("team/app") && tag.equals("existing") || stored.containsKey(repository + ":" + tag)
                || stored.containsKey(FILES + repository + "/" + tag) || stored.containsKey(MAVEN + tag);
    }

    /**
     * What {@code repository:tag} holds, if it is a stored one.
     *
     * @param repository the repository, e.g. {@code team/race}
     * @param tag the tag
     * @return the content pushed last, or empty when nothing is stored there
     */
    public synchronized Optional<String> content(String repository, String tag) {
        return Optional.ofNullable(stored.get(repository + ":" + tag));
    }

    /**
     * What a generic store's or a Maven repository's file at this path holds, if it is stored.
     *
     * @param path the request path, e.g. {@code /files/team/docs/readme.txt}
     * @return the content written last, or empty when nothing is stored there
     */
    public synchronized Optional<String> file(String path) {
        return Optional.ofNullable(stored.get(path));
    }

    /**
     * Content written to {@code path} by a request Portcullis let through with these conditions: stored (a manifest under
     * {@code team/race}, or a file under {@value #FILES} or {@value #MAVEN}) if every condition holds, in one step with the
     * check; else the first failed condition's refusal.
     *
     * @param path the request path without the query, as {@link EchoApplication} got it
     * @param conditions the write conditions Portcullis let the request through under
     * @param content the request body
     * @return the refusal to answer instead of the write, or empty when the write is done (or not one that is kept)
     */
    public synchronized Optional<Outcome.Respond> push(String path, List<WriteCondition> conditions, String content) {
        String prefix = "/v2/" + STORED + "/manifests/";
        boolean file = path.startsWith(FILES) || path.startsWith(MAVEN);
        if (!path.startsWith(prefix) && !file) {
            return Optional.empty();
        }
        String key = file ? path : STORED + ":" + path.substring(prefix.length());
        for (WriteCondition c : conditions) {
            if (!holds(c, key, content)) {
                return Optional.of(c.refusal());
            }
        }
        stored.put(key, content);
        return Optional.empty();
    }

    private boolean holds(WriteCondition c, String key, String content) {
        if (c.expect() != WriteCondition.Expect.ONLY_ADDS) {
            return c.holds(exists(c.repository(), c.target()));
        }
        try {
            String present = stored.get(key);
            return MavenMetadata.loss(present == null ? null : present.getBytes(StandardCharsets.UTF_8), content.getBytes(StandardCharsets.UTF_8))
                    .isEmpty();
        } catch (MavenMetadata.InvalidMetadataException e) {
            return false; // not metadata: nothing is stored, and the caller gets the refusal
        }
    }
}
