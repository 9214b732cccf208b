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
    /** Decides from what this authenticator holds in memory; never blocks. */
    Attempt cached(Presented presented);

    /** Decides a credential that {@link #cached} claimed with {@link Attempt#NEEDS_BLOCKING}; may block. */
    Attempt verify(Presented presented);

    /**
     * Whether this credential may pass a per-address failure limit that others on the client's address (a NAT, say)
     * tripped: it verified here before, or cannot be a guess. It is still verified. Never blocks.
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

        /** @see #NOT_MINE */
        final class NotMine implements Attempt {
            private NotMine() {
            }
        }

        /** @see #NEEDS_BLOCKING */
        final class NeedsBlocking implements Attempt {
            private NeedsBlocking() {
            }
        }

        /**
         * The request comes from this identity.
         *
         * @param subject the policy's view of the identity, made once and kept with a cached identity
         */
        record Authenticated(Identity identity, Subject subject) implements Attempt {
            public Authenticated {
                Objects.requireNonNull(identity, "identity");
                Objects.requireNonNull(subject, "subject");
            }

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
