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
    public Identity {
        Objects.requireNonNull(name, "name");
        groups = List.copyOf(groups);
        Objects.requireNonNull(method, "method");
        scopes = List.copyOf(scopes);
    }

    /** How a request authenticated; {@code OTHER}: an {@link Authenticator} of the application's. */
    public enum AuthMethod { API_KEY, HTPASSWD, SESSION, BEARER, OTHER }

    public Subject subject() {
        return Subject.user(name, groups);
    }
}
