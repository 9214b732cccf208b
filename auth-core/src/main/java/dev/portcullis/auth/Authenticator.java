package dev.portcullis.auth;

import dev.portcullis.policy.Subject;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One way a request can prove who it comes from: an API key, an htpasswd password, a session cookie, a bearer JWT. The
 * pipeline asks its authenticators in order; the first that claims what the request presents decides it.
 *
 * <p>{@link #cached} never blocks: it answers from memory, or claims the credential with {@link Attempt#NEEDS_BLOCKING}
 * when it must hash, read a store or ask a provider. An event-loop server (Netty) runs the request again where blocking
 * is allowed, and {@link #verify} decides there. An authenticator that does not recognise the credential answers
 * {@link Attempt#NOT_MINE}, and the next one is asked.
 *
 * <pre>{@code
 * final class HeaderToken implements Authenticator {
 *     public Attempt cached(Presented presented) {
 *         if (!(presented.credentials() instanceof Credentials.Bearer bearer)) {
 *             return Attempt.NOT_MINE;
 *         }
 *         return Attempt.NEEDS_BLOCKING;                       // a directory look-up follows
 *     }
 *     public Attempt verify(Presented presented) {
 *         String token = ((Credentials.Bearer) presented.credentials()).token();
 *         return directory.owner(token)
 *                 .<Attempt>map(user -> new Attempt.Authenticated(new Identity(user, List.of(), Identity.AuthMethod.OTHER, null, List.of())))
 *                 .orElse(new Attempt.Failed("unknown token"));
 *     }
 * }
 * Portcullis.builder().policy(policy).authenticator(new HeaderToken()).build();
 * }</pre>
 *
 * Implementations are thread-safe; one instance serves every request.
 */
public interface Authenticator {
    /**
     * Decides from what this authenticator holds in memory; never blocks.
     *
     * @param presented the request's credentials, cookies and client address, and this authenticator's memory of the
     *     client's connection
     * @return {@link Attempt#NOT_MINE} for a credential of another kind; {@link Attempt#NEEDS_BLOCKING} when deciding
     *     needs blocking work; else the decision: {@link Attempt.Authenticated}, {@link Attempt#ANONYMOUS},
     *     {@link Attempt.Failed} or {@link Attempt.Unavailable}. Never null
     */
    Attempt cached(Presented presented);

    /**
     * Decides a credential that {@link #cached} claimed with {@link Attempt#NEEDS_BLOCKING}; may block.
     *
     * @param presented the same request that {@link #cached} was asked about
     * @return {@link Attempt.Authenticated}, {@link Attempt#ANONYMOUS}, {@link Attempt.Failed} or
     *     {@link Attempt.Unavailable}, or
     *     {@link Attempt#NOT_MINE} to pass the request to the next authenticator after all. Null or
     *     {@link Attempt#NEEDS_BLOCKING} here is a bug, which the pipeline logs and answers with 503
     */
    Attempt verify(Presented presented);

    /**
     * Whether this credential may pass a per-address failure limit that others on the client's address (a NAT, say)
     * tripped: it verified here before, or cannot be a guess. It is still verified. Never blocks.
     *
     * @param presented the request whose credential this authenticator claimed with {@link Attempt#NEEDS_BLOCKING}
     * @return true to verify the credential although its address is over the limit; false by default, and the
     *     request then gets 429
     */
    default boolean vouchesFor(Presented presented) {
        return false;
    }

    /** What an authenticator made of a request's credentials. */
    sealed interface Attempt {
        /** Not this authenticator's kind of credential: the next one is asked. */
        Attempt NOT_MINE = new NotMine();
        /** This authenticator's credential, but deciding it needs blocking work: {@link #verify} follows. */
        Attempt NEEDS_BLOCKING = new NeedsBlocking();
        /**
         * A valid credential that names nobody (an anonymous registry token): the caller is anonymous, as without
         * credentials, and is not counted as a failure.
         */
        Attempt ANONYMOUS = new Anonymous();

        /**
         * The type of {@link #NOT_MINE}, its only instance.
         *
         * @see #NOT_MINE
         */
        final class NotMine implements Attempt {
            private NotMine() {
            }
        }

        /**
         * The type of {@link #NEEDS_BLOCKING}, its only instance.
         *
         * @see #NEEDS_BLOCKING
         */
        final class NeedsBlocking implements Attempt {
            private NeedsBlocking() {
            }
        }

        /**
         * The type of {@link #ANONYMOUS}, its only instance.
         *
         * @see #ANONYMOUS
         */
        final class Anonymous implements Attempt {
            private Anonymous() {
            }
        }

        /**
         * The request comes from this identity.
         *
         * @param identity who the request comes from, as the application receives it
         * @param subject the policy's view of the identity, made once and kept with a cached identity
         */
        record Authenticated(Identity identity, Subject subject) implements Attempt {
            /**
             * An identity with the subject made for it before.
             *
             * @param identity who the request comes from
             * @param subject the policy's view of the identity, normally {@code identity.subject()} kept from earlier
             * @throws NullPointerException when either is null
             */
            public Authenticated {
                Objects.requireNonNull(identity, "identity");
                Objects.requireNonNull(subject, "subject");
            }

            /**
             * An identity whose subject is made now, with {@link Identity#subject()}.
             *
             * @param identity who the request comes from
             * @throws IllegalArgumentException when the identity's name is empty, which no subject may have
             */
            public Authenticated(Identity identity) {
                this(identity, identity.subject());
            }
        }

        /**
         * The credential is this authenticator's and wrong: 401, never anonymous.
         *
         * @param reason for the audit log; never the credential itself
         */
        record Failed(String reason) implements Attempt {
            /**
             * A failure with its reason.
             *
             * @param reason for the audit log, such as {@code "unknown token"}; never the credential itself
             * @throws NullPointerException when {@code reason} is null
             */
            public Failed {
                Objects.requireNonNull(reason, "reason");
            }
        }

        /**
         * What this authenticator must consult (a key store, a provider, a file) cannot answer: 503, never access.
         *
         * @param reason for the client and the log, or null to say only that authentication is unavailable
         */
        record Unavailable(@Nullable String reason) implements Attempt {
        }
    }
}
