package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.ExternalTokenServer;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framework-neutral request pipeline. Adapters (the servlet filter, the Netty handler) translate their request
 * into a {@link HttpRequestView}, call {@link #handle}, and either pass the request on or write the
 * {@link Outcome.Respond}.
 *
 * <pre>{@code
 * JdbcApiKeyStore store = JdbcApiKeyStore.open("data/keys.db");
 * ApiKeyService keys = ApiKeyService.builder(store).build();
 * Portcullis portcullis = Portcullis.builder()
 *     .policy(AccessPolicy.load(Path.of("registry.policy")))
 *     .apiKeys(keys).closeWith(keys).closeWith(store)         // portcullis.close() closes both
 *     .existence((repo, tag) -> storage.tagExists(repo, tag))
 *     .build();
 * Outcome outcome = portcullis.handle(view);
 * }</pre>
 *
 * A request passes through stages: {@link RequestGate} refuses malformed requests; the built-in {@link Endpoint}s
 * (API keys, login, logout, the self-service page) answer their paths; the {@link RouteResolver} says what the request
 * is; a route that is not policy-checked goes to {@link VersionCheck}, which answers {@code /v2/}; for the others
 * {@link AuthenticationStage} asks the {@link Authenticator}s who sent it and {@link AuthorizationStage} asks the
 * policy. {@link Refusals} answers and audits the stages' refusals. Thread-safe.
 */
public final class Portcullis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Portcullis.class);

    private final ClientAddresses clientAddresses;
    private final Pipeline pipeline;
    private final List<AutoCloseable> owned;
    private final @Nullable ApiKeyService apiKeys;
    private final Settings.@Nullable Watch watcher;

    private Portcullis(Builder b) {
        this.clientAddresses = new ClientAddresses(b.settings.trustedProxies);
        this.pipeline = new Pipeline(b.settings);
        var watch = b.settings.watch;
        Settings.Watch watcher = watch == null ? null : watch.apply(pipeline::reload);
        if (watcher != null) {
            b.settings.owned.add(0, watcher);
        }
        this.watcher = watcher;
        this.owned = List.copyOf(b.settings.owned);
        this.apiKeys = b.settings.apiKeys;
        LOG.info("Portcullis protects: {}", pipeline.summary());
    }

    /**
     * What this instance protects and how, as logged at its start: the routes, the authentication methods in the order
     * they are asked, the key store, the policy's source and a digest of it, whether an existence lookup was given, and
     * the self-service page. Names no secret.
     *
     * @return one line of text
     */
    public String summary() {
        return pipeline.summary();
    }

    /**
     * What the watcher of the configuration file did: built from {@link PortcullisConfig#load(java.nio.file.Path)}, a
     * Portcullis reads the file (and its {@code portcullis.policyFile}) again when it changes, as zot does, and swaps a
     * valid new policy in for the requests that start after it; an invalid file is refused with an error and the running
     * configuration stays; other changes are named in a warning and wait for a restart.
     *
     * @return the counts and the last refusal; {@link ConfigReloads#NONE} when nothing is watched
     */
    public ConfigReloads reloads() {
        Settings.Watch w = watcher;
        return w == null ? ConfigReloads.NONE : w.status();
    }

    /** The decisions counted so far, for {@link PortcullisMetrics}. */
    DecisionCounts decisionCounts() {
        return pipeline.decisionCounts();
    }

    /** The API keys' service, for {@link PortcullisMetrics}; null without API keys. */
    @Nullable ApiKeyService apiKeys() {
        return apiKeys;
    }

    /** Whether the warning about a write that the default routes leave unchecked was given (once per instance). */
    boolean warnedAboutUnprotectedWrite() {
        return pipeline.warnedAboutUnprotectedWrite();
    }

    /** Closes what the builder was told to own (e.g. the key service and store a configuration opened). */
    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString());
            }
        }
    }

    /**
     * Starts the settings of a new instance. Only {@link Builder#policy} is required; every other setting has a
     * default, named on its method.
     *
     * @return a new builder with every default; not thread-safe, so set it up on one thread
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The policy this instance decides new requests by, for questions the application asks of it (which groups a caller
     * has, say): the one given to {@link Builder#policy}, or the configuration file's latest ({@link #reloads()}). A
     * request under way was decided by {@link Outcome.Proceed#policy()}.
     *
     * @return the policy; never null
     */
    public AccessPolicy policy() {
        return pipeline.policy();
    }

    /**
     * The largest body read for a built-in endpoint ({@link #readsBody}): an adapter that collects bodies collects this
     * much + 1, so that a longer body shows as too long.
     *
     * @return the limit in bytes, 8192
     */
    public int bodyLimit() {
        return Pipeline.BODY_LIMIT;
    }

    /**
     * The repositories of a catalog the caller may see ({@code identity} null for anonymous): the
     * current {@link #policy()}'s catalog rule, narrowed by an API key's scopes.
     *
     * @param identity the caller, as {@link Outcome.Proceed#identity()} names it; null for an anonymous caller
     * @param repositories every repository name the store holds
     * @return a new list of the names the caller may see, in their order in {@code repositories}; empty if it may see
     *     none
     */
    public List<String> filterCatalog(@Nullable Identity identity, Collection<String> repositories) {
        return AuthorizationStage.filterCatalog(pipeline.policy(), identity, repositories);
    }

    /**
     * Whether the request at this (raw) path is answered by an endpoint that reads the request body: an adapter that
     * streams bodies collects at most {@link #bodyLimit()} + 1 bytes of such a request before calling {@link #handle}.
     *
     * @param rawPath the path as {@link HttpRequestView#rawPath()} gives it: still percent-encoded, without the query
     * @return true if an endpoint that reads bodies (built-in or added) answers this path; false otherwise, also for a
     *     path the pipeline refuses as malformed
     */
    public boolean readsBody(String rawPath) {
        return pipeline.readsBody(rawPath);
    }

    /**
     * Decides one request; may block (Argon2, bcrypt, the key store, the application's lookup). Never throws for
     * anything the client sent.
     *
     * @param request the adapter's view of the request
     * @return {@link Outcome.Proceed} to pass the request to the application, with the caller and what a write is
     *     allowed under; or {@link Outcome.Respond}, the answer to write instead (a refusal, or a built-in endpoint's
     *     answer) after its delay
     */
    public Outcome handle(HttpRequestView request) {
        return handle(request, null);
    }

    /**
     * {@link #handle(HttpRequestView)} for a request on a client connection ({@link #connection()}; null: none). What
     * the authenticators learn is kept on the connection, for
     * {@link #handleWithoutBlocking(HttpRequestView, Connection)} of its next requests.
     *
     * @param request the adapter's view of the request
     * @param connection what the pipeline keeps of the request's client connection; null when the adapter keeps none
     * @return the decision, as {@link #handle(HttpRequestView)} makes it
     */
    public Outcome handle(HttpRequestView request, @Nullable Connection connection) {
        return pipeline.decide(new RequestContext(request, clientAddresses.of(request), connection, true, pipeline.policy()));
    }

    /**
     * Refuses a request that an adapter cannot hand to {@link #handle} faithfully (what its container reports of it is
     * ambiguous, or it could not be decided at all): the pipeline's error body and audit event. Never blocks.
     *
     * @param request the adapter's view of the request, as far as it can tell
     * @param status the HTTP status to answer, such as 400
     * @param code the error code, such as {@code UNSUPPORTED}: an OCI error code in the body under {@code /v2/},
     *     lower-cased as its {@code error} field elsewhere
     * @param message what is wrong with the request, for the client and the audit log
     * @return the answer to write, at once; the {@link AuthEventListener} has been told of the refusal
     */
    public Outcome.Respond refuse(HttpRequestView request, int status, String code, String message) {
        return pipeline.refuse(new RequestContext(request, clientAddresses.of(request), null, false, pipeline.policy()), status, code, message);
    }

    /**
     * An error in the pipeline's shape (the OCI error body under {@code /v2/}, a small JSON object elsewhere or when
     * {@code path} is null), for an adapter that must answer a request it could not hand to the pipeline at all (its
     * head did not parse, say); not audited: nobody could read what it asked for.
     *
     * @param path the request's path, which chooses the body's shape; null when not even the path is known
     * @param status the HTTP status to answer, such as 400
     * @param code the error code, such as {@code UNSUPPORTED}: an OCI error code in the body under {@code /v2/},
     *     lower-cased as its {@code error} field elsewhere
     * @param message what is wrong with the request, for the client
     * @return the answer to write, at once and without extra headers
     */
    public Outcome.Respond error(@Nullable String path, int status, String code, String message) {
        return Responses.error(path, status, code, message, null, Map.of(), Duration.ZERO);
    }

    /**
     * Decides the request only if that needs no blocking work — anonymous and policy-only decisions, credentials
     * already verified and cached — else empty, and the caller runs {@link #handle} where blocking is allowed. For
     * event-loop servers (Netty). A request to an endpoint is never decided here, apart from an early refusal of a
     * malformed request, so an adapter asks {@link #readsBody} only after an empty answer.
     *
     * @param request the adapter's view of the request
     * @return the decision, as {@link #handle(HttpRequestView)} would make it; empty when making it needs blocking work
     */
    public Optional<Outcome> handleWithoutBlocking(HttpRequestView request) {
        return handleWithoutBlocking(request, null);
    }

    /**
     * {@link #handleWithoutBlocking(HttpRequestView)} for a request on a client connection ({@link #connection()};
     * null: none), which spares a keep-alive client that sends the same credentials again most of their checking.
     *
     * @param request the adapter's view of the request
     * @param connection what the pipeline keeps of the request's client connection; null when the adapter keeps none
     * @return the decision, as {@link #handle(HttpRequestView, Connection)} would make it; empty when making it needs
     *     blocking work
     */
    public Optional<Outcome> handleWithoutBlocking(HttpRequestView request, @Nullable Connection connection) {
        Outcome outcome = pipeline.decide(new RequestContext(request, clientAddresses.of(request), connection, false, pipeline.policy()));
        return outcome == RequestContext.NEEDS_BLOCKING ? Optional.empty() : Optional.of(outcome);
    }

    /**
     * A new {@link Connection}, for one client connection's requests.
     *
     * @return a connection that remembers nothing yet, for this instance only; used by one request at a time
     */
    public Connection connection() {
        return pipeline.connection();
    }

    /**
     * Settings for {@link Portcullis}: give a policy and what the application needs, then {@link #build()}. Each
     * method's comment names its default. Not thread-safe.
     */
    public static final class Builder {
        final Settings settings = new Settings();

        private Builder() {
        }

        /**
         * An authenticator of your own (LDAP, client certificates, a token service), asked after the API keys, htpasswd
         * and bearer JWTs and before the session cookie, in the order added. The first authenticator that claims a
         * request's credentials decides who sent it.
         *
         * @param authenticator the authenticator; thread-safe, since one instance serves every request
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            settings.authenticators.add(Objects.requireNonNull(authenticator, "authenticator"));
            return this;
        }

        /**
         * An endpoint of your own, asked after the built-in ones, in the order added. Endpoints are asked before the
         * routes, so the policy never sees a request an endpoint answers: the endpoint decides who may use it
         * (authenticating first if {@link Endpoint#authenticates()} says so).
         *
         * @param endpoint the endpoint; thread-safe, since one instance serves every request
         * @return this builder
         */
        public Builder endpoint(Endpoint endpoint) {
            settings.endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /**
         * Moves the self-service page (log in, see your rights, mint and revoke your API keys) from its default,
         * {@code {prefix}/}, to {@code path}, e.g. {@code /account/}. The page is served when API keys or sessions
         * are configured.
         *
         * @param path where the page lives, starting with {@code /} and outside {@code /v2/}; a path ending in
         *     {@code /} is also served without it
         * @return this builder
         * @throws IllegalArgumentException if {@code path} does not start with {@code /}, or lies in {@code /v2/}
         */
        public Builder selfServicePage(String path) {
            settings.pagePath = Settings.pagePath(path);
            return this;
        }

        /**
         * The registry token flow (the Docker registry token specification), which is on by default for the OCI routes:
         * a token service at {@code {prefix}/token}, {@code Bearer} challenges under {@code /v2/} that name it, and the
         * tokens it mints as credentials. Docker then pulls without logging in and checks credentials at
         * {@code docker login}. This sets the key ring its tokens are signed with: give replicas the same ring (the
         * session key ring serves), or a token from one is refused by another. Without this call a ring is generated
         * at the start.
         *
         * @param keys the key ring the tokens are signed with; its current key signs, any of its keys verifies
         * @param lifetime how long an access token lasts, e.g. 5 minutes; a token of an API key ends no later than the key
         * @return this builder
         * @throws IllegalArgumentException when the lifetime is not positive, or longer than a day
         */
        public Builder registryTokens(SessionKeyRing keys, Duration lifetime) {
            if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("registry token lifetime " + lifetime + " must be positive and at most a day, e.g. PT5M");
            }
            settings.tokenKeys = Objects.requireNonNull(keys, "keys");
            settings.tokenLifetime = lifetime;
            settings.tokens = Boolean.TRUE;
            return this;
        }

        /**
         * Turns the registry token flow off, also for the OCI routes: the registry API challenges with {@code Basic},
         * and (as zot does) answers a Docker client's anonymous {@code /v2/} with 401 so that it logs in; Docker then
         * cannot pull without logging in.
         *
         * @return this builder
         */
        public Builder withoutRegistryTokens() {
            settings.tokens = Boolean.FALSE;
            return this;
        }

        /**
         * zot's external token server ({@code http.auth.bearer} with {@code realm}, {@code service}, {@code cert}): the
         * registry API challenges with its realm, and its tokens authenticate, granting what their {@code access} claim
         * says (the policy is not asked for them, as in zot). This registry's own token service is then off.
         *
         * @param server the token server, with its public key
         * @return this builder
         */
        public Builder externalTokenServer(ExternalTokenServer server) {
            settings.externalTokens = Objects.requireNonNull(server, "server");
            return this;
        }

        /**
         * The URL clients reach this server at (zot's {@code http.externalUrl}), e.g. {@code https://registry.example.com}:
         * the registry token challenge names the token service under it. Without it, the challenge names the scheme and
         * {@code Host} of each request, which is right unless a proxy rewrites them.
         *
         * @param url the absolute URL (a trailing {@code /} is dropped)
         * @return this builder
         * @throws IllegalArgumentException when it is not an absolute http(s) URL
         */
        public Builder externalUrl(String url) {
            if (!url.matches("(?i)https?://[^/?#\\s\"]+(/[^?#\\s\"]*)?")) {
                throw new IllegalArgumentException("external URL '" + url + "' must be an absolute http(s) URL, e.g. https://registry.example.com");
            }
            settings.externalUrl = url.replaceAll("/+$", "");
            return this;
        }

        /**
         * Turns the self-service page off: the application answers its path. The API-key endpoints, login and logout
         * stay.
         *
         * @return this builder
         */
        public Builder withoutSelfServicePage() {
            settings.pagePath = null;
            return this;
        }

        /**
         * OIDC browser login ({@code {prefix}/login}, {@code {prefix}/callback/NAME}, {@code {prefix}/logout})
         * and its session cookies, which then authenticate requests without an {@code Authorization} header.
         * Its endpoint prefix must be this builder's. With {@link #apiKeys} too, each login records the user's groups,
         * which the user's API keys then carry.
         *
         * @param login the login, built with {@link OidcLogin.Builder#endpointPrefix} equal to
         *     {@link #endpointPrefix}; null (the default) for none
         * @return this builder
         */
        public Builder oidc(@Nullable OidcLogin login) {
            settings.oidc = login;
            return this;
        }

        /**
         * Session cookies without a login here (e.g. sessions issued by another replica); implied by {@link #oidc}.
         * Ignored when a login is given: its own cookies count. Sessions also bring {@code {prefix}/logout} and the
         * self-service page.
         *
         * @param cookies the cookies' keys and settings; null (the default) for none
         * @return this builder
         */
        public Builder sessions(@Nullable SessionCookies cookies) {
            settings.sessions = cookies;
            return this;
        }

        /**
         * Bearer JWTs from trusted issuers (workload identity), asked after the API keys, so a bearer token that is an
         * API key never reaches them.
         *
         * @param verifier the trusted issuers; null (the default) for none. None of them may accept an audience that is
         *     the client id of an {@link #oidc} provider: its ID tokens would pass as bearer credentials, and
         *     {@link #build()} refuses
         * @return this builder
         */
        public Builder bearerJwt(@Nullable BearerJwt verifier) {
            settings.bearerJwt = verifier;
            return this;
        }

        /**
         * Something {@link Portcullis#close()} closes, in the order given, such as the key service and its store. A
         * failure to close one is logged, and the rest are still closed.
         *
         * @param resource what to close; not null
         * @return this builder
         */
        public Builder closeWith(AutoCloseable resource) {
            settings.owned.add(resource);
            return this;
        }

        /**
         * The access policy that decides every protected request. Required: there is no default.
         *
         * @param policy the policy, from {@link AccessPolicy#load}, {@link AccessPolicy#fromZotJson} or
         *     {@link AccessPolicy#builder()}
         * @return this builder
         */
        public Builder policy(AccessPolicy policy) {
            settings.policy = policy;
            settings.policySource = "given in code";
            settings.watch = null; // the file's policy must not replace one given in code at its next change
            return this;
        }

        /**
         * The realm in {@code WWW-Authenticate}, zot's {@code http.realm}. Default {@code portcullis}.
         *
         * @param realm the name clients show when they ask for credentials; double quotes in it are dropped
         * @return this builder
         */
        public Builder realm(String realm) {
            settings.realm = realm;
            return this;
        }

        /**
         * What the application is, and so what each request asks for: which repository, which action. Default:
         * {@link dev.portcullis.auth.routes.OciDistributionRoutes#INSTANCE}. A path the routes leave unprotected
         * reaches the application unchecked; with the default routes, the first write outside {@code /v2/} is logged
         * as a warning, once.
         *
         * @param routes the routes, such as {@link dev.portcullis.auth.routes.MavenRoutes#under} or
         *     {@link dev.portcullis.auth.routes.PathRoutes#of}
         * @return this builder
         */
        public Builder routes(RouteResolver routes) {
            settings.routes = Objects.requireNonNull(routes, "routes");
            settings.routesChosen = true;
            return this;
        }

        /**
         * Tells create from update on tag (or artifact) writes. Required when the routes may write tags and the policy
         * grants create without update (or the reverse) anywhere: {@link #build()} refuses without it. An API key whose
         * scopes split the two (e.g. {@code team/**:read,create}) needs it too, which no build can foresee: without a
         * lookup such a key's tag writes are refused with 500. Asked only for a caller who holds one of the two rights
         * on the write's target. Default: none.
         *
         * @param existence the application's lookup, asked from many threads at once and allowed to block; null for
         *     none
         * @return this builder
         */
        public Builder existence(@Nullable ExistenceLookup existence) {
            settings.existence = existence;
            return this;
        }

        /**
         * API keys (Basic password or Bearer token), and the {@code {prefix}/apikey} endpoints. Asked first among the
         * authentication methods; they also bring the self-service page. The service is closed with the instance only
         * if it is also given to {@link #closeWith}.
         *
         * @param apiKeys the key service; null (the default) for none
         * @return this builder
         */
        public Builder apiKeys(@Nullable ApiKeyService apiKeys) {
            settings.apiKeys = apiKeys;
            return this;
        }

        /**
         * An htpasswd file of bcrypt hashes, re-read when it changes. Lines of other hashes are skipped with a
         * warning. Asked after the API keys, for Basic credentials.
         *
         * @param file the file, read first by {@link #build()}; null (the default) for none
         * @return this builder
         */
        public Builder htpasswd(@Nullable Path file) {
            settings.htpasswd = file;
            return this;
        }

        /**
         * TLS client certificates as credentials (zot's mTLS): a request without an {@code Authorization} header whose
         * connection presented a certificate of these authorities is the user it names; one they did not issue, or
         * that has expired or names nobody, gets 401. The adapter reads the certificate from the TLS layer (the servlet
         * container's {@code jakarta.servlet.request.X509Certificate}, Netty's {@code SslHandler}); configure the
         * connector to ask for one ({@code wantClientAuth}).
         *
         * @param certificates the authorities and where the user name is read from; null (the default) for none
         * @return this builder
         */
        public Builder clientCertificates(@Nullable ClientCertificates certificates) {
            settings.clientCertificates = certificates;
            return this;
        }

        /**
         * An LDAP directory for Basic credentials (zot's {@code http.auth.ldap}), asked after the API keys and the
         * htpasswd file for every user name they do not know; the user's groups are the directory's. Close it with
         * {@link #closeWith}. Needs {@code portcullis-ldap}.
         *
         * @param directory the directory; null (the default) for none
         * @return this builder
         */
        public Builder ldap(dev.portcullis.auth.ldap.@Nullable LdapDirectory directory) {
            settings.ldap = directory;
            return this;
        }

        /**
         * Where the built-in endpoints live, default {@code /auth}: {@code {prefix}/apikey}, {@code {prefix}/login},
         * {@code {prefix}/callback/NAME}, {@code {prefix}/logout}, and the self-service page at {@code {prefix}/}.
         *
         * @param prefix the prefix, starting with {@code /}, not ending with it, outside {@code /v2/}
         * @return this builder
         * @throws IllegalArgumentException for a prefix that breaks one of those rules
         */
        public Builder endpointPrefix(String prefix) {
            settings.prefix = Settings.prefix(prefix);
            return this;
        }

        /**
         * zot's {@code failDelay}: 401s for sent credentials are answered after this delay (without holding a thread).
         * Default zero: at once. It slows down a client that guesses one password after another; {@link #failureLimit}
         * caps what one address may try.
         *
         * @param delay how long a 401 for wrong credentials waits; a 401 for a request without credentials never waits
         * @return this builder
         */
        public Builder failDelay(Duration delay) {
            settings.failDelay = delay;
            return this;
        }

        /**
         * After {@code failures} failed attempts from one address within {@code window}, unverified attempts get 429.
         * Default 20 per minute. Credentials that verified before still pass, so that an attacker behind the same
         * address cannot lock other clients out.
         *
         * @param failures how many failed attempts an address may make before it is limited
         * @param window how long an address's failures are remembered, counted from its latest failure; also the
         *     {@code Retry-After} of the 429 (at least one second)
         * @return this builder
         */
        public Builder failureLimit(int failures, Duration window) {
            settings.maxFailures = failures;
            settings.failureWindow = window;
            return this;
        }

        /**
         * How long an address over its failure limit waits for each 429 (without holding a thread, like failDelay), so
         * that a flood from it is slowed to one request per connection per delay instead of costing the server as much
         * as it can send. Default 1 s; zero answers at once. Credentials that verified before are never held back.
         *
         * @param delay how long each 429 waits
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder limitedDelay(Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("the delay for limited addresses must not be negative: " + delay);
            }
            settings.limitedDelay = delay;
            return this;
        }

        /**
         * zot's {@code http.ratelimit.rate}: at most {@code perSecond} requests per second from one client to one path
         * (a token bucket holding {@code perSecond}, refilled continuously), for every request that reaches Portcullis,
         * before it is authenticated. Past it: 429 {@code TOOMANYREQUESTS} with {@code Retry-After} in seconds. The client
         * is its address, or behind {@link #trustedProxies} the forwarded one. Default: no limit.
         *
         * @param perSecond requests per second per client and path, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code perSecond} is below 1
         */
        public Builder rateLimit(int perSecond) {
            RateLimiter.Limit limit = new RateLimiter.Limit(null, perSecond);
            settings.rateLimits.removeIf(l -> l.method() == null);
            settings.rateLimits.add(0, limit);
            return this;
        }

        /**
         * zot's {@code http.ratelimit.methods}: like {@link #rateLimit(int)}, for requests of one method only, with a
         * bucket of its own, asked after the limit for every method. May be given for several methods; given again for
         * one, the later rate holds.
         *
         * @param method the HTTP method, in capitals ({@code GET}, {@code PUT})
         * @param perSecond requests of that method per second per client and path, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code perSecond} is below 1 or {@code method} is not a method's name
         */
        public Builder rateLimit(String method, int perSecond) {
            RateLimiter.Limit limit = new RateLimiter.Limit(method, perSecond);
            settings.rateLimits.removeIf(l -> method.equals(l.method()));
            settings.rateLimits.add(limit);
            return this;
        }

        /**
         * Proxies whose {@code X-Forwarded-For} is believed (exact addresses). Default: none; the socket address
         * counts. Behind them, the client's address (for the failure limit and the audit log) is the nearest
         * {@code X-Forwarded-For} hop that is not a trusted proxy.
         *
         * @param addresses the proxies' IP addresses as the adapter reports a peer's, such as {@code 10.0.0.7}; no
         *     ranges
         * @return this builder
         */
        public Builder trustedProxies(Collection<String> addresses) {
            settings.trustedProxies = List.copyOf(addresses);
            return this;
        }

        /**
         * Receives every access decision, allowed or refused, for an audit trail or metrics. Default:
         * {@link AuthEventListener#slf4j()}, the log {@code dev.portcullis.audit}, which this replaces. Called on the
         * thread that decides, which may be an event loop, and from many threads at once: it must not block. A listener
         * that throws is logged, and the decision stands.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(AuthEventListener listener) {
            settings.listener = listener;
            return this;
        }

        /**
         * Builds the instance, reading the {@link #htpasswd} file, and logs a one-line {@link Portcullis#summary()}.
         * Build once: a second instance would share, and close, what {@link #closeWith} was given.
         *
         * @return the instance; thread-safe. Close it on shutdown
         * @throws NullPointerException without a {@link #policy}
         * @throws IllegalStateException for settings that contradict each other (see {@link #oidc},
         *     {@link #bearerJwt}); when the routes may write tags ({@link RouteResolver#writesTags()}), the policy
         *     grants create without update (or the reverse) and no {@link #existence} lookup was given; or when the
         *     htpasswd file cannot be read
         */
        public Portcullis build() {
            try {
                settings.check();
                return new Portcullis(this);
            } catch (RuntimeException e) {
                // what the builder was told to own (a key store a configuration opened, say) is not left open
                for (AutoCloseable c : settings.owned) {
                    try {
                        c.close();
                    } catch (Exception closing) {
                        e.addSuppressed(closing);
                    }
                }
                throw e;
            }
        }
    }
}
