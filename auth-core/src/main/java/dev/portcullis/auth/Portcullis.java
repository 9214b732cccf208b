package dev.portcullis.auth;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.KeyVerification;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.session.Session;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.auth.routes.RequestTarget;
import dev.portcullis.auth.routes.Route;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Grant;
import dev.portcullis.policy.Subject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framework-neutral request pipeline: built-in endpoints, route resolution, authentication,
 * authorization, and the response when the request may not proceed. Adapters (the servlet filter,
 * the Netty handler) translate their request into a {@link HttpRequestView}, call
 * {@link #handle}, and either pass the request on or write the {@link Outcome.Respond}.
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
 * Blocking: may run Argon2/bcrypt and query the key store; thread-safe.
 */
public final class Portcullis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Portcullis.class);
    /** The audit reason of each grant, made once rather than per allowed request. */
    private static final Map<Grant, String> GRANTED_BY = new EnumMap<>(Grant.class);

    static {
        for (Grant g : Grant.values()) {
            GRANTED_BY.put(g, "granted by " + g);
        }
    }
    static final int MAX_BODY = 8 * 1024;

    private final AccessPolicy policy;
    private final String realm;
    private final RouteResolver routes;
    private final ExistenceLookup existence;
    private final ApiKeyService apiKeys;
    private final Htpasswd htpasswd;
    private final String prefix;
    /** {@code {prefix}/apikey}, where the key endpoints start. */
    private final String apiKeyPath;
    private final Duration failDelay;
    private final FailureLimiter limiter;
    private final Duration limitedDelay;
    private final ClientAddresses clientAddresses;
    private final AuthEventListener listener;
    private final ApiKeyEndpoints keyEndpoints;
    private final OidcLogin oidc;
    private final SessionCookies sessions;
    private final BearerJwt bearerJwt;
    private final SelfServicePage page;
    /** Opened sessions by sealed cookie value, so that a browser's requests decrypt its cookie once per few minutes. */
    private final com.github.benmanes.caffeine.cache.Cache<String, OpenedSession> openedSessions;
    private final String challenge;
    private final List<AutoCloseable> owned;

    private Portcullis(Builder b) {
        this.policy = Objects.requireNonNull(b.policy, "a policy is required");
        this.realm = b.realm;
        this.routes = b.routes;
        this.existence = b.existence;
        this.apiKeys = b.apiKeys;
        this.htpasswd = b.htpasswd == null ? null : new Htpasswd(b.htpasswd);
        this.prefix = b.prefix;
        this.apiKeyPath = prefix + "/apikey";
        this.failDelay = b.failDelay;
        this.limiter = new FailureLimiter(b.maxFailures, b.failureWindow);
        this.limitedDelay = b.limitedDelay;
        this.clientAddresses = new ClientAddresses(b.trustedProxies);
        this.listener = b.listener;
        this.keyEndpoints = apiKeys == null ? null : new ApiKeyEndpoints(apiKeys, policy);
        this.oidc = b.oidc;
        if (oidc != null && apiKeys != null) {
            oidc.addLoginListener(apiKeys::recordLogin); // API keys carry the groups of the owner's latest login
        }
        this.sessions = b.oidc != null ? b.oidc.sessions() : b.sessions;
        this.bearerJwt = b.bearerJwt;
        this.page = b.pagePath == null || (apiKeys == null && sessions == null) ? null
                : new SelfServicePage(b.pagePath.isEmpty() ? prefix + "/" : b.pagePath, realm, prefix, policy, apiKeys, oidc, sessions,
                        htpasswd != null || oidc == null);
        this.openedSessions = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .maximumWeight(32L * 1024 * 1024).<String, OpenedSession>weigher((k, v) -> k.length())
                .expireAfterWrite(Duration.ofMinutes(5)).build();
        this.challenge = "Basic realm=\"" + realm.replace("\"", "") + "\"";
        this.owned = List.copyOf(b.owned);
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

    /**
     * The repositories of a catalog the caller may see ({@code identity} null for anonymous): the
     * policy's catalog rule, narrowed by an API key's scopes.
     */
    public List<String> filterCatalog(Identity identity, Collection<String> repositories) {
        List<String> visible = policy.filterCatalog(identity == null ? Subject.anonymous() : identity.subject(), repositories);
        if (identity == null || identity.scopes().isEmpty()) {
            return visible;
        }
        return visible.stream().filter(r -> Scope.permitAll(identity.scopes(), r, Action.READ)).toList();
    }

    /**
     * Whether the request at this (raw) path is answered by a built-in endpoint that reads the request body: an
     * adapter that streams bodies collects at most 8 KiB of such a request before calling {@link #handle}.
     */
    public boolean readsBody(String rawPath) {
        if (rawPath.indexOf('%') < 0 && !readsBodyAt(rawPath)) {
            return false; // the usual case: nothing to decode, so the path is not one of those endpoints
        }
        RequestPaths.Checked checked = RequestPaths.check(rawPath);
        return checked.ok() && readsBodyAt(checked.path());
    }

    private boolean readsBodyAt(String path) {
        return page != null && page.handles(path) || keyEndpoints != null && path.startsWith(apiKeyPath)
                && (path.length() == apiKeyPath.length() || path.charAt(apiKeyPath.length()) == '/');
    }

    /** Decides one request; may block (Argon2, bcrypt, the key store, the application's lookup). Never throws for anything the client sent. */
    public Outcome handle(HttpRequestView request) {
        return handle(new RequestContext(request, clientAddresses.of(request), true));
    }

    /**
     * Refuses a request that an adapter cannot hand to {@link #handle} faithfully (what its container reports of it is
     * ambiguous): the same error body and audit event as the pipeline's own refusals. Never blocks.
     */
    public Outcome refuse(HttpRequestView request, int status, String code, String message) {
        return reject(new RequestContext(request, clientAddresses.of(request), false), null, status, code, message);
    }

    /**
     * Decides the request only if that needs no blocking work — anonymous and policy-only
     * decisions, credentials already verified and cached — else empty, and the caller runs
     * {@link #handle} where blocking is allowed. For event-loop servers (Netty). A request to a
     * built-in endpoint that reads the body ({@link #readsBody}) is never decided here, apart from
     * an early refusal of a malformed request, so an adapter asks {@link #readsBody} only after an
     * empty answer.
     */
    public Optional<Outcome> handleWithoutBlocking(HttpRequestView request) {
        return handleWithoutBlocking(request, null);
    }

    /**
     * {@link #handleWithoutBlocking(HttpRequestView)} for a request on a client connection with its
     * {@link ConnectionMemory} (null: none), which spares a keep-alive client that sends the same API key again most of
     * its checking.
     */
    public Optional<Outcome> handleWithoutBlocking(HttpRequestView request, ConnectionMemory memory) {
        RequestContext ctx = new RequestContext(request, clientAddresses.of(request), false);
        ctx.memory = memory;
        try {
            return Optional.of(handle(ctx));
        } catch (WouldBlock e) {
            return Optional.empty();
        }
    }

    /** A new {@link ConnectionMemory}, for one client connection. */
    public ConnectionMemory connectionMemory() {
        return new ConnectionMemory(apiKeys == null ? null : apiKeys.presentationMemory());
    }

    /**
     * What the pipeline remembers of one client connection between its requests, for
     * {@link #handleWithoutBlocking(HttpRequestView, ConnectionMemory)}: the last {@code Authorization} value that carried
     * a cached API key (as a Basic password or a Bearer token), as a keyed tag and the key's verified-cache entry (never
     * the value itself), and the identity it gave. The same value again is answered from it while that entry holds (the
     * key is not revoked or expired, the cache's TTL has not passed, the owner's groups have not changed): the same
     * identity, without decoding the value or hashing it with SHA-256. For one connection's requests, decided one at a
     * time.
     */
    public static final class ConnectionMemory {
        private final ApiKeyService.PresentationMemory presentation;
        private volatile RememberedIdentity identity;

        private ConnectionMemory(ApiKeyService.PresentationMemory presentation) {
            this.presentation = presentation;
        }
    }

    /** The identity a key's verification gave, and the policy's view of it. */
    private record RememberedIdentity(KeyVerification.Valid of, Authentication authentication, Subject subject) {
    }

    /** Thrown inside a non-blocking attempt when the next step would block; carries no stack trace. */
    private static final class WouldBlock extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final WouldBlock INSTANCE = new WouldBlock();

        private WouldBlock() {
            super(null, null, false, false);
        }
    }

    private static void mayBlock(RequestContext ctx) {
        if (!ctx.mayBlock) {
            throw WouldBlock.INSTANCE;
        }
    }

    private Outcome handle(RequestContext ctx) {
        HttpRequestView request = ctx.request;
        if (request.headers("Host").size() > 1) {
            // RFC 9112 section 3.2: a server must answer 400; Jetty and Tomcat do, Netty's codec passes both on, and the
            // application behind and Portcullis could each believe a different one
            return reject(ctx, null, 400, "UNSUPPORTED", "more than one Host header");
        }
        RequestPaths.Checked checked = RequestPaths.check(request.rawPath());
        if (!checked.ok()) {
            return reject(ctx, null, 400, "NAME_INVALID", "ambiguous path: " + checked.problem());
        }
        ctx.path = checked.path();
        String rawQuery = request.rawQuery();
        if (rawQuery != null && rawQuery.indexOf('#') >= 0) {
            return reject(ctx, null, 400, "UNSUPPORTED", RequestPaths.FRAGMENT);
        }
        Optional<Map<String, List<String>>> query = RequestPaths.query(rawQuery);
        if (query.isEmpty()) {
            return reject(ctx, null, 400, "UNSUPPORTED", "invalid percent-encoding in the query");
        }
        RequestTarget target = new RequestTarget(request.method(), ctx.path, query.get());
        if (page != null && page.handles(ctx.path)) {
            return selfServicePage(ctx, query.get());
        }
        if (ctx.path.startsWith(prefix)) { // built-in endpoints; registry paths fail this one test
            String endpoint = ctx.path.substring(prefix.length());
            if (oidc != null && oidc.handles(ctx.path)) {
                mayBlock(ctx); // the provider is asked
                Outcome.Respond r = oidc.handle(request, ctx.path, query.get());
                emit(ctx, null, null, r.status() < 400 ? 0 : r.status(), null, "OIDC " + endpoint);
                return r;
            }
            if (sessions != null && endpoint.equals("/logout")) {
                return logout(ctx);
            }
            if (keyEndpoints != null && (endpoint.equals("/apikey") || endpoint.startsWith("/apikey/"))) {
                return endpoint(ctx, target);
            }
        }
        Route route;
        try {
            route = routes.resolve(target);
        } catch (RuntimeException e) {
            LOG.error("route resolver failed on {} {}", request.method(), ctx.path, e);
            return reject(ctx, null, 500, "UNKNOWN", "the route resolver failed");
        }
        if (route instanceof Route.Rejected r) {
            return reject(ctx, null, r.status(), r.code(), r.reason());
        }
        if (route instanceof Route.Unprotected) {
            return versionCheckOrPass(ctx, route);
        }
        Authentication auth = authenticate(ctx);
        if (auth.response != null) {
            return auth.response;
        }
        ctx.identity = auth.identity;
        if (ctx.identity != null && !safeMethod(request.method()) && CsrfCheck.refuses(request, ctx.identity)) {
            // the browser sends the cookie (or Basic credentials it was given) with any request, also another site's
            return reject(ctx, null, 403, "DENIED", "cross-site request refused: send the X-Portcullis-Csrf header or a same-origin Origin");
        }
        if (route instanceof Route.Metrics) {
            Decision d = policy.decideMetrics(subject(ctx));
            if (d.allowed() && ctx.identity != null && !ctx.identity.scopes().isEmpty()) {
                // scopes name repositories; a key restricted to some of them is not a metrics credential
                return deny(ctx, null, Action.READ, d);
            }
            return d.allowed() ? proceed(ctx, route, Set.of(), null, null, d) : deny(ctx, null, Action.READ, d);
        }
        if (route instanceof Route.Catalog) {
            return proceed(ctx, route, Set.of(), null, null, null);
        }
        return authorize(ctx, (Route.Protected) route);
    }

    // ------------------------------------------------------------------ authentication

    private static final class RequestContext {
        final HttpRequestView request;
        final String client;
        final boolean mayBlock;
        String path;
        Identity identity;
        Subject subject;
        ConnectionMemory memory;

        RequestContext(HttpRequestView request, String client, boolean mayBlock) {
            this.request = request;
            this.client = client;
            this.mayBlock = mayBlock;
        }
    }

    private static boolean safeMethod(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    /** Either an identity (null: anonymous) or a response. */
    private record Authentication(Identity identity, Outcome response) {
    }

    private static final Authentication ANONYMOUS = new Authentication(null, null);

    private Authentication authenticate(RequestContext ctx) {
        List<String> authorization = ctx.request.headers("Authorization");
        Authentication remembered = rememberedApiKey(ctx, authorization);
        if (remembered != null) {
            return remembered;
        }
        Credentials credentials = Credentials.from(authorization);
        if (credentials instanceof Credentials.None) {
            Identity session = sessionIdentity(ctx);
            return session == null ? ANONYMOUS : new Authentication(session, null);
        }
        if (credentials instanceof Credentials.Malformed m) {
            limiter.recordFailure(ctx.client);
            return new Authentication(null, unauthorized(ctx, m.why(), true));
        }
        String keyToken = apiKeyToken(credentials);
        Optional<KeyVerification> cachedKey = keyToken != null ? apiKeys.verifyCached(keyToken) : Optional.empty();
        Optional<BearerJwt.Result.Valid> cachedJwt = keyToken == null && credentials instanceof Credentials.Bearer t && bearerJwt != null
                ? bearerJwt.verifyCached(t.token()) : Optional.empty();
        boolean cached = cachedKey.isPresent() || cachedJwt.isPresent() || keyToken == null && verifiedRecently(credentials);
        // a key that verified lately, or whose secret fits its key's fingerprint, is not held back by an attacker's failures
        // from the same address: it is verified below
        boolean exempt = cached || keyToken != null && (apiKeys.verifiedBefore(keyToken) || apiKeys.fitsFingerprint(keyToken));
        if (!cached) {
            mayBlock(ctx);
        }
        if (!exempt && limiter.limited(ctx.client)) {
            // answered after limitedDelay: a client flooding from this address waits instead of spinning
            return new Authentication(null, reject(ctx, null, 429, "TOOMANYREQUESTS",
                    "too many failed authentication attempts from this address",
                    Map.of("Retry-After", Long.toString(limiter.retryAfterSeconds())), limitedDelay));
        }
        if (keyToken != null) {
            String basicUser = credentials instanceof Credentials.Basic basic ? basic.user() : null;
            Authentication auth = apiKey(ctx, cachedKey.orElseGet(() -> apiKeys.verify(keyToken)), basicUser);
            if (auth.identity != null) {
                apiKeys.rememberPresentation(authorization.get(0), keyToken);
            }
            return auth;
        }
        if (credentials instanceof Credentials.Basic basic) {
            if (htpasswd != null) {
                mayBlock(ctx); // htpasswd checks the file for changes
                try {
                    if (htpasswd.hasUser(basic.user())) {
                        if (htpasswd.verify(basic.user(), basic.password())) {
                            return new Authentication(new Identity(basic.user(), List.of(), Identity.AuthMethod.HTPASSWD, null, List.of()), null);
                        }
                        return failed(ctx, "wrong password for htpasswd user '" + basic.user() + "'");
                    }
                } catch (IllegalStateException e) {
                    LOG.error("htpasswd unavailable: {}", e.getMessage());
                    return new Authentication(null, reject(ctx, null, 503, "UNAVAILABLE", "authentication is unavailable"));
                }
            }
            return failed(ctx, "unknown user " + userForLog(basic.user()));
        }
        Credentials.Bearer bearer = (Credentials.Bearer) credentials;
        if (bearerJwt != null && BearerJwt.looksLikeJwt(bearer.token())) {
            BearerJwt.Result r = cachedJwt.isPresent() ? cachedJwt.get() : bearerJwt.verify(bearer.token());
            if (r instanceof BearerJwt.Result.Valid v) {
                return new Authentication(new Identity(v.user(), v.groups(), Identity.AuthMethod.BEARER, null, List.of()), null);
            }
            if (r instanceof BearerJwt.Result.Unavailable u) {
                return new Authentication(null, reject(ctx, null, 503, "UNAVAILABLE", "authentication is unavailable: " + u.reason()));
            }
            return failed(ctx, ((BearerJwt.Result.Invalid) r).reason());
        }
        return failed(ctx, bearerJwt == null ? "the bearer token is not an API key of this registry"
                : "the bearer token is neither an API key of this registry nor a JWT");
    }

    /**
     * The browser session, if the request carries a valid one; an expired or foreign session cookie
     * counts as no credentials (anonymous), since browsers send cookies with every request.
     */
    private Identity sessionIdentity(RequestContext ctx) {
        if (sessions == null) {
            return null;
        }
        List<String> cookies = ctx.request.headers("Cookie");
        if (cookies.isEmpty()) {
            return null;
        }
        Optional<String> sealed = sessions.sealedSession(cookies);
        if (sealed.isEmpty()) {
            return null;
        }
        java.time.Instant now = sessions.clock().instant();
        OpenedSession opened = openedSessions.getIfPresent(sealed.get());
        if (opened == null || !opened.until().isAfter(now)) {
            Optional<Session> session = sessions.open(sealed.get());
            if (session.isEmpty()) {
                LOG.debug("an expired or unreadable session cookie from {} is ignored", ctx.client);
                return null;
            }
            Identity identity = new Identity(session.get().user(), session.get().groups(), Identity.AuthMethod.SESSION, null, List.of());
            opened = new OpenedSession(identity, identity.subject(), sessions.endOf(session.get()));
            openedSessions.put(sealed.get(), opened);
        }
        ctx.subject = opened.subject();
        return opened.identity();
    }

    /** A session cookie already opened: who it names, the policy's view of them, and until when it holds. */
    private record OpenedSession(Identity identity, Subject subject, java.time.Instant until) {
    }

    /**
     * The answer for a Basic header (or a Bearer one with an API key) that carried a valid API key before, while the key's
     * verification is cached, without decoding the header again: a Basic user was checked against the key's owner then,
     * and neither changes for the same header. Null: decide the header in full.
     */
    private Authentication rememberedApiKey(RequestContext ctx, List<String> authorization) {
        if (apiKeys == null || authorization.size() != 1
                || !(Credentials.isBasic(authorization.get(0)) || Credentials.isBearerStarting(authorization.get(0), apiKeys.prefix()))) {
            return null;
        }
        ConnectionMemory memory = ctx.memory;
        Optional<KeyVerification> cached = memory == null ? apiKeys.verifyCachedPresentation(authorization.get(0))
                : apiKeys.verifyCachedPresentation(authorization.get(0), memory.presentation);
        if (cached.isEmpty()) {
            return null;
        }
        RememberedIdentity last = memory == null ? null : memory.identity;
        if (last != null && last.of() == cached.get()) { // the same verification: the same identity
            ctx.subject = last.subject();
            return last.authentication();
        }
        Authentication auth = apiKey(ctx, cached.get(), null);
        if (memory != null && cached.get() instanceof KeyVerification.Valid valid) {
            memory.identity = new RememberedIdentity(valid, auth, auth.identity().subject());
        }
        return auth;
    }

    /** The API key in the credentials (Basic password or Bearer token with the keys' prefix), or null; null without API keys. */
    private String apiKeyToken(Credentials credentials) {
        if (apiKeys == null) {
            return null;
        }
        String token = credentials instanceof Credentials.Basic b ? b.password()
                : credentials instanceof Credentials.Bearer t ? t.token() : null;
        return token != null && token.startsWith(apiKeys.prefix()) ? token : null;
    }

    /** Whether htpasswd credentials (not an API key) were verified lately: then the limiter lets them through. */
    private boolean verifiedRecently(Credentials credentials) {
        return credentials instanceof Credentials.Basic b && htpasswd != null && htpasswd.verifiedRecently(b.user(), b.password());
    }

    private Authentication apiKey(RequestContext ctx, KeyVerification v, String basicUser) {
        if (v instanceof KeyVerification.Valid valid) {
            if (basicUser != null && !basicUser.equals(valid.key().owner())) {
                return failed(ctx, "API key " + valid.key().id() + " belongs to another user than " + userForLog(basicUser));
            }
            return new Authentication(new Identity(valid.key().owner(), valid.groups(), Identity.AuthMethod.API_KEY, valid.key().id(),
                    valid.key().scopes()), null);
        }
        if (v instanceof KeyVerification.Unavailable u) {
            return new Authentication(null, reject(ctx, null, 503, "UNAVAILABLE", "authentication is unavailable: " + u.reason()));
        }
        return failed(ctx, "API key rejected: " + ((KeyVerification.Rejected) v).reason().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * A Basic user name for the audit log, quoted, unless it looks like a credential typed into the wrong field (an API
     * key, a JWT, or anything too long for a name): then only what it looks like.
     */
    private String userForLog(String user) {
        if (apiKeys != null && user.startsWith(apiKeys.prefix())) {
            return "(an API key as user name, not shown)";
        }
        if (user.startsWith("eyJ") || user.length() > 64) {
            return "(" + user.length() + " characters, not shown: it may be a credential)";
        }
        return "'" + user + "'";
    }

    private Authentication failed(RequestContext ctx, String why) {
        limiter.recordFailure(ctx.client);
        return new Authentication(null, unauthorized(ctx, why, true));
    }

    // ------------------------------------------------------------------ authorization

    private Outcome authorize(RequestContext ctx, Route.Protected route) {
        Subject subject = subject(ctx);
        Set<String> deniedMounts = Set.of(); // a set of its own only when a mount is denied
        Decision last = null;
        Route.Check lastCheck = null;
        Action lastAction = null;
        List<WriteCondition> conditions = List.of(); // a list of its own only for a write allowed under a condition
        for (Route.Check check : route.checks()) {
            Action action;
            if (check instanceof Route.Requires r) {
                action = r.action();
            } else if (check instanceof Route.MountsFrom m) {
                if (!allowed(ctx, policy.decide(subject, m.repository(), Action.READ), m.repository(), Action.READ)) {
                    if (deniedMounts.isEmpty()) {
                        deniedMounts = new HashSet<>();
                    }
                    deniedMounts.add(m.repository());
                }
                continue;
            } else {
                Route.Writes w = (Route.Writes) check;
                Decision create = policy.decide(subject, w.repository(), Action.CREATE);
                Decision update = policy.decide(subject, w.repository(), Action.UPDATE);
                boolean mayCreate = allowed(ctx, create, w.repository(), Action.CREATE);
                boolean mayUpdate = allowed(ctx, update, w.repository(), Action.UPDATE);
                if (mayCreate == mayUpdate) {
                    // whether the tag exists cannot change the answer: no lookup needed
                    if (!mayCreate) {
                        return deny(ctx, w.repository(), Action.CREATE, create);
                    }
                    last = create;
                    lastCheck = check;
                    lastAction = Action.CREATE;
                    continue;
                }
                mayBlock(ctx); // the application's lookup may block
                if (existence == null) {
                    LOG.error("no ExistenceLookup configured: cannot tell create from update for {} {}", w.repository(), w.tag());
                    return reject(ctx, w.repository(), 500, "UNKNOWN", "cannot tell whether '" + w.tag() + "' exists");
                }
                try {
                    action = existence.exists(w.repository(), w.tag()) ? Action.UPDATE : Action.CREATE;
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.error("existence lookup failed for {} {}: {}", w.repository(), w.tag(), e.toString());
                    return reject(ctx, w.repository(), 500, "UNKNOWN", "cannot tell whether '" + w.tag() + "' exists; refusing to guess");
                }
                if (action == Action.CREATE ? mayCreate : mayUpdate) {
                    // allowed only because of what exists now: the application writes after the body, and must find it so then
                    if (conditions.isEmpty()) {
                        conditions = new ArrayList<>();
                    }
                    conditions.add(writeCondition(ctx, w, action == Action.CREATE ? update : create));
                }
            }
            Decision d = policy.decide(subject, check.repository(), action);
            if (!allowed(ctx, d, check.repository(), action)) {
                return deny(ctx, check.repository(), action, d);
            }
            last = d;
            lastCheck = check;
            lastAction = action;
        }
        return proceed(ctx, route, deniedMounts, conditions, lastCheck == null ? null : lastCheck.repository(), lastAction, last);
    }

    /**
     * The condition of a write allowed as {@code create} because its target was absent (or as {@code update} because it
     * existed), and the answer for it when the target changed before the commit: the denial of the other action.
     */
    private WriteCondition writeCondition(RequestContext ctx, Route.Writes w, Decision other) {
        boolean create = other.action() == Action.UPDATE;
        WriteCondition.Expect expect = create ? WriteCondition.Expect.ABSENT : WriteCondition.Expect.PRESENT;
        String change = create ? "was created" : "was deleted";
        return new WriteCondition(w.repository(), w.tag(), expect, () -> deny(ctx, w.repository(), other.action(), other,
                "'" + w.tag() + "' " + change + " after the request was allowed, before it committed: "));
    }

    /** The policy's decision, narrowed by an API key's scopes. */
    private static boolean allowed(RequestContext ctx, Decision d, String repository, Action action) {
        return d.allowed() && (ctx.identity == null || Scope.permitAll(ctx.identity.scopes(), repository, action));
    }

    private static Subject subject(RequestContext ctx) {
        if (ctx.identity == null) {
            return Subject.anonymous();
        }
        if (ctx.subject == null) {
            ctx.subject = ctx.identity.subject();
        }
        return ctx.subject;
    }

    // ------------------------------------------------------------------ outcomes

    private Outcome versionCheckOrPass(RequestContext ctx, Route route) {
        boolean versionCheck = ctx.path.equals("/v2/") || ctx.path.equals("/v2");
        if (!versionCheck) {
            return new Outcome.Proceed(null, route, Set.of());
        }
        // credentials sent to /v2/ are checked, so that "docker login" validates them
        Authentication auth = authenticate(ctx);
        if (auth.response != null) {
            return auth.response;
        }
        ctx.identity = auth.identity;
        if (ctx.identity == null && dockerNeedsChallenge(ctx.request)) {
            return unauthorized(ctx, "Docker sends credentials only after a 401 on /v2/", false);
        }
        emit(ctx, null, null, 0, null, "version check");
        return new Outcome.Proceed(ctx.identity, route, Set.of(), Map.of("WWW-Authenticate", challenge));
    }

    /** zot's Docker quirk: with both anonymous and authenticated grants, a Docker client must be told to log in. */
    private boolean dockerNeedsChallenge(HttpRequestView request) {
        List<String> agents = request.headers("User-Agent");
        boolean docker = !agents.isEmpty() && agents.get(0).toLowerCase(java.util.Locale.ROOT).contains("docker");
        if (!docker) {
            return false;
        }
        boolean anonymous = policy.repositories().stream().anyMatch(r -> !r.anonymousPolicy().isEmpty());
        boolean authenticated = !policy.hasAccessControl() || policy.repositories().stream()
                .anyMatch(r -> !r.defaultPolicy().isEmpty() || !r.policies().isEmpty()) || !policy.adminPolicy().actions().isEmpty();
        return anonymous && authenticated;
    }

    private Outcome proceed(RequestContext ctx, Route route, Set<String> deniedMounts, String repository, Action action, Decision d) {
        return proceed(ctx, route, deniedMounts, List.of(), repository, action, d);
    }

    private Outcome proceed(RequestContext ctx, Route route, Set<String> deniedMounts, List<WriteCondition> conditions, String repository,
            Action action, Decision d) {
        emit(ctx, repository, action, 0, d == null ? null : d.pattern().orElse(null), d == null ? "not gated" : GRANTED_BY.get(d.grantedBy()));
        return new Outcome.Proceed(ctx.identity, route, deniedMounts, Map.of(), conditions);
    }

    private Outcome.Respond deny(RequestContext ctx, String repository, Action action, Decision d) {
        return deny(ctx, repository, action, d, "");
    }

    /** The denial of {@code action}; the audit reason starts with {@code context}. */
    private Outcome.Respond deny(RequestContext ctx, String repository, Action action, Decision d, String context) {
        boolean scopeDenied = d.allowed(); // the policy allowed it; the key's scopes did not
        String reason = context + (scopeDenied ? "the API key's scopes do not include " + action.configName() + " on '" + repository + "'"
                : d.explain());
        if (ctx.identity == null) {
            return unauthorizedForDecision(ctx, repository, action, d, reason);
        }
        String what = repository == null ? "read metrics" : action.configName() + " '" + repository + "'";
        if (repository == null && d.allowed()) {
            reason = "an API key with scopes cannot read metrics";
        }
        emit(ctx, repository, action, 403, d.pattern().orElse(null), reason);
        return Responses.error(ctx.path, 403, "DENIED", "requested access to the resource is denied",
                "user '" + ctx.identity.name() + "' may not " + what, Map.of(), Duration.ZERO);
    }

    private Outcome.Respond unauthorizedForDecision(RequestContext ctx, String repository, Action action, Decision d, String reason) {
        emit(ctx, repository, action, 401, d.pattern().orElse(null), reason);
        return Responses.error(ctx.path, 401, "UNAUTHORIZED", "authentication required", null,
                Map.of("WWW-Authenticate", challenge), Duration.ZERO);
    }

    private Outcome unauthorized(RequestContext ctx, String why, boolean credentialsSent) {
        emit(ctx, null, null, 401, null, why);
        return Responses.error(ctx.path, 401, "UNAUTHORIZED", "authentication required", null,
                Map.of("WWW-Authenticate", challenge), credentialsSent ? failDelay : Duration.ZERO);
    }

    private Outcome reject(RequestContext ctx, String repository, int status, String code, String message) {
        return reject(ctx, repository, status, code, message, Map.of());
    }

    private Outcome reject(RequestContext ctx, String repository, int status, String code, String message, Map<String, String> headers) {
        return reject(ctx, repository, status, code, message, headers, Duration.ZERO);
    }

    private Outcome reject(RequestContext ctx, String repository, int status, String code, String message, Map<String, String> headers,
            Duration delay) {
        emit(ctx, repository, null, status, null, message);
        return Responses.error(ctx.path == null ? ctx.request.rawPath() : ctx.path, status, code, message, null, headers, delay);
    }

    private void emit(RequestContext ctx, String repository, Action action, int status, String pattern, String reason) {
        try {
            Identity id = ctx.identity;
            listener.onDecision(new AuthEvent(id == null ? null : id.name(), id == null ? null : id.method(), ctx.request.method(),
                    ctx.path == null ? ctx.request.rawPath() : ctx.path, repository, action, status, pattern, ctx.client, reason));
        } catch (RuntimeException e) {
            LOG.warn("audit listener failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ built-in endpoints

    /** {@code POST {prefix}/logout}: clears the session cookie; names the provider's logout URL when it has one. */
    private Outcome logout(RequestContext ctx) {
        if (!ctx.request.method().equals("POST")) {
            return reject(ctx, null, 405, "UNSUPPORTED", "log out with POST " + prefix + "/logout");
        }
        mayBlock(ctx); // the provider's discovery may be needed for its logout URL
        Optional<Session> session = sessions.read(ctx.request.headers("Cookie"));
        if (session.isPresent() && !CsrfCheck.passes(ctx.request)) {
            return reject(ctx, null, 403, "DENIED", "cross-site request refused: send the X-Portcullis-Csrf header or a same-origin Origin");
        }
        Object body = oidc == null ? Responses.JSON.createObjectNode() : oidc.logout(session.orElse(null));
        emit(ctx, null, null, 0, null, session.map(s -> "logout of " + s.user()).orElse("logout without a session"));
        return Responses.json(200, body, Map.of(), List.of(sessions.clearSession()));
    }

    /** The self-service page: who the caller is, their rights and keys; its forms are bound to the browser's own credential. */
    private Outcome selfServicePage(RequestContext ctx, Map<String, List<String>> query) {
        mayBlock(ctx); // the key store
        Authentication auth = authenticate(ctx);
        if (auth.response != null) {
            return auth.response;
        }
        ctx.identity = auth.identity;
        Session session = null;
        String binding = null;
        if (auth.identity != null && auth.identity.method() == Identity.AuthMethod.SESSION) {
            Optional<String> sealed = sessions.sealedSession(ctx.request.headers("Cookie"));
            session = sealed.flatMap(sessions::open).orElse(null);
            binding = sealed.map(v -> "session " + v).orElse(null);
        } else if (auth.identity != null) {
            binding = "authorization " + ctx.request.headers("Authorization").get(0);
        }
        Outcome.Respond r = page.handle(ctx.request, ctx.path, query, auth.identity, session, binding);
        emit(ctx, null, null, r.status() < 400 ? 0 : r.status(), null, "self-service page " + ctx.request.method());
        return r;
    }

    private Outcome endpoint(RequestContext ctx, RequestTarget target) {
        mayBlock(ctx);
        Authentication auth = authenticate(ctx);
        if (auth.response != null) {
            return auth.response;
        }
        if (auth.identity == null) {
            return unauthorized(ctx, "managing API keys needs an authenticated user", false);
        }
        ctx.identity = auth.identity;
        Outcome out = keyEndpoints.handle(ctx.request, target, auth.identity);
        if (out instanceof Outcome.Respond r) {
            emit(ctx, null, null, r.status() < 400 ? 0 : r.status(), null, "API key endpoint " + target.method());
        }
        return out;
    }

    /** Settings for {@link Portcullis}. */
    public static final class Builder {
        private AccessPolicy policy;
        private String realm = "portcullis";
        private RouteResolver routes = OciDistributionRoutes.INSTANCE;
        private ExistenceLookup existence;
        private ApiKeyService apiKeys;
        private Path htpasswd;
        private String prefix = "/auth";
        private Duration failDelay = Duration.ZERO;
        private int maxFailures = 20;
        private Duration failureWindow = Duration.ofMinutes(1);
        private Duration limitedDelay = Duration.ofSeconds(1);
        private List<String> trustedProxies = new ArrayList<>();
        private AuthEventListener listener = AuthEventListener.slf4j();
        private final List<AutoCloseable> owned = new ArrayList<>();
        private OidcLogin oidc;
        private SessionCookies sessions;
        private BearerJwt bearerJwt;
        private String pagePath = "";

        private Builder() {
        }

        /**
         * Moves the self-service page (log in, see your rights, mint and revoke your API keys) from its default,
         * {@code {prefix}/}, to {@code path}, e.g. {@code /account/}. The page is served when API keys or sessions
         * are configured.
         */
        public Builder selfServicePage(String path) {
            if (!path.startsWith("/") || path.startsWith("/v2/") || path.equals("/v2")) {
                throw new IllegalArgumentException("self-service page path '" + path + "' must start with '/' and lie outside /v2/, e.g. /auth/");
            }
            this.pagePath = path;
            return this;
        }

        /** Turns the self-service page off: the application answers its path. */
        public Builder withoutSelfServicePage() {
            this.pagePath = null;
            return this;
        }

        /**
         * OIDC browser login ({@code {prefix}/login}, {@code {prefix}/callback/NAME}, {@code {prefix}/logout})
         * and its session cookies, which then authenticate requests without an {@code Authorization} header.
         * Its endpoint prefix must be this builder's.
         */
        public Builder oidc(OidcLogin login) {
            this.oidc = login;
            return this;
        }

        /** Session cookies without a login here (e.g. sessions issued by another replica); implied by {@link #oidc}. */
        public Builder sessions(SessionCookies cookies) {
            this.sessions = cookies;
            return this;
        }

        /** Bearer JWTs from trusted issuers (workload identity). */
        public Builder bearerJwt(BearerJwt verifier) {
            this.bearerJwt = verifier;
            return this;
        }

        /** Something {@link Portcullis#close()} closes, in the order given. */
        public Builder closeWith(AutoCloseable resource) {
            owned.add(resource);
            return this;
        }

        public Builder policy(AccessPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** The realm in {@code WWW-Authenticate}, zot's {@code http.realm}. */
        public Builder realm(String realm) {
            this.realm = realm;
            return this;
        }

        /** Default: {@link OciDistributionRoutes#INSTANCE}. */
        public Builder routes(RouteResolver routes) {
            this.routes = routes;
            return this;
        }

        /** Tells create from update on tag (or artifact) writes; without it such writes fail closed with 500. */
        public Builder existence(ExistenceLookup existence) {
            this.existence = existence;
            return this;
        }

        /** API keys (Basic password or Bearer token), and the {@code {prefix}/apikey} endpoints. */
        public Builder apiKeys(ApiKeyService apiKeys) {
            this.apiKeys = apiKeys;
            return this;
        }

        /** An htpasswd file of bcrypt hashes, re-read when it changes. */
        public Builder htpasswd(Path file) {
            this.htpasswd = file;
            return this;
        }

        /** Where the built-in endpoints live, default {@code /auth}. */
        public Builder endpointPrefix(String prefix) {
            if (!prefix.startsWith("/") || prefix.endsWith("/")) {
                throw new IllegalArgumentException("endpoint prefix '" + prefix + "' must start with '/' and not end with it, e.g. /auth");
            }
            if (prefix.equals("/v2") || prefix.startsWith("/v2/")) {
                // its endpoints would take paths of the registry API over
                throw new IllegalArgumentException("endpoint prefix '" + prefix + "' must be outside the registry API /v2/, e.g. /auth");
            }
            this.prefix = prefix;
            return this;
        }

        /** zot's {@code failDelay}: 401s for sent credentials are answered after this delay (without holding a thread). */
        public Builder failDelay(Duration delay) {
            this.failDelay = delay;
            return this;
        }

        /** After {@code failures} failed attempts from one address within {@code window}, unverified attempts get 429. Default 20 per minute. */
        public Builder failureLimit(int failures, Duration window) {
            this.maxFailures = failures;
            this.failureWindow = window;
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
            this.limitedDelay = delay;
            return this;
        }

        /** Proxies whose {@code X-Forwarded-For} is believed (exact addresses). Default: none; the socket address counts. */
        public Builder trustedProxies(Collection<String> addresses) {
            this.trustedProxies = List.copyOf(addresses);
            return this;
        }

        public Builder listener(AuthEventListener listener) {
            this.listener = listener;
            return this;
        }

        public Portcullis build() {
            if (oidc != null && !oidc.handles(prefix + "/login")) {
                throw new IllegalStateException("the OIDC login was built for another endpoint prefix than '" + prefix
                        + "'; give OidcLogin.Builder#endpointPrefix the same prefix");
            }
            if (oidc != null && bearerJwt != null) {
                // the login's ID tokens carry that audience: they would pass as bearer credentials
                BearerJwt.audienceClash(bearerJwt.trusted(), oidc.providers()).ifPresent(why -> {
                    throw new IllegalStateException("bearer JWTs: " + why);
                });
            }
            return new Portcullis(this);
        }
    }
}
