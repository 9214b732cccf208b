package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.auth.routes.RequestTarget;
import dev.portcullis.auth.routes.Route;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages a request passes, in order: {@link RequestGate} refuses malformed requests; the {@link Endpoint}s answer
 * their paths; the {@link RouteResolver} says what the request is; {@link VersionCheck} answers {@code /v2/} and passes
 * what is not policy-checked; {@link AuthenticationStage} asks the {@link Authenticator}s who sent it; the CSRF check;
 * {@link AuthorizationStage} asks the policy. {@link Refusals} answers and audits every refusal. A stage that would
 * block where blocking is not allowed answers {@link RequestContext#NEEDS_BLOCKING}, and so does the pipeline.
 */
final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    /** The largest body the pipeline reads for an endpoint. */
    static final int BODY_LIMIT = 8 * 1024;
    /** How long a registry refresh token (given to API-key callers that ask) lasts, at most: it ends with the key. */
    static final Duration REFRESH_LIFETIME = Duration.ofDays(30);

    private final RouteResolver routes;
    private final Refusals refusals;
    private final RequestGate gate;
    private final Endpoint[] endpoints; // an array: asked for every request
    private final AuthenticationStage authentication;
    private final AuthorizationStage authorization;
    private final VersionCheck versionCheck;
    private final @Nullable RateLimiter rateLimiter;
    private final String summary;
    /** The default (OCI) routes, not chosen by the application: a write they leave unprotected is said once. */
    private final boolean warnUnprotectedWrites;
    private final AtomicBoolean unprotectedWriteSeen = new AtomicBoolean();

    /** The policy new requests are decided by; {@link #reload} swaps it, requests under way keep theirs. */
    private volatile AccessPolicy policy;
    private final Settings settings;

    Pipeline(Settings b) {
        AccessPolicy policy = Objects.requireNonNull(b.policy, "a policy is required");
        this.policy = policy;
        this.settings = b;
        this.routes = b.routes;
        this.warnUnprotectedWrites = !b.routesChosen;
        ApiKeyService apiKeys = b.apiKeys;
        this.refusals = new Refusals(b.listener, b.realm, b.failDelay, apiKeys == null ? null : apiKeys.prefix());
        this.rateLimiter = b.rateLimits.isEmpty() ? null : new RateLimiter(b.rateLimits, System::nanoTime);
        this.gate = new RequestGate(refusals);
        Htpasswd htpasswd = b.htpasswd == null ? null : new Htpasswd(b.htpasswd);
        SessionCookies sessions = b.oidc != null ? b.oidc.sessions() : b.sessions;
        if (b.oidc != null && apiKeys != null) {
            b.oidc.addLoginListener(apiKeys::recordLogin); // API keys carry the groups of the owner's latest login
        }
        List<Authenticator> authenticators = new ArrayList<>();
        RegistryTokens tokens = null;
        if (b.tokenFlow()) {
            SessionKeyRing ring = b.tokenKeys != null ? b.tokenKeys : SessionKeyRing.generate();
            tokens = new RegistryTokens(ring, b.realm, b.realm, b.tokenLifetime, REFRESH_LIFETIME, Clock.systemUTC());
            authenticators.add(new RegistryTokenAuthenticator(tokens, apiKeys)); // first: bearer JWTs would claim its tokens
            String path = b.prefix + "/token";
            refusals.tokenFlow(b.externalUrl == null ? null : b.externalUrl + path, path, b.realm);
        }
        if (b.externalTokens != null) {
            // first: bearer JWTs of trusted issuers would refuse its tokens; it leaves theirs to them
            authenticators.add(new ExternalTokenAuthenticator(b.externalTokens));
            refusals.tokenFlow(b.externalTokens.realm(), "", b.externalTokens.service());
        }
        if (apiKeys != null) {
            authenticators.add(new ApiKeyAuthenticator(apiKeys, refusals));
        }
        if (htpasswd != null) {
            authenticators.add(new HtpasswdAuthenticator(htpasswd));
        }
        if (b.ldap != null) {
            authenticators.add(new LdapAuthenticator(b.ldap)); // after htpasswd, as zot asks them
        }
        if (b.clientCertificates != null) {
            authenticators.add(new ClientCertificateAuthenticator(b.clientCertificates)); // only without an Authorization header
        }
        if (b.bearerJwt != null) {
            authenticators.add(new BearerJwtAuthenticator(b.bearerJwt));
        }
        authenticators.addAll(b.authenticators);
        if (sessions != null) {
            authenticators.add(new SessionAuthenticator(sessions));
        }
        this.authentication = new AuthenticationStage(authenticators, new FailureLimiter(b.maxFailures, b.failureWindow), b.limitedDelay,
                refusals, b.bearerJwt == null ? "the bearer token is not an API key of this registry"
                        : "the bearer token is neither an API key of this registry nor a JWT", unclaimedBasic(apiKeys, htpasswd != null, !b.authenticators.isEmpty() || b.ldap != null));
        this.authorization = new AuthorizationStage(b.existence, refusals);
        this.versionCheck = new VersionCheck(authentication, refusals, tokens != null || b.externalTokens != null);
        List<Endpoint> all = new ArrayList<>();
        // the page is served when it is on and there is something to manage: API keys or sessions
        String pagePath = b.pagePath == null || (apiKeys == null && sessions == null) ? null
                : b.pagePath.isEmpty() ? b.prefix + "/" : b.pagePath;
        if (pagePath != null) {
            String registry = b.externalUrl == null ? null : java.net.URI.create(b.externalUrl).getRawAuthority();
            all.add(new SelfServicePage(pagePath, b.realm, b.prefix, apiKeys, b.oidc, sessions, htpasswd != null || b.ldap != null || b.oidc == null,
                    registry, tokens != null));
        }
        if (b.oidc != null) {
            all.add(new LoginEndpoint(b.oidc, b.prefix));
        }
        if (sessions != null) {
            all.add(new LogoutEndpoint(b.prefix, sessions, b.oidc));
        }
        if (apiKeys != null) {
            all.add(new ApiKeyEndpoints(apiKeys, b.prefix));
        }
        if (tokens != null) {
            all.add(new TokenEndpoint(tokens, apiKeys, b.prefix));
        }
        all.addAll(b.endpoints);
        this.endpoints = all.toArray(Endpoint[]::new);
        this.summary = summary(b, policy, authenticators, pagePath);
    }

    /**
     * One line for the start: the routes, the authentication methods in the order asked, the key store, the policy's
     * source and a digest of it (equal digests: equal policies), and the self-service page. Names no secret.
     */
    private static String summary(Settings b, AccessPolicy policy, List<Authenticator> authenticators, @Nullable String pagePath) {
        List<String> methods = new ArrayList<>();
        for (Authenticator a : authenticators) {
            if (a instanceof RegistryTokenAuthenticator) {
                methods.add("registry tokens from " + b.prefix + "/token (" + (b.tokenKeys == null
                        ? "signed with a key generated at the start: replicas refuse each other's" : "signed with the given key ring") + ")");
            } else if (a instanceof ExternalTokenAuthenticator && b.externalTokens != null) {
                methods.add("tokens of the token server " + b.externalTokens.realm());
            } else if (a instanceof ApiKeyAuthenticator) {
                methods.add("API keys");
            } else if (a instanceof HtpasswdAuthenticator) {
                methods.add("htpasswd " + b.htpasswd);
            } else if (a instanceof LdapAuthenticator) {
                methods.add(String.valueOf(b.ldap));
            } else if (a instanceof ClientCertificateAuthenticator) {
                methods.add("TLS client certificates");
            } else if (a instanceof BearerJwtAuthenticator && b.bearerJwt != null) {
                methods.add("bearer JWTs from " + b.bearerJwt.trusted().stream().map(t -> t.issuer()).toList());
            } else if (a instanceof SessionAuthenticator) {
                methods.add(b.oidc != null ? "OIDC login " + b.oidc.providerNames()
                        + " and its sessions" : "session cookies");
            } else {
                methods.add(a.getClass().getName());
            }
        }
        return "routes " + b.routes + (b.routesChosen ? "" : " (the default)") + "; authentication "
                + (methods.isEmpty() ? "none (anonymous callers only)" : String.join(", ", methods))
                + "; key store " + (b.apiKeys == null ? "none" : b.apiKeys.storeDescription())
                + "; policy " + b.policySource + " sha256:" + digest(policy.toZotJson())
                + "; existence lookup " + (b.existence == null ? "none" : "given")
                + "; self-service page " + (pagePath == null ? "off" : pagePath)
                + (b.rateLimits.isEmpty() ? "" : "; rate limits " + b.rateLimits);
    }

    private static String digest(String text) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The policy new requests are decided by. */
    AccessPolicy policy() {
        return policy;
    }

    /**
     * Decides the requests that start from now on by {@code next}; those under way finish by the policy they started
     * with. Refused, and the current one kept, when the next policy needs what the application did not give (an
     * existence lookup to tell a create from an update).
     */
    void reload(AccessPolicy next, String source) {
        if (settings.existence == null && settings.routes.writesTags() && Settings.createDiffersFromUpdate(next)) {
            throw new IllegalStateException("the new policy grants create without update (or update without create), which needs an"
                    + " ExistenceLookup this application did not give; the current policy stays");
        }
        policy = next;
        LOG.info("Portcullis policy reloaded from {} sha256:{}", source, digest(next.toZotJson()));
    }

    /** The decisions counted so far, for metrics. */
    DecisionCounts decisionCounts() {
        return refusals.counts();
    }

    /** Whether a write outside the default routes was warned about. */
    boolean warnedAboutUnprotectedWrite() {
        return unprotectedWriteSeen.get();
    }

    /** What {@link #summary} said: what this pipeline protects and how. */
    String summary() {
        return summary;
    }

    /** What Basic credentials that no authenticator claims were expected to be, for the audit log. */
    private static String unclaimedBasic(@Nullable ApiKeyService apiKeys, boolean htpasswd, boolean ownAuthenticators) {
        if (ownAuthenticators) {
            return "no authenticator accepted them";
        }
        String key = apiKeys == null ? null : "an API key of this registry (they start with '" + apiKeys.prefix() + "')";
        if (key != null && htpasswd) {
            return "the user is not in the htpasswd file, and the password is not " + key;
        }
        if (key != null) {
            return "the password is not " + key;
        }
        return htpasswd ? "the user is not in the htpasswd file" : "no password method is configured (API keys, htpasswd)";
    }

    /** Whether an endpoint that reads bodies answers this raw path (a path the gate refuses: no). */
    boolean readsBody(String rawPath) {
        RequestPaths.Checked checked = RequestPaths.check(rawPath);
        String path = checked.path();
        if (path == null) {
            return false;
        }
        for (Endpoint e : endpoints) {
            if (e.readsBody() && e.handles(path)) {
                return true;
            }
        }
        return false;
    }

    Connection connection() {
        return new Connection(authentication.size());
    }

    Outcome.Respond refuse(RequestContext ctx, int status, String code, String message) {
        return refusals.reject(ctx, null, status, code, message);
    }

    Outcome decide(RequestContext ctx) {
        Outcome.Respond refused = gate.check(ctx);
        if (refused != null) {
            return refused;
        }
        RateLimiter limiter = rateLimiter;
        if (limiter == null) {
            return route(ctx);
        }
        String method = ctx.request().method();
        String path = ctx.target().path();
        RateLimiter.Refusal limited = limiter.admit(ctx.clientAddress(), method, path);
        if (limited != null) {
            refusals.counts().rateLimitTrips.increment();
            return refusals.reject(ctx, null, 429, "TOOMANYREQUESTS", "over the rate limit of " + limited.limit(),
                    java.util.Map.of("Retry-After", Long.toString(limited.retryAfterSeconds())), Duration.ZERO);
        }
        Outcome outcome = route(ctx);
        if (outcome == RequestContext.NEEDS_BLOCKING) {
            limiter.refund(ctx.clientAddress(), method, path); // the same request is asked again where it may block
        }
        return outcome;
    }

    /** The request's endpoint, or its route's decision. */
    private Outcome route(RequestContext ctx) {
        RequestTarget target = ctx.target();
        Outcome.Respond refused;
        for (Endpoint e : endpoints) {
            if (e.handles(target.path())) {
                return answer(ctx, e);
            }
        }
        Route route;
        try {
            route = routes.resolve(target);
        } catch (RuntimeException e) {
            LOG.error("route resolver failed on {} {}", ctx.request().method(), target.path(), e);
            return refusals.reject(ctx, null, 500, "UNKNOWN", "the route resolver failed");
        }
        if (route instanceof Route.Rejected r) {
            return refusals.reject(ctx, null, r.status(), r.code(), r.reason());
        }
        ctx.challengeScope = challengeScope(ctx.request().method(), route);
        if (route instanceof Route.Unprotected) {
            if (warnUnprotectedWrites && !safeMethod(ctx.request().method()) && !target.path().startsWith("/v2/")
                    && !unprotectedWriteSeen.get() && unprotectedWriteSeen.compareAndSet(false, true)) {
                LOG.warn("{} {} reached the application unchecked: only the OCI registry API (/v2/) is protected, because no"
                        + " routes were chosen; if this application is not an OCI registry, give Portcullis its routes"
                        + " (Builder.routes(MavenRoutes.under(\"/maven\")) or PathRoutes.of(...); in web.xml the init-param"
                        + " 'routes'). Said once.", ctx.request().method(), target.path());
            }
            return versionCheck.decide(ctx, route);
        }
        refused = authentication.authenticate(ctx);
        if (refused != null) {
            return refused;
        }
        if (ctx.identity != null && !safeMethod(ctx.request().method()) && CsrfCheck.refuses(ctx.request(), ctx.identity)) {
            // the browser sends the cookie (or Basic credentials it was given) with any request, also another site's
            return refusals.reject(ctx, null, 403, "DENIED", CsrfCheck.REFUSAL);
        }
        return authorization.authorize(ctx, route);
    }

    private Outcome answer(RequestContext ctx, Endpoint endpoint) {
        if (!ctx.mayBlock) {
            return RequestContext.NEEDS_BLOCKING; // endpoints consult stores and providers
        }
        if (endpoint.authenticates()) {
            Outcome.Respond refused = authentication.authenticate(ctx);
            if (refused != null) {
                return refused;
            }
        }
        ctx.askedBy(-1); // the connection's memory is the authenticators', not the endpoint's
        Endpoint.Call call = new Endpoint.Call(ctx, refusals, BODY_LIMIT, authentication);
        Outcome.Respond r = endpoint.handle(call);
        if (!call.audited()) {
            refusals.emit(ctx, null, null, r.status() < 400 ? 0 : r.status(), null, call.auditReason() != null ? call.auditReason()
                    : name(endpoint) + " " + ctx.request().method());
        }
        return r;
    }

    /**
     * The scope a Bearer challenge names for a request on this route, as the distribution registry names it: pull for a
     * read, pull and push for a write, delete for a delete; the catalog's for the catalog; null for the rest.
     */
    static @Nullable String challengeScope(String method, Route route) {
        if (route instanceof Route.Catalog) {
            return "registry:catalog:*";
        }
        if (!(route instanceof Route.Protected p) || p.checks().isEmpty()) {
            return null;
        }
        String repository = p.checks().get(0).repository();
        String actions = safeMethod(method) ? "pull" : method.equals("DELETE") ? "delete" : "pull,push";
        return "repository:" + repository + ":" + actions;
    }

    /** An endpoint's name for the audit log: its class's simple name (its full name for an anonymous class). */
    private static String name(Endpoint endpoint) {
        String simple = endpoint.getClass().getSimpleName();
        return simple.isEmpty() ? endpoint.getClass().getName() : simple;
    }

    private static boolean safeMethod(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }
}
