package dev.portcullis.auth;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.Grant;
import org.jspecify.annotations.Nullable;

/**
 * One access decision, for audit. Never carries a credential: an API key appears by its id, which is public. It carries
 * no time, so that deciding reads no clock: a listener that records the event takes the time (the audit log does).
 *
 * @param user the user name, or {@code null} for an anonymous caller (or one whose credentials failed)
 * @param authMethod how the caller authenticated, or {@code null}
 * @param keyId the id of the API key the caller authenticated with, or {@code null}
 * @param method the request's HTTP method
 * @param path the request's path, as far as it could be decoded
 * @param repository the repository decided on, or {@code null}
 * @param action the action decided on, or {@code null}
 * @param status the response status Portcullis chose: 0 when the request proceeds to the application
 * @param kind what happened, in one word: see {@link Kind}
 * @param grantedBy the tier of the policy that granted an allowed request; {@link Grant#NONE} for a request refused
 *     after the policy was asked (by the policy, or by an API key's scopes); {@code null} when no decision of the policy
 *     stands behind the event (a request that was not gated, a malformed one, or an error)
 * @param pattern the policy pattern that applied, or {@code null}
 * @param clientAddress the caller's address (the forwarded one, behind a trusted proxy)
 * @param reason why, in words
 */
public record AuthEvent(@Nullable String user, Identity.@Nullable AuthMethod authMethod, @Nullable String keyId,
                        String method, String path, @Nullable String repository, @Nullable Action action, int status, Kind kind,
                        @Nullable Grant grantedBy, @Nullable String pattern, String clientAddress, String reason) {
    /** What happened to the request, from the status and whether credentials were sent. */
    public enum Kind {
        /** The request proceeds to the application (or an endpoint answered it successfully). */
        ALLOWED,
        /** 401 to a caller who sent no credentials: the usual first step of every client, not an attack. */
        CHALLENGED,
        /** 401 to a caller whose credentials were refused. */
        FAILED,
        /** 403: the caller is known and the policy (or its key's scopes) refuses. */
        DENIED,
        /** 429: the caller's address is over its failure limit. */
        THROTTLED,
        /** Another 4xx: the request was malformed or not allowed in its shape. */
        REJECTED,
        /** 5xx: Portcullis could not decide (a store, a provider or a lookup failed). */
        ERROR;

        static Kind of(int status, boolean credentialsSent) {
            if (status < 400) {
                return ALLOWED;
            }
            return switch (status) {
                case 401 -> credentialsSent ? FAILED : CHALLENGED;
                case 403 -> DENIED;
                case 429 -> THROTTLED;
                default -> status >= 500 ? ERROR : REJECTED;
            };
        }

        /**
         * The name in the audit log's {@code outcome} field.
         *
         * @return the constant's name in lower case, e.g. {@code challenged}
         */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Whether the request was allowed.
     *
     * @return true when it proceeds to the application (status 0)
     */
    public boolean allowed() {
        return status == 0;
    }
}
