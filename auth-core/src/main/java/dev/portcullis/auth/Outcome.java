package dev.portcullis.auth;

import dev.portcullis.auth.routes.Route;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** What an adapter does with a request: let it through, or answer it. */
public sealed interface Outcome {

    /**
     * Pass the request to the application.
     *
     * @param identity the authenticated identity, or {@code null} for an anonymous caller; also {@code null} on a
     *     {@link Route.Unprotected} route other than {@code /v2/}, whose credentials are not looked at
     * @param route what the request was recognised as
     * @param deniedMountSources cross-repository mount sources the caller may not read: the
     *     registry must fall back to a normal upload for these
     * @param responseHeaders headers the adapter adds to the application's response
     *     ({@code WWW-Authenticate} on a successful {@code GET /v2/}, as zot does)
     * @param writeConditions what a write was allowed under, which the application checks when it commits it (a
     *     caller who may create but not update: the target must still be absent); empty when unconditional
     * @param behaviours zot's behaviour actions the policy gives the caller on the request's repository, for a
     *     {@code DELETE} (the only requests zot applies them to), such as
     *     {@link dev.portcullis.policy.Behaviour#DETECT_MANIFEST_COLLISION}: the application behaves so; empty otherwise
     * @param policy the policy the request was decided by (after a live reload, the requests under way keep theirs), for
     *     the application's questions about the same request, such as the caller's groups; null when not given
     */
    record Proceed(@Nullable Identity identity, Route route, Set<String> deniedMountSources, Map<String, String> responseHeaders,
                   List<WriteCondition> writeConditions, Set<dev.portcullis.policy.Behaviour> behaviours,
                   @Nullable AccessPolicy policy) implements Outcome {
        /**
         * Keeps copies of the collections, so that the outcome cannot change after it is made.
         *
         * @param identity the authenticated identity, or {@code null} for an anonymous caller
         * @param route what the request was recognised as
         * @param deniedMountSources cross-repository mount sources the caller may not read
         * @param responseHeaders headers the adapter adds to the application's response
         * @param writeConditions what a write was allowed under; empty when unconditional
         * @param behaviours how the application behaves for the caller on the request's repository
         * @param policy the policy the request was decided by, or null
         * @throws NullPointerException when a collection, or an element, key or value in one, is null
         */
        public Proceed {
            deniedMountSources = Set.copyOf(deniedMountSources);
            responseHeaders = Map.copyOf(responseHeaders);
            writeConditions = List.copyOf(writeConditions);
            behaviours = Set.copyOf(behaviours);
        }

        /**
         * A pass without behaviours.
         *
         * @param identity the authenticated identity, or {@code null} for an anonymous caller
         * @param route what the request was recognised as
         * @param deniedMountSources cross-repository mount sources the caller may not read
         * @param responseHeaders headers the adapter adds to the application's response
         * @param writeConditions what a write was allowed under; empty when unconditional
         */
        public Proceed(@Nullable Identity identity, Route route, Set<String> deniedMountSources, Map<String, String> responseHeaders,
                List<WriteCondition> writeConditions) {
            this(identity, route, deniedMountSources, responseHeaders, writeConditions, Set.of(), null);
        }

        /**
         * A pass without write conditions.
         *
         * @param identity the authenticated identity, or {@code null} for an anonymous caller
         * @param route what the request was recognised as
         * @param deniedMountSources cross-repository mount sources the caller may not read
         * @param responseHeaders headers the adapter adds to the application's response
         */
        public Proceed(@Nullable Identity identity, Route route, Set<String> deniedMountSources, Map<String, String> responseHeaders) {
            this(identity, route, deniedMountSources, responseHeaders, List.of());
        }

        /**
         * A pass without response headers or write conditions.
         *
         * @param identity the authenticated identity, or {@code null} for an anonymous caller
         * @param route what the request was recognised as
         * @param deniedMountSources cross-repository mount sources the caller may not read
         */
        public Proceed(@Nullable Identity identity, Route route, Set<String> deniedMountSources) {
            this(identity, route, deniedMountSources, Map.of(), List.of());
        }
    }

