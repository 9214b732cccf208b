package dev.portcullis.auth;

import dev.portcullis.auth.apikey.Scope;
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
 * @param keyId the API key id, for {@link AuthMethod#API_KEY}; else {@code null}
 * @param scopes the API key's scopes (empty: none, so the owner's full rights)
 */
public record Identity(String name, List<String> groups, AuthMethod method, @Nullable String keyId, List<Scope> scopes) {
    /**
     * Keeps copies of the groups and scopes.
     *
     * @param name the user name the policy sees; not empty, or {@link #subject()} fails
     * @param groups the groups from the identity provider, htpasswd config or the key's owner record
     * @param method how the request authenticated
     * @param keyId the API key id, for {@link AuthMethod#API_KEY}; else {@code null}
     * @param scopes the API key's scopes (empty: none, so the owner's full rights)
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
        OTHER
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
