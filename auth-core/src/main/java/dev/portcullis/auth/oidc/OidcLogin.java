package dev.portcullis.auth.oidc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.portcullis.auth.session.Session;
import dev.portcullis.auth.session.SessionCookies;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OIDC browser login as a relying party (authorization-code flow with state, nonce and PKCE S256,
 * always), for one or more named providers:
 * <ul>
 *   <li>{@code GET {prefix}/login?provider=NAME&callback_ui=URL} → 302 to the provider; the
 *       transaction (state, nonce, PKCE verifier, callback_ui) is sealed into a short-lived HttpOnly
 *       cookie of its own (path {@code /}, as a {@code __Host-} cookie's must be) — no server memory, so
 *       any replica can finish the login;</li>
 *   <li>{@code GET {prefix}/callback/NAME} → checks state, exchanges the code, validates the ID token,
 *       merges UserInfo, sets the session cookie and sends the browser to {@code callback_ui} (zot's
 *       rules; anything else → {@code /});</li>
 *   <li>{@link #logout} gives the provider's logout URL for {@code POST {prefix}/logout}.</li>
 * </ul>
 * Blocking: discovery, the token and UserInfo requests go to the provider (bounded by a timeout).
 * Discovery and the provider's keys are fetched on first use, then refreshed by a background thread
 * ahead of their 15-minute lifespan, and kept in use for up to 6 hours while the provider cannot be
 * reached; {@link #close()} stops the refreshing.
 */
public final class OidcLogin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OidcLogin.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;
    private final String externalUrl;
    private final Map<String, LoginProvider> providers;
    private final List<String> allowedOrigins;
    private final SessionCookies sessions;
    private final Duration loginTtl;
    private final List<BiConsumer<String, List<String>>> onLogin = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Cache<String, Boolean> completed;

    private OidcLogin(Builder b) {
        this.prefix = b.prefix;
        this.externalUrl = Objects.requireNonNull(b.externalUrl, "OIDC login needs the registry's external URL (http.externalUrl)")
                .replaceAll("/+$", "");
        if (CallbackUi.origin(externalUrl) == null) {
            throw new IllegalArgumentException("http.externalUrl '" + b.externalUrl + "' must be an absolute http(s) URL, e.g. https://registry.example.com");
        }
        this.sessions = Objects.requireNonNull(b.sessions, "OIDC login needs session cookies");
        if (b.providers.isEmpty()) {
            throw new IllegalArgumentException("OIDC login needs at least one provider");
        }
        Map<String, LoginProvider> p = new LinkedHashMap<>();
        for (Object settings : b.providers) {
            LoginProvider provider;
            if (settings instanceof GitHubProviderSettings g) {
                provider = new GitHubProvider(g, URI.create(externalUrl + prefix + "/callback/" + g.name()), b.timeout);
            } else {
                OidcProviderSettings s = (OidcProviderSettings) settings;
                provider = new OidcProvider(s, URI.create(externalUrl + prefix + "/callback/" + s.name()), b.timeout, b.retryAfter,
                        b.jwksRateLimit, sessions.clock(), b.scheduler);
            }
            if (p.put(provider.name(), provider) != null) {
                throw new IllegalArgumentException("two OIDC providers are named '" + provider.name() + "'");
            }
        }
        this.providers = java.util.Collections.unmodifiableMap(p);
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.loginTtl = b.loginTtl;
        this.onLogin.addAll(b.onLogin);
        this.completed = Caffeine.newBuilder().expireAfterWrite(loginTtl).maximumSize(100_000).build();
    }

    /**
     * Starts the settings of a login.
     *
     * @return a builder; the external URL, the session cookies and at least one provider are required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Also calls {@code listener} with the user and groups after each login. {@code Portcullis}
     * adds its API key service's {@code recordLogin}, so keys carry the groups of the latest login.
     * A listener that throws is logged; the login still succeeds.
     *
     * @param listener called with the user name and groups, on the thread that completes the login
     */
    public void addLoginListener(BiConsumer<String, List<String>> listener) {
        onLogin.add(listener);
    }

    /**
     * The session cookies a login sets and the pipeline reads.
     *
     * @return the cookies given to the builder
     */
    public SessionCookies sessions() {
        return sessions;
    }

    /**
     * The configured providers' names, in configuration order: {@code GET {prefix}/login?provider=NAME}.
     *
     * @return the names; never empty
     */
    public List<String> providerNames() {
        return List.copyOf(providers.keySet());
    }

    /**
     * The registry's external URL, without a trailing slash.
     *
     * @return the URL, e.g. {@code https://registry.example.com}
     */
    public String externalUrl() {
        return externalUrl;
    }

    /**
     * The origins ({@code scheme://host[:port]}) of the providers' issuers, where their logout pages normally live.
     *
     * @return the origins in lower case, without default ports, in provider order and without duplicates
     */
    public java.util.Set<String> providerOrigins() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        providers.values().forEach(p -> {
            String origin = p.logoutOrigin();
            if (origin != null) {
                out.add(origin);
            }
        });
        return out;
    }

    /**
     * The OpenID providers' settings, in the order given (GitHub logins are not among them).
     *
     * @return the settings
     */
    public List<OidcProviderSettings> providers() {
        return providers.values().stream().filter(p -> p instanceof OidcProvider).map(p -> ((OidcProvider) p).settings()).toList();
    }

    /**
     * Whether {@code path} is one of the login endpoints this answers (login and callbacks).
     *
     * @param path the decoded request path
     * @return true for {@code {prefix}/login} and every path below {@code {prefix}/callback/}
     */
    public boolean handles(String path) {
        return path.equals(prefix + "/login") || path.startsWith(prefix + "/callback/");
    }

    /**
     * What a login endpoint answers: send the browser on ({@code 302}), with cookies to set, or refuse, with an error
     * code and a message for a person (the caller renders it as HTML for browsers, JSON for others).
     */
    public sealed interface Answer {
        /**
         * Send the browser on with a {@code 302}.
         *
         * @param location the {@code Location}: the provider's authorization URL, or after a login the
         *     {@code callback_ui} that passed zot's rules (else {@code /})
         * @param cookies {@code Set-Cookie} values
         */
        record Redirect(String location, List<String> cookies) implements Answer {
            /**
             * Copies the cookies.
             *
             * @param location the {@code Location}
             * @param cookies {@code Set-Cookie} values
             */
            public Redirect {
                cookies = List.copyOf(cookies);
            }
        }

        /**
         * Refuse the request.
         *
         * @param status the HTTP status: 400 for a bad login request, 401 for a callback that fails, 404 for an
         *     unknown provider's callback, 500 for a session too large for a cookie, 503 when the provider is
         *     unreachable
         * @param error a short code, OAuth style, e.g. {@code login_expired} or the provider's own {@code error}
         * @param message what went wrong and what to do, for a person
         * @param cookies {@code Set-Cookie} values (the login transaction's, cleared)
         */
        record Refused(int status, String error, String message, List<String> cookies) implements Answer {
            /**
             * Copies the cookies.
             *
             * @param status the HTTP status
             * @param error a short code
             * @param message what went wrong, for a person
             * @param cookies {@code Set-Cookie} values
             */
            public Refused {
                cookies = List.copyOf(cookies);
            }
        }
    }

    /**
     * Answers {@code GET {prefix}/login?provider=NAME&callback_ui=URL} (to the provider, with the login transaction's
     * cookie) and {@code GET {prefix}/callback/NAME} (the provider's answer, with the {@code Cookie} headers that hold the
     * transaction): a path this {@link #handles}. Blocks on the provider for discovery and, on a callback, for the
     * token and UserInfo requests.
     *
     * @param path the decoded request path; must be one {@link #handles(String)} accepts
     * @param query the decoded query parameters, each name to its values
     * @param cookieHeaders every {@code Cookie} header of the request
     * @return a redirect with cookies to set, or a refusal to render
     */
    public Answer handle(String path, Map<String, List<String>> query, List<String> cookieHeaders) {
        if (path.equals(prefix + "/login")) {
            return login(first(query, "provider"), first(query, "callback_ui"));
        }
        return callback(path.substring((prefix + "/callback/").length()), query, cookieHeaders);
    }

    private Answer login(@Nullable String name, @Nullable String callbackUi) {
        if (name == null) {
            return new Answer.Refused(400, "invalid_request", "say which identity provider to log in with: ?provider=" + String.join("|", providers.keySet()),
                    List.of());
        }
        LoginProvider provider = providers.get(name);
        if (provider == null) {
            return new Answer.Refused(400, "invalid_request", "unknown identity provider '" + name + "'; configured: " + String.join(", ", providers.keySet()),
                    List.of());
        }
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI target;
        try {
            target = provider.authorizationUrl(state, nonce, verifier);
        } catch (LoginProvider.Unavailable e) {
            return new Answer.Refused(503, "temporarily_unavailable", "login is unavailable: " + e.getMessage() + "; try again shortly", List.of());
        }
        Map<String, String> tx = new LinkedHashMap<>();
        tx.put("prv", name);
        tx.put("state", state.getValue());
        tx.put("nonce", nonce.getValue());
        tx.put("cv", verifier.getValue());
        tx.put("cb", CallbackUi.safe(callbackUi, externalUrl, allowedOrigins));
        String cookie = sessions.loginCookie(tx, loginTtl);
        return new Answer.Redirect(target.toString(), List.of(cookie));
    }

    private Answer callback(String name, Map<String, List<String>> query, List<String> cookieHeaders) {
        LoginProvider provider = providers.get(name);
        if (provider == null) {
            return new Answer.Refused(404, "not_found", "unknown identity provider '" + name + "'", List.of());
        }
        List<String> clear = List.of(sessions.clearLogin());
        Optional<Map<String, String>> found = sessions.readLogin(cookieHeaders);
        if (found.isEmpty() || !name.equals(found.get().get("prv"))) {
            return new Answer.Refused(401, "login_expired", "this login expired or was started in another browser; start again at "
                    + prefix + "/login?provider=" + name, clear);
        }
        Map<String, String> tx = found.get();
        String state = first(query, "state");
        String expected = tx.get("state");
        if (state == null || expected == null
                || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("OIDC callback for '{}' with a state that does not match this browser's login: refused", name);
            return new Answer.Refused(401, "invalid_state", "the login answer does not belong to this browser's login; start again", clear);
        }
        String error = first(query, "error");
        if (error != null) {
            String description = first(query, "error_description");
            LOG.info("OIDC provider '{}' answered the login with error {}", name, error.matches("[A-Za-z0-9_.-]{1,64}") ? error : "(unprintable)");
            return new Answer.Refused(401, error, "the identity provider did not log you in: " + error
                    + (description == null ? "" : " (" + description + ")"), clear);
        }
        String code = first(query, "code");
        if (code == null) {
            return new Answer.Refused(401, "invalid_request", "the identity provider's answer has no code; start again", clear);
        }
        if (completed.asMap().putIfAbsent(expected, Boolean.TRUE) != null) {
            return new Answer.Refused(401, "invalid_request", "this login was already completed; start again to log in once more", clear);
        }
        LoginProvider.Login login;
        try {
            login = provider.exchange(new AuthorizationCode(code), new CodeVerifier(tx.get("cv")), new Nonce(tx.get("nonce")));
        } catch (LoginProvider.LoginFailed e) {
            LOG.warn("OIDC login with '{}' failed: {}", name, e.getMessage());
            return new Answer.Refused(401, "login_failed", String.valueOf(e.getMessage()), clear);
        } catch (LoginProvider.Unavailable e) {
            completed.invalidate(expected);
            return new Answer.Refused(503, "temporarily_unavailable", "login is unavailable: " + e.getMessage() + "; try again shortly", clear);
        }
        SessionCookies.Issued issued;
        try {
            issued = sessions.issue(login.user(), login.groups(), name, login.idToken());
        } catch (SessionCookies.SessionTooLargeException e) {
            LOG.error("OIDC login of '{}': {}", login.user(), e.getMessage());
            return new Answer.Refused(500, "session_too_large", String.valueOf(e.getMessage()), clear);
        }
        for (BiConsumer<String, List<String>> listener : onLogin) {
            try {
                listener.accept(login.user(), login.groups());
            } catch (RuntimeException e) {
                LOG.error("OIDC login of '{}': recording the user's groups failed ({}); API keys keep the groups of an earlier login",
                        login.user(), e.toString());
            }
        }
        LOG.info("OIDC login: '{}' with {} groups through '{}'", login.user(), login.groups().size(), name);
        List<String> cookies = new ArrayList<>(clear);
        cookies.add(issued.setCookie());
        return new Answer.Redirect(tx.getOrDefault("cb", "/"), cookies); // the login cookie is sealed: "cb" is there
    }

    /**
     * The JSON body of {@code POST {prefix}/logout}: {@code {"endSessionUrl": ...}} when the session's provider has a
     * logout endpoint. May block on the provider's discovery document the first time.
     *
     * @param session the session being ended, or {@code null} when there is none
     * @return a new object; empty ({@code {}}) without a session, for a provider no longer configured, or one without
     *     a logout endpoint (or unreachable)
     */
    public ObjectNode logout(@Nullable Session session) {
        ObjectNode body = JSON.createObjectNode();
        if (session != null && providers.containsKey(session.provider())) {
            providers.get(session.provider()).endSessionUrl(session.idToken(), URI.create(externalUrl + "/"))
                    .ifPresent(u -> body.put("endSessionUrl", u.toString()));
        }
        return body;
    }

    /**
     * Where to send a browser after its session is cleared: the session provider's logout page, when it has one on
     * one of {@link #providerOrigins()} (which a page's {@code form-action} can name in advance).
     *
     * @param session the session being ended
     * @return the provider's logout URL, or empty: then send the browser to a page of the registry
     */
    public Optional<String> endSessionRedirect(Session session) {
        String url = logout(session).path("endSessionUrl").asText(null);
        return url != null && providerOrigins().contains(CallbackUi.origin(url)) ? Optional.of(url) : Optional.empty();
    }

    /** Stops refreshing the providers' discovery documents and keys in the background. */
    @Override
    public void close() {
        providers.values().forEach(LoginProvider::close);
    }

    private static @Nullable String first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Settings for {@link OidcLogin}. */
    public static final class Builder {
        private String prefix = "/auth";
        private @Nullable String externalUrl;
        private final List<Object> providers = new ArrayList<>();
        private final List<String> allowedOrigins = new ArrayList<>();
        private @Nullable SessionCookies sessions;
        private Duration loginTtl = Duration.ofMinutes(10);
        private Duration timeout = Duration.ofSeconds(5);
        private Duration retryAfter = Duration.ofSeconds(5);
        private Duration jwksRateLimit = Duration.ofSeconds(30);
        private Refreshing.Scheduler scheduler = Refreshing.BACKGROUND;
        private final List<BiConsumer<String, List<String>>> onLogin = new ArrayList<>();

        private Builder() {
        }

        /**
         * The built-in endpoints' prefix, as given to {@code Portcullis.Builder#endpointPrefix} (default
         * {@code /auth}).
         *
         * @param p the prefix, starting with {@code /} and without a trailing one
         * @return this builder
         */
        public Builder endpointPrefix(String p) {
            this.prefix = p;
            return this;
        }

        /**
         * How users reach the registry (zot's {@code http.externalUrl}); redirect URIs are built from it. Required.
         *
         * @param url an absolute http(s) URL, e.g. {@code https://registry.example.com}; a trailing slash is dropped
         * @return this builder
         */
        public Builder externalUrl(String url) {
            this.externalUrl = url;
            return this;
        }

        /**
         * Adds a provider users may log in with; at least one is required, each with a name of its own. Its redirect
         * URI is {@code {externalUrl}{prefix}/callback/NAME}, to be registered at the provider.
         *
         * @param settings the provider's settings
         * @return this builder
         */
        public Builder provider(OidcProviderSettings settings) {
            providers.add(settings);
            return this;
        }

        /**
         * Adds a GitHub login (OAuth2, with the user and groups from GitHub's API); names are shared with the OpenID
         * providers. Its redirect URI, {@code {externalUrl}{prefix}/callback/NAME}, is the OAuth app's callback URL.
         *
         * @param settings the provider's settings
         * @return this builder
         */
        public Builder provider(GitHubProviderSettings settings) {
            providers.add(settings);
            return this;
        }

        /**
         * Origins besides the external URL's that {@code callback_ui} may name (zot's {@code callbackAllowOrigins}).
         * Adds to those of earlier calls.
         *
         * @param origins origins or URLs, e.g. {@code https://ui.example.com}; only their scheme, host and port count
         * @return this builder
         */
        public Builder callbackAllowOrigins(List<String> origins) {
            allowedOrigins.addAll(origins);
            return this;
        }

        /**
         * The session cookies a login sets. Required.
         *
         * @param cookies the cookies, whose key ring also seals the login transaction
         * @return this builder
         */
        public Builder sessions(SessionCookies cookies) {
            this.sessions = cookies;
            return this;
        }

        /**
         * How long a started login may take (default 10 minutes).
         *
         * @param ttl from the redirect to the provider until the callback
         * @return this builder
         */
        public Builder loginTimeToLive(Duration ttl) {
            this.loginTtl = ttl;
            return this;
        }

        /**
         * Connect and read timeout for requests to the provider (default 5 s).
         *
         * @param t the timeout of each connection and each read
         * @return this builder
         */
        public Builder providerTimeout(Duration t) {
            this.timeout = t;
            return this;
        }

        /**
         * While the provider has never been reached, how long logins answer 503 before trying it again (default 5 s).
         *
         * @param d the pause after a failure
         * @return this builder
         */
        public Builder retryAfter(Duration d) {
            this.retryAfter = d;
            return this;
        }

        /**
         * The least time between two fetches of the provider's keys (an unknown {@code kid} triggers one; default
         * 30 s).
         *
         * @param d the least time between two fetches
         * @return this builder
         */
        public Builder jwksRateLimit(Duration d) {
            this.jwksRateLimit = d;
            return this;
        }

        /**
         * Called after each login with the user and groups (besides Portcullis recording them for the user's API keys).
         *
         * @param callback called with the user name and groups; one that throws is logged, and the login still succeeds
         * @return this builder
         */
        public Builder onLogin(BiConsumer<String, List<String>> callback) {
            this.onLogin.add(callback);
            return this;
        }

        /** Where the background refreshes run: a test's hand-run schedule instead of the shared thread. */
        Builder scheduler(Refreshing.Scheduler s) {
            this.scheduler = s;
            return this;
        }

        /**
         * Checks the settings and builds the login. Contacts no provider: discovery happens on first use.
         *
         * @return the login
         * @throws NullPointerException without an external URL or session cookies
         * @throws IllegalArgumentException for an external URL that is not an absolute http(s) URL, no provider, or
         *     two providers of one name
         */
        public OidcLogin build() {
            return new OidcLogin(this);
        }
    }
}
