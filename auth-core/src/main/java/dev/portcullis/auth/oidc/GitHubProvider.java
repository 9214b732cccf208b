package dev.portcullis.auth.oidc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login with GitHub as zot does it: OAuth2's code flow (with state and PKCE S256), then GitHub's REST API with the
 * access token for the user's primary email address ({@code GET /user/emails}), organizations ({@code GET /user/orgs})
 * and teams ({@code GET /user/teams}), following pagination. Unlike zot, the primary address counts only when GitHub
 * says it is verified; and API pages are followed only on the API's own origin, so the token goes nowhere else.
 */
final class GitHubProvider implements LoginProvider {
    private static final Logger LOG = LoggerFactory.getLogger(GitHubProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
    /** Pages of organizations or teams followed at most (100 each). */
    private static final int MAX_PAGES = 50;

    private final GitHubProviderSettings settings;
    private final URI redirectUri;
    private final Duration timeout;

    GitHubProvider(GitHubProviderSettings settings, URI redirectUri, Duration timeout) {
        this.settings = settings;
        this.redirectUri = redirectUri;
        this.timeout = timeout;
        if (settings.organizations().isEmpty()) {
            LOG.warn("GitHub provider '{}': every GitHub account can log in, and its groups are organization names that anyone can"
                    + " create; grant GitHub users by name, or set organizations to your own so that only their members log in and"
                    + " only they and their teams are groups", settings.name());
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public @Nullable String logoutOrigin() {
        return null; // GitHub has no logout endpoint for OAuth apps
    }

    @Override
    public URI authorizationUrl(State state, Nonce nonce, CodeVerifier verifier) {
        return new AuthorizationRequest.Builder(ResponseType.CODE, new ClientID(settings.clientId()))
                .endpointURI(URI.create(settings.authorizationEndpoint())).redirectionURI(redirectUri)
                .scope(new Scope(settings.scopes().toArray(String[]::new)))
                .state(state).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
    }

    @Override
    public Login exchange(AuthorizationCode code, CodeVerifier verifier, Nonce nonce) throws LoginFailed, Unavailable {
        String token = accessToken(code, verifier);
        String user = settings.username().equals("email") ? primaryEmail(token)
                : field(json(get(token, api("/user"), "the user"), "GitHub's answer about the user"), settings.username());
        List<String> groups = new ArrayList<>();
        for (JsonNode org : pages(token, api("/user/orgs?per_page=100"), "organizations")) {
            if (org.path("login").isTextual() && allowed(org.path("login").asText())) {
                groups.add(org.path("login").asText());
            }
        }
        if (!settings.organizations().isEmpty() && groups.isEmpty()) {
            throw new LoginFailed("the GitHub account is not a member of " + String.join(" or ", settings.organizations())
                    + " (or GitHub did not list its organizations: the OAuth app needs the scope read:org, and the organization"
                    + " must allow the app)");
        }
        for (JsonNode team : pages(token, api("/user/teams?per_page=100"), "teams")) {
            String org = team.path("organization").path("login").asText("");
            if (!org.isEmpty() && team.path("slug").isTextual() && allowed(org)) {
                groups.add(org + "/" + team.path("slug").asText());
            }
        }
        return new Login(user, List.copyOf(groups), null);
    }

    @Override
    public Optional<URI> endSessionUrl(@Nullable String idToken, URI postLogoutRedirect) {
        return Optional.empty();
    }

    @Override
    public void close() {
        // nothing runs in the background
    }

    /** Whether an organization's groups count: any, or one of the configured organizations (GitHub logins ignore case). */
    private boolean allowed(String org) {
        return settings.organizations().isEmpty() || settings.organizations().stream().anyMatch(o -> o.equalsIgnoreCase(org));
    }

    private URI api(String path) {
        return URI.create(settings.apiUrl() + path);
    }

    /** The code exchanged; GitHub answers a refused code with 200 and an {@code error} field. */
    private String accessToken(AuthorizationCode code, CodeVerifier verifier) throws LoginFailed, Unavailable {
        HTTPRequest request = new TokenRequest(URI.create(settings.tokenEndpoint()),
                new ClientSecretPost(new ClientID(settings.clientId()), new Secret(settings.clientSecret())),
                new AuthorizationCodeGrant(code, redirectUri, verifier)).toHTTPRequest();
        configure(request);
        long start = System.nanoTime();
        HTTPResponse http;
        try {
            http = request.send();
        } catch (IOException e) {
            ProviderCalls.record(ProviderCalls.Call.TOKEN, start, true);
            throw new Unavailable("GitHub's token endpoint cannot be reached: " + e.getMessage());
        }
        ProviderCalls.record(ProviderCalls.Call.TOKEN, start, http.getStatusCode() >= 500);
        if (http.getStatusCode() >= 500) {
            throw new Unavailable("GitHub's token endpoint failed (HTTP " + http.getStatusCode() + ")");
        }
        JsonNode body = json(http, "GitHub's token endpoint");
        if (body.path("error").isTextual()) {
            String error = body.path("error").asText();
            String description = body.path("error_description").asText("");
            throw new LoginFailed("GitHub refused the code: " + error + (description.isEmpty() ? "" : " (" + description + ")")
                    + (error.equals("incorrect_client_credentials") ? "; check the client id and secret" : ""));
        }
        if (http.getStatusCode() != 200 || !body.path("access_token").isTextual()) {
            throw new Unavailable("GitHub's token endpoint gave an answer that is not a token response (HTTP " + http.getStatusCode() + ")");
        }
        return body.path("access_token").asText();
    }

    private String primaryEmail(String token) throws LoginFailed, Unavailable {
        HTTPResponse http = get(token, api("/user/emails"), "the user's email addresses");
        if (http.getStatusCode() == 403 || http.getStatusCode() == 404) {
            throw new LoginFailed("GitHub did not list the user's email addresses (HTTP " + http.getStatusCode()
                    + "); the OAuth app must ask for the scope user:email (or user)");
        }
        JsonNode emails = json(http, "GitHub's list of email addresses");
        for (JsonNode e : emails) {
            if (e.path("primary").asBoolean(false) && e.path("email").isTextual()) {
                if (!e.path("verified").asBoolean(false)) {
                    throw new LoginFailed("GitHub does not say the primary email address is verified, so it cannot name the user;"
                            + " verify it at GitHub, or name GitHub users by login or id (claimMapping.username)");
                }
                return e.path("email").asText();
            }
        }
        throw new LoginFailed("GitHub lists no primary email address for the user, so it cannot name them");
    }

    /**
     * Every item of a paginated list, following {@code Link: <…>; rel="next"} on the API's origin only. A 403 (the
     * token lacks {@code read:org}) gives no items, as in zot; other refusals fail the login.
     */
    private List<JsonNode> pages(String token, URI first, String what) throws LoginFailed, Unavailable {
        List<JsonNode> items = new ArrayList<>();
        URI next = first;
        for (int page = 0; next != null; page++) {
            if (page == MAX_PAGES) {
                throw new LoginFailed("the user is in more " + what + " than the " + MAX_PAGES * 100 + " read at login");
            }
            HTTPResponse http = get(token, next, "the user's " + what);
            if (http.getStatusCode() == 403 && page > 0) {
                throw new Unavailable("GitHub refused page " + (page + 1) + " of the user's " + what + " (HTTP 403)");
            }
            if (http.getStatusCode() == 403) {
                LOG.warn("GitHub provider '{}': the user's {} are not readable (HTTP 403; is read:org among the scopes?); they give no groups",
                        settings.name(), what);
                return List.of();
            }
            JsonNode body = json(http, "GitHub's list of " + what);
            if (!body.isArray()) {
                throw new Unavailable("GitHub's list of " + what + " is not a JSON array");
            }
            body.forEach(items::add);
            next = nextPage(http.getHeaderValue("Link"), first);
        }
        return items;
    }

    private static @Nullable URI nextPage(@Nullable String link, URI first) throws Unavailable {
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        if (!m.find()) {
            return null;
        }
        URI next;
        try {
            next = first.resolve(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new Unavailable("GitHub's next page is not a URL");
        }
        if (!java.util.Objects.equals(CallbackUi.origin(next.toString()), CallbackUi.origin(first.toString()))) {
            throw new Unavailable("GitHub's next page is on another origin (" + CallbackUi.origin(next.toString()) + "); not followed");
        }
        return next;
    }

    /** One API call; 401 fails the login, a server error or no answer is 503. */
    private HTTPResponse get(String token, URI uri, String what) throws LoginFailed, Unavailable {
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, uri);
        request.setAuthorization("Bearer " + token);
        request.setHeader("X-GitHub-Api-Version", "2022-11-28");
        configure(request);
        request.setAccept("application/vnd.github+json");
        long start = System.nanoTime();
        HTTPResponse http;
        try {
            http = request.send();
        } catch (IOException e) {
            ProviderCalls.record(ProviderCalls.Call.USERINFO, start, true);
            throw new Unavailable("GitHub's API cannot be reached for " + what + ": " + e.getMessage());
        }
        ProviderCalls.record(ProviderCalls.Call.USERINFO, start, http.getStatusCode() >= 500);
        if (http.getStatusCode() >= 500) {
            throw new Unavailable("GitHub's API failed to give " + what + " (HTTP " + http.getStatusCode() + ")");
        }
        if ((http.getStatusCode() == 403 || http.getStatusCode() == 429)
                && ("0".equals(http.getHeaderValue("X-RateLimit-Remaining")) || http.getHeaderValue("Retry-After") != null)) {
            // a rate limit, not a missing scope: the login must not go on without the groups
            throw new Unavailable("GitHub's API limits this application's requests now (HTTP " + http.getStatusCode() + ") asking for " + what);
        }
        if (http.getStatusCode() == 401) {
            throw new LoginFailed("GitHub refused the access token asking for " + what);
        }
        return http;
    }

    private void configure(HTTPRequest request) {
        OidcProvider.configure(request, timeout);
    }

    private static JsonNode json(HTTPResponse http, String what) throws Unavailable {
        try {
            JsonNode node = JSON.readTree(http.getBody() == null ? "" : http.getBody());
            if (node == null || node.isMissingNode()) {
                throw new Unavailable(what + " gave an empty answer (HTTP " + http.getStatusCode() + ")");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new Unavailable(what + " gave an answer that is not JSON (HTTP " + http.getStatusCode() + ")");
        }
    }

    /** The user's {@code login} or numeric {@code id}. */
    private static String field(JsonNode user, String field) throws Unavailable {
        JsonNode node = user.path(field);
        if (node.isTextual() || node.isIntegralNumber()) {
            return node.asText();
        }
        throw new Unavailable("GitHub's answer about the user has no " + field);
    }
}
