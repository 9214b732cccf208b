package dev.portcullis.auth;

import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Subject;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who an authenticated request comes from, handed to the application with the request.
 *
 * @param name the user name the policy sees
 * @param groups the groups from the identity provider, htpasswd config or the key's owner record
 * @param method how the request authenticated
 * @param keyId the API key id, for {@link AuthMethod#API_KEY} (and a {@link AuthMethod#REGISTRY_TOKEN} minted from
 *     one); else {@code null}
 * @param scopes the API key's scopes (empty: none, so the owner's full rights); for a registry token, what it grants
 *     (empty: nothing)
 */
public record Identity(String name, List<String> groups, AuthMethod method, @Nullable String keyId, List<Scope> scopes) {
    /**
     * Keeps copies of the groups and scopes.
     *
     * @param name the user name the policy sees; not empty, or {@link #subject()} fails
     * @param groups the groups from the identity provider, htpasswd config or the key's owner record
     * @param method how the request authenticated
     * @param keyId the API key id, for {@link AuthMethod#API_KEY} (and a {@link AuthMethod#REGISTRY_TOKEN} minted
     *     from one); else {@code null}
     * @param scopes the API key's scopes (empty: none, so the owner's full rights); for a registry token, what it
     *     grants (empty: nothing)
     * @throws NullPointerException when {@code name}, {@code method}, {@code groups} or {@code scopes}, or an element
     *     of the lists, is null
     */
    public Identity {
        Objects.requireNonNull(name, "name");
        groups = List.copyOf(groups);
        Objects.requireNonNull(method, "method");
        scopes = List.copyOf(scopes);
    }

    /** How a request authenticated; {@code OTHER}: an {@link Authenticator} of the application's. */
    public enum AuthMethod {
        /** An API key, as a Basic password or a Bearer token. */
        API_KEY,
        /** A user and password from the htpasswd file, as Basic credentials. */
        HTPASSWD,
        /** A session cookie, from an OIDC login here or a session issued by another replica. */
        SESSION,
        /** A bearer JWT from a trusted issuer (workload identity). */
        BEARER,
        /** An {@link Authenticator} of the application's. */
        OTHER,
        /**
         * A registry token from this registry's token service ({@code {prefix}/token}, the Docker token flow): the
         * caller it was minted for, narrowed to what it grants.
         */
        REGISTRY_TOKEN,
        /**
         * A token of an external token server (zot's {@code http.auth.bearer} realm): as in zot, what it grants is all it
         * may do, and the policy is not asked.
         */
        EXTERNAL_TOKEN,
        /** A user and password an LDAP directory accepted, as Basic credentials (zot's {@code http.auth.ldap}). */
        LDAP,
        /** A TLS client certificate of a trusted authority (zot's mTLS: {@code http.tls.cacert}, {@code http.auth.mtls}). */
        CLIENT_CERTIFICATE
    }

    /**
     * Whether the credential's scopes let the caller do {@code action} on {@code repository}, as far as the credential
     * goes (the policy decides too, except for an external token): an API key without scopes lets its owner do all the
     * owner may; a registry token only what it grants.
     *
     * @param repository the repository name
     * @param action the action asked for
     * @return true if the scopes permit it
     */
    public boolean scopesPermit(String repository, Action action) {
        if (method == AuthMethod.REGISTRY_TOKEN || method == AuthMethod.EXTERNAL_TOKEN) {
            for (Scope s : scopes) {
                if (s.permits(repository, action)) {
                    return true;
                }
            }
            return false;
        }
        return Scope.permitAll(scopes, repository, action);
    }

    /**
     * Whether the credential is narrowed to some repositories (an API key with scopes, a registry token): then it is no
     * credential for metrics.
     *
     * @return true for scopes or a registry token
     */
    public boolean narrowed() {
        return method == AuthMethod.REGISTRY_TOKEN || method == AuthMethod.EXTERNAL_TOKEN || !scopes.isEmpty();
    }

    /**
     * The caller as the policy sees it: a user with this name and groups. The scopes are not part of it; the pipeline
     * narrows the policy's decisions by them.
     *
     * @return a new subject on each call
     * @throws IllegalArgumentException when the name is empty
     */
    public Subject subject() {
        return Subject.user(name, groups);
    }
}
