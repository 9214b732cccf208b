package dev.portcullis.auth.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A logged-in browser user, as sealed in the session cookie.
 *
 * @param user the user name the policy sees
 * @param groups the groups from the identity provider at login
 * @param provider the name of the OIDC provider that logged the user in
 * @param issuedAt when the user logged in
 * @param expiresAt when the session ends, whatever the browser does with the cookie
 * @param idToken the provider's ID token, for its logout endpoint ({@code id_token_hint}); {@code null}
 *     when it did not fit in the cookie
 */
public record Session(String user, List<String> groups, String provider, Instant issuedAt, Instant expiresAt, @Nullable String idToken) {
    /**
     * Checks the required parts and copies the groups.
     *
     * @param user the user name the policy sees
     * @param groups the groups from the identity provider at login
     * @param provider the name of the OIDC provider that logged the user in
     * @param issuedAt when the user logged in
     * @param expiresAt when the session ends
     * @param idToken the provider's ID token, or {@code null}
     * @throws NullPointerException if a part other than {@code idToken} is null
     */
    public Session {
        Objects.requireNonNull(user, "user");
        groups = List.copyOf(groups);
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "Session[user=" + user + ", groups=" + groups.size() + ", provider=" + provider + ", expiresAt=" + expiresAt + "]";
    }
}
