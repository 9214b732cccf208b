package dev.portcullis.auth.oidc;

import java.util.List;
import java.util.Objects;

/**
 * Login with GitHub (zot: {@code http.auth.openid.providers.github}): OAuth2 without OpenID Connect, so the user and
 * groups come from GitHub's REST API with the access token. The user is named by the primary email address, which
 * GitHub must say is verified (or by the account's {@code login} or numeric {@code id}); the groups are the user's
 * organizations ({@code org}) and teams ({@code org/team}), as zot makes them. Endpoints default to github.com; give
 * GitHub Enterprise Server's to use one.
 *
 * @param name the provider's name in {@code /login?provider=NAME} and {@code /callback/NAME}
 * @param clientId the OAuth app's client id
 * @param clientSecret the OAuth app's client secret
 * @param scopes the scopes to ask for; organizations and teams need {@code read:org}, the email addresses
 *     {@code user:email} (or {@code user})
 * @param authorizationEndpoint where the browser is sent, {@code https://github.com/login/oauth/authorize}
 * @param tokenEndpoint where the code is exchanged, {@code https://github.com/login/oauth/access_token}
 * @param apiUrl the REST API's base, {@code https://api.github.com} (GitHub Enterprise Server:
 *     {@code https://HOST/api/v3})
 * @param username what names the user: {@code email} (the verified primary address), {@code login} or {@code id}
 * @param organizations when not empty, only members of these organizations log in, and only these organizations and
 *     their teams are groups (any GitHub account can log in otherwise, and organization names are anyone's to take)
 */
public record GitHubProviderSettings(String name, String clientId, String clientSecret, List<String> scopes, String authorizationEndpoint,
                                     String tokenEndpoint, String apiUrl, String username, List<String> organizations) {
    /** The scopes asked for by default: organizations and teams, and the email addresses. */
    public static final List<String> DEFAULT_SCOPES = List.of("read:org", "user:email");
    /** The names a user can be given by. */
    public static final List<String> USERNAMES = List.of("email", "login", "id");
    /** github.com's authorization endpoint. */
    public static final String GITHUB_AUTHORIZATION = "https://github.com/login/oauth/authorize";
    /** github.com's token endpoint. */
    public static final String GITHUB_TOKEN = "https://github.com/login/oauth/access_token";
    /** github.com's REST API. */
    public static final String GITHUB_API = "https://api.github.com";

    /**
     * Checks the settings.
     *
     * @param name the provider's name: letters, digits, {@code .}, {@code _} and {@code -}
     * @param clientId the OAuth app's client id
     * @param clientSecret the OAuth app's client secret
     * @param scopes the scopes to ask for
     * @param authorizationEndpoint the authorization endpoint; https, or http on this machine only
     * @param tokenEndpoint the token endpoint; https, or http on this machine only
     * @param apiUrl the REST API's base; https, or http on this machine only
     * @param username {@code email}, {@code login} or {@code id}
     * @param organizations the organizations whose members may log in; empty: any GitHub account
     * @throws IllegalArgumentException for a name with other characters, an endpoint that is not https, or another
     *     user name
     * @throws NullPointerException if a part is null
     */
    public GitHubProviderSettings {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("provider name '" + name + "' may hold only letters, digits, '.', '_' and '-'");
        }
        Objects.requireNonNull(clientId, "clientid of provider " + name);
        Objects.requireNonNull(clientSecret, "clientsecret of provider " + name);
        scopes = List.copyOf(scopes);
        String why = "anyone on the way could read the client secret or the user's token, or answer for GitHub";
        Claims.requireSecure(authorizationEndpoint, "the authorization endpoint (authurl) of provider " + name, why);
        Claims.requireSecure(tokenEndpoint, "the token endpoint (tokenurl) of provider " + name, why);
        Claims.requireSecure(apiUrl, "the API URL (apiurl) of provider " + name, why);
        apiUrl = apiUrl.replaceAll("/+$", "");
        organizations = List.copyOf(organizations);
        if (!USERNAMES.contains(username)) {
            throw new IllegalArgumentException("provider " + name + ": a GitHub user is named by one of " + USERNAMES + ", not '" + username + "'");
        }
    }

    /**
     * github.com with the default scopes, the user named by the verified primary email address.
     *
     * @param name the provider's name
     * @param clientId the OAuth app's client id
     * @param clientSecret the OAuth app's client secret
     * @return the settings
     */
    public static GitHubProviderSettings of(String name, String clientId, String clientSecret) {
        return new GitHubProviderSettings(name, clientId, clientSecret, DEFAULT_SCOPES, GITHUB_AUTHORIZATION, GITHUB_TOKEN, GITHUB_API, "email",
                List.of());
    }

    /**
     * These settings with other endpoints (GitHub Enterprise Server).
     *
     * @param authorization the authorization endpoint
     * @param token the token endpoint
     * @param api the REST API's base
     * @return new settings; these are not changed
     */
    public GitHubProviderSettings withEndpoints(String authorization, String token, String api) {
        return new GitHubProviderSettings(name, clientId, clientSecret, scopes, authorization, token, api, username, organizations);
    }

    /**
     * These settings with other scopes.
     *
     * @param newScopes the scopes to ask for
     * @return new settings; these are not changed
     */
    public GitHubProviderSettings withScopes(List<String> newScopes) {
        return new GitHubProviderSettings(name, clientId, clientSecret, newScopes, authorizationEndpoint, tokenEndpoint, apiUrl, username,
                organizations);
    }

    /**
     * These settings with the user named otherwise.
     *
     * @param newUsername {@code email}, {@code login} or {@code id}
     * @return new settings; these are not changed
     */
    public GitHubProviderSettings withUsername(String newUsername) {
        return new GitHubProviderSettings(name, clientId, clientSecret, scopes, authorizationEndpoint, tokenEndpoint, apiUrl, newUsername,
                organizations);
    }

    /**
     * These settings with only members of these organizations logging in.
     *
     * @param newOrganizations the organizations (GitHub logins, any case); empty: any GitHub account
     * @return new settings; these are not changed
     */
    public GitHubProviderSettings withOrganizations(List<String> newOrganizations) {
        return new GitHubProviderSettings(name, clientId, clientSecret, scopes, authorizationEndpoint, tokenEndpoint, apiUrl, username,
                newOrganizations);
    }

    /** The settings without the client secret, for logs. */
    @Override
    public String toString() {
        return "GitHubProviderSettings[name=" + name + ", clientId=" + clientId + ", scopes=" + scopes + ", authorizationEndpoint="
                + authorizationEndpoint + ", tokenEndpoint=" + tokenEndpoint + ", apiUrl=" + apiUrl + ", username=" + username + ", organizations=" + organizations + "]";
    }
}
