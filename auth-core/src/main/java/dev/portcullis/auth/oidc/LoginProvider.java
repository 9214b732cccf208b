package dev.portcullis.auth.oidc;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One provider people log in with through {@link OidcLogin}'s authorization-code flow: an OpenID Provider
 * ({@link OidcProvider}) or GitHub's OAuth2 ({@link GitHubProvider}).
 */
interface LoginProvider extends AutoCloseable {
    /** The login failed for a reason the user or the provider's answer caused: 401. */
    final class LoginFailed extends Exception {
        private static final long serialVersionUID = 1L;

        LoginFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** The provider cannot be reached or answers with a server error: 503, and the next attempt tries again. */
    final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(@Nullable String message) {
            super(message, null, false, false);
        }
    }

    /** What a successful login yields; {@code idToken} is null for a provider without ID tokens. */
    record Login(String user, List<String> groups, @Nullable String idToken) {
        @Override
        public String toString() {
            return "Login[user=" + user + ", groups=" + groups + "]";
        }
    }

    /** The name in {@code /login?provider=NAME} and {@code /callback/NAME}. */
    String name();

    /** The origin of the provider's logout page, or null when it has none. */
    @Nullable String logoutOrigin();

    /** Where to send the browser: the authorization endpoint with state and PKCE S256 (and, for OIDC, the nonce). */
    URI authorizationUrl(State state, Nonce nonce, CodeVerifier verifier) throws Unavailable;

    /** Exchanges the code and finds who logged in: the user name and groups. */
    Login exchange(AuthorizationCode code, CodeVerifier verifier, Nonce nonce) throws LoginFailed, Unavailable;

    /** The provider's logout URL for a session, if it has one (and can be reached). */
    Optional<URI> endSessionUrl(@Nullable String idToken, URI postLogoutRedirect);

    /** Stops any background work. */
    @Override
    void close();
}