    /**
     * Answer with this response, after {@code delay} (failDelay for failed credentials); an
     * adapter must not hold a thread or lock for the delay.
     *
     * @param status the HTTP status, such as 401
     * @param headers headers to set, such as {@code WWW-Authenticate} or {@code Retry-After}
     * @param cookies {@code Set-Cookie} header values, one header each (login, logout)
     * @param contentType the {@code Content-Type} of the body, such as {@code application/json; charset=utf-8}
     * @param body the body's bytes, written as they are; not copied, so do not change the array
     * @param delay how long to wait before answering: zero for at once, {@code failDelay} for failed credentials,
     *     {@code limitedDelay} for a 429
     */
    record Respond(int status, Map<String, String> headers, List<String> cookies, String contentType, byte[] body, Duration delay)
            implements Outcome {
        /**
         * Keeps copies of the headers and cookies; the body is kept as it is.
         *
         * @param status the HTTP status
         * @param headers headers to set
         * @param cookies {@code Set-Cookie} header values, one header each
         * @param contentType the {@code Content-Type} of the body
         * @param body the body's bytes
         * @param delay how long to wait before answering
         * @throws NullPointerException when {@code headers} or {@code cookies}, or a name or value in them, is null
         */
        public Respond {
            headers = Map.copyOf(headers);
            cookies = List.copyOf(cookies);
        }

        /**
         * A response that sets no cookies.
         *
         * @param status the HTTP status
         * @param headers headers to set
         * @param contentType the {@code Content-Type} of the body
         * @param body the body's bytes
         * @param delay how long to wait before answering
         */
        public Respond(int status, Map<String, String> headers, String contentType, byte[] body, Duration delay) {
            this(status, headers, List.of(), contentType, body, delay);
        }

        /**
         * The body as text, for logs and tests.
         *
         * @return the body decoded as UTF-8, malformed bytes replaced
         */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * The condition under which the pipeline allowed a write: it decided on the request's head, from the application's
     * {@link dev.portcullis.auth.routes.ExistenceLookup}, that the target was absent (the caller may create but not
     * update it) or present (the caller may update but not create it). The application writes after the body, which may
     * take minutes; meanwhile someone else may create or delete the target. So the application commits the write only
     * if the target is still as the condition says, in one atomic step with the write (create-if-absent, say), and
     * otherwise changes nothing and answers {@link #refusal()}.
     *
     * <pre>{@code
     * for (WriteCondition c : conditions) {                      // empty for callers who may both create and update
     *     if (!storage.putTag(repository, tag, manifest, c.expect())) {   // atomic: checks and writes under one lock
     *         return c.refusal();                                // 403 DENIED (401 for anonymous), as a denied update
     *     }
     * }
     * }</pre>
     *
     * Writes by a caller who holds both {@code create} and {@code update} carry no condition and commit as they are.
     */
    final class WriteCondition {
        /** What the target must still be when the write commits. */
        public enum Expect {
            /** The caller may create but not update: the target must still be absent (create-if-absent). */
            ABSENT,
            /** The caller may update but not create: the target must still exist. */
            PRESENT,
            /**
             * The caller may create but not update an index that each write replaces whole ({@link Route.Adds}, Maven's
             * {@code maven-metadata.xml}): the new content must keep everything the present content lists, adding only.
             * The application judges the content (for Maven metadata, {@link dev.portcullis.auth.routes.MavenMetadata#loss});
             * {@link #holds(boolean)} cannot, and refuses to answer.
             */
            ONLY_ADDS
        }

        private final String repository;
        private final String target;
        private final Expect expect;
        private final Supplier<Respond> refusal;

        WriteCondition(String repository, String target, Expect expect, Supplier<Respond> refusal) {
            this.repository = Objects.requireNonNull(repository, "repository");
            this.target = Objects.requireNonNull(target, "target");
            this.expect = Objects.requireNonNull(expect, "expect");
            this.refusal = refusal;
        }

        /**
         * The repository the write goes to.
         *
         * @return the repository name as the policy sees it, such as {@code team/app}
         */
        public String repository() {
            return repository;
        }

        /**
         * The tag (OCI) or artifact path (generic store) the existence lookup was asked about.
         *
         * @return the tag or path; for {@link Expect#ONLY_ADDS}, the index file's path ({@link Route.Adds#target()}),
         *     which no lookup was asked about
         */
        public String target() {
            return target;
        }

        /**
         * What the target must still be when the write commits.
         *
         * @return absent, present, or only added to
         */
        public Expect expect() {
            return expect;
        }

        /**
         * Whether the write may commit, given whether the target exists at the moment of the commit.
         *
         * @param targetExists whether the target exists now, read under the same lock as the write
         * @return true to commit the write; false to change nothing and answer {@link #refusal()}
         * @throws IllegalStateException for {@link Expect#ONLY_ADDS}, which depends on the content, not on existence: an
         *     application that only knows existence must refuse such a write, and does, failing closed
         */
        public boolean holds(boolean targetExists) {
            if (expect == Expect.ONLY_ADDS) {
                throw new IllegalStateException(this + " depends on what the write keeps of the present content, not on whether"
                        + " the target exists: compare the two (MavenMetadata.loss for Maven metadata)");
            }
            return targetExists == (expect == Expect.PRESENT);
        }

        /**
         * The answer for a write whose condition no longer held when it was to commit: the pipeline's own denial of the
         * other action (a denied {@code update} for {@link Expect#ABSENT}, a denied {@code create} for
         * {@link Expect#PRESENT}), 403 {@code DENIED} with the same body, or 401 for an anonymous caller. Each call
         * writes an audit event, so call it once, when refusing.
         *
         * @return the response to write instead of the application's own
         */
        public Respond refusal() {
            return refusal.get();
        }

        @Override
        public String toString() {
            String must = expect == Expect.ONLY_ADDS ? "must keep all it lists" : "must be " + expect.name().toLowerCase(java.util.Locale.ROOT);
            return "WriteCondition[" + repository + " " + target + " " + must + " at commit]";
        }
    }
}
