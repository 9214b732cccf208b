package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.auth.session.SessionCookies;
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
 * Portcullis portcullis = Portcullis.builder()
 *     .policy(AccessPolicy.load(Path.of("registry.policy")))
 *     .apiKeys(ApiKeyService.builder(JdbcApiKeyStore.open("data/keys.db")).build())
 *     .existence((repo, tag) -> storage.tagExists(repo, tag))
 *     .build();
 * Outcome outcome = portcullis.handle(view);
 * }</pre>
 *
 * A request passes through stages: {@link RequestGate} refuses malformed requests; the built-in {@link Endpoint}s
 * (API keys, login, logout, the self-service page) answer their paths; the {@link RouteResolver} says what the request
 * is; a route that is not policy-checked goes to {@link VersionCheck}, which answers {@code /v2/}; for the others
 * {@link AuthenticationStage} asks the {@link Authenticator}s who sent it and {@link AuthorizationStage} asks the policy.
 * {@link Refusals} answers and audits the stages' refusals. Thread-safe.
 */
public final class Portcullis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Portcullis.class);

    private final AccessPolicy policy;
    private final ClientAddresses clientAddresses;
    private final Pipeline pipeline;
    private final List<AutoCloseable> owned;

    private Portcullis(Builder b) {
        this.policy = Objects.requireNonNull(b.settings.policy, "a policy is required");
        this.clientAddresses = new ClientAddresses(b.settings.trustedProxies);
        this.pipeline = new Pipeline(b.settings);
        this.owned = List.copyOf(b.settings.owned);
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

    public static Builder builder() {
        return new Builder();
    }

    public AccessPolicy policy() {
        return policy;
    }

    /** The largest body read for a built-in endpoint ({@link #readsBody}): an adapter that collects bodies collects this much + 1. */
    public int bodyLimit() {
        return Pipeline.BODY_LIMIT;
    }

    /**
     * The repositories of a catalog the caller may see ({@code identity} null for anonymous): the
     * policy's catalog rule, narrowed by an API key's scopes.
     */
    public List<String> filterCatalog(@Nullable Identity identity, Collection<String> repositories) {
        return AuthorizationStage.filterCatalog(policy, identity, repositories);
    }

    /**
     * Whether the request at this (raw) path is answered by an endpoint that reads the request body: an adapter that
     * streams bodies collects at most {@link #bodyLimit()} + 1 bytes of such a request before calling {@link #handle}.
     */
    public boolean readsBody(String rawPath) {
        return pipeline.readsBody(rawPath);
    }

    /** Decides one request; may block (Argon2, bcrypt, the key store, the application's lookup). Never throws for anything the client sent. */
    public Outcome handle(HttpRequestView request) {
        return handle(request, null);
    }

    /** {@link #handle(HttpRequestView)} for a request on a client connection ({@link #connection()}; null: none). */
    public Outcome handle(HttpRequestView request, @Nullable Connection connection) {
        return pipeline.decide(new RequestContext(request, clientAddresses.of(request), connection, true));
    }

    /**
     * Refuses a request that an adapter cannot hand to {@link #handle} faithfully (what its container reports of it is
     * ambiguous, or it could not be decided at all): the pipeline's error body and audit event. Never blocks.
     */
    public Outcome.Respond refuse(HttpRequestView request, int status, String code, String message) {
        return pipeline.refuse(new RequestContext(request, clientAddresses.of(request), null, false), status, code, message);
    }

    /**
     * An error in the pipeline's shape (the OCI error body under {@code /v2/}, a small JSON object elsewhere or when
     * {@code path} is null), for an adapter that must answer a request it could not hand to the pipeline at all (its
     * head did not parse, say); not audited: nobody could read what it asked for.
     */
    public Outcome.Respond error(@Nullable String path, int status, String code, String message) {
        return Responses.error(path, status, code, message, null, Map.of(), Duration.ZERO);
    }

    /**
     * Decides the request only if that needs no blocking work — anonymous and policy-only decisions, credentials already
     * verified and cached — else empty, and the caller runs {@link #handle} where blocking is allowed. For event-loop
     * servers (Netty). A request to an endpoint is never decided here, apart from an early refusal of a malformed
     * request, so an adapter asks {@link #readsBody} only after an empty answer.
     */
    public Optional<Outcome> handleWithoutBlocking(HttpRequestView request) {
        return handleWithoutBlocking(request, null);
    }

    /**
     * {@link #handleWithoutBlocking(HttpRequestView)} for a request on a client connection ({@link #connection()}; null:
     * none), which spares a keep-alive client that sends the same credentials again most of their checking.
     */
    public Optional<Outcome> handleWithoutBlocking(HttpRequestView request, @Nullable Connection connection) {
        Outcome outcome = pipeline.decide(new RequestContext(request, clientAddresses.of(request), connection, false));
        return outcome == RequestContext.NEEDS_BLOCKING ? Optional.empty() : Optional.of(outcome);
    }

    /** A new {@link Connection}, for one client connection's requests. */
    public Connection connection() {
        return pipeline.connection();
    }

    /** Settings for {@link Portcullis}. */
    public static final class Builder {
        final Settings settings = new Settings();

        private Builder() {
        }

        /**
         * An authenticator of your own (LDAP, client certificates, a token service), asked after the API keys, htpasswd
         * and bearer JWTs and before the session cookie, in the order added.
         */
        public Builder authenticator(Authenticator authenticator) {
            settings.authenticators.add(Objects.requireNonNull(authenticator, "authenticator"));
            return this;
        }

        /** An endpoint of your own, asked after the built-in ones, in the order added. */
        public Builder endpoint(Endpoint endpoint) {
            settings.endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /**
         * Moves the self-service page (log in, see your rights, mint and revoke your API keys) from its default,
         * {@code {prefix}/}, to {@code path}, e.g. {@code /account/}. The page is served when API keys or sessions
         * are configured.
         */
        public Builder selfServicePage(String path) {
            settings.pagePath = Settings.pagePath(path);
            return this;
        }

        /** Turns the self-service page off: the application answers its path. */
        public Builder withoutSelfServicePage() {
            settings.pagePath = null;
            return this;
        }

        /**
         * OIDC browser login ({@code {prefix}/login}, {@code {prefix}/callback/NAME}, {@code {prefix}/logout})
         * and its session cookies, which then authenticate requests without an {@code Authorization} header.
         * Its endpoint prefix must be this builder's.
         */
        public Builder oidc(@Nullable OidcLogin login) {
            settings.oidc = login;
            return this;
        }

        /** Session cookies without a login here (e.g. sessions issued by another replica); implied by {@link #oidc}. */
        public Builder sessions(@Nullable SessionCookies cookies) {
            settings.sessions = cookies;
            return this;
        }

        /** Bearer JWTs from trusted issuers (workload identity). */
        public Builder bearerJwt(@Nullable BearerJwt verifier) {
            settings.bearerJwt = verifier;
            return this;
        }

        /** Something {@link Portcullis#close()} closes, in the order given. */
        public Builder closeWith(AutoCloseable resource) {
            settings.owned.add(resource);
            return this;
        }

        public Builder policy(AccessPolicy policy) {
            settings.policy = policy;
            settings.policySource = "given in code";
            return this;
        }

        /** The realm in {@code WWW-Authenticate}, zot's {@code http.realm}. */
        public Builder realm(String realm) {
            settings.realm = realm;
            return this;
        }

        /** Default: {@link dev.portcullis.auth.routes.OciDistributionRoutes#INSTANCE}. */
        public Builder routes(RouteResolver routes) {
            settings.routes = Objects.requireNonNull(routes, "routes");
            settings.routesChosen = true;
            return this;
        }

        /**
         * Tells create from update on tag (or artifact) writes. Required when the routes may write tags and the policy
         * grants create without update (or the reverse) anywhere: {@link #build()} refuses without it.
         */
        public Builder existence(@Nullable ExistenceLookup existence) {
            settings.existence = existence;
            return this;
        }

        /** API keys (Basic password or Bearer token), and the {@code {prefix}/apikey} endpoints. */
        public Builder apiKeys(@Nullable ApiKeyService apiKeys) {
            settings.apiKeys = apiKeys;
            return this;
        }

        /** An htpasswd file of bcrypt hashes, re-read when it changes. */
        public Builder htpasswd(@Nullable Path file) {
            settings.htpasswd = file;
            return this;
        }

        /** Where the built-in endpoints live, default {@code /auth}. */
        public Builder endpointPrefix(String prefix) {
            settings.prefix = Settings.prefix(prefix);
            return this;
        }

        /** zot's {@code failDelay}: 401s for sent credentials are answered after this delay (without holding a thread). */
        public Builder failDelay(Duration delay) {
            settings.failDelay = delay;
            return this;
        }

        /** After {@code failures} failed attempts from one address within {@code window}, unverified attempts get 429. Default 20 per minute. */
        public Builder failureLimit(int failures, Duration window) {
            settings.maxFailures = failures;
            settings.failureWindow = window;
            return this;
        }

        /**
         * How long an address over its failure limit waits for each 429 (without holding a thread, like failDelay), so that a
         * flood from it is slowed to one request per connection per delay instead of costing the server as much as it can send.
         * Default 1 s; zero answers at once. Credentials that verified before are never held back.
         */
        public Builder limitedDelay(Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("the delay for limited addresses must not be negative: " + delay);
            }
            settings.limitedDelay = delay;
            return this;
        }

        /** Proxies whose {@code X-Forwarded-For} is believed (exact addresses). Default: none; the socket address counts. */
        public Builder trustedProxies(Collection<String> addresses) {
            settings.trustedProxies = List.copyOf(addresses);
            return this;
        }

        public Builder listener(AuthEventListener listener) {
            settings.listener = listener;
            return this;
        }

        /** @throws IllegalStateException for settings that contradict each other (see {@link #oidc}, {@link #bearerJwt}) */
        public Portcullis build() {
            settings.check();
            return new Portcullis(this);
        }
    }
}
