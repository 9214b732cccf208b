package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.auth.routes.RequestTarget;
import dev.portcullis.auth.routes.Route;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.policy.AccessPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

    private final RouteResolver routes;
    private final Refusals refusals;
    private final RequestGate gate;
    private final Endpoint[] endpoints; // an array: asked for every request
    private final AuthenticationStage authentication;
    private final AuthorizationStage authorization;
    private final VersionCheck versionCheck;

    Pipeline(Settings b) {
        AccessPolicy policy = Objects.requireNonNull(b.policy, "a policy is required");
        this.routes = b.routes;
        ApiKeyService apiKeys = b.apiKeys;
        this.refusals = new Refusals(b.listener, b.realm, b.failDelay, apiKeys == null ? null : apiKeys.prefix());
        this.gate = new RequestGate(refusals);
        Htpasswd htpasswd = b.htpasswd == null ? null : new Htpasswd(b.htpasswd);
        SessionCookies sessions = b.oidc != null ? b.oidc.sessions() : b.sessions;
        if (b.oidc != null && apiKeys != null) {
            b.oidc.addLoginListener(apiKeys::recordLogin); // API keys carry the groups of the owner's latest login
        }
        List<Authenticator> authenticators = new ArrayList<>();
        if (apiKeys != null) {
            authenticators.add(new ApiKeyAuthenticator(apiKeys, refusals));
        }
        if (htpasswd != null) {
            authenticators.add(new HtpasswdAuthenticator(htpasswd));
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
                        : "the bearer token is neither an API key of this registry nor a JWT");
        this.authorization = new AuthorizationStage(policy, b.existence, refusals);
        this.versionCheck = new VersionCheck(policy, authentication, refusals);
        List<Endpoint> all = new ArrayList<>();
        String pagePath = b.pagePath;
        if (pagePath != null && (apiKeys != null || sessions != null)) {
            all.add(new SelfServicePage(pagePath.isEmpty() ? b.prefix + "/" : pagePath, b.realm, b.prefix, policy, apiKeys, b.oidc, sessions,
                    htpasswd != null || b.oidc == null));
        }
        if (b.oidc != null) {
            all.add(new LoginEndpoint(b.oidc, b.prefix));
        }
        if (sessions != null) {
            all.add(new LogoutEndpoint(b.prefix, sessions, b.oidc));
        }
        if (apiKeys != null) {
            all.add(new ApiKeyEndpoints(apiKeys, policy, b.prefix));
        }
        all.addAll(b.endpoints);
        this.endpoints = all.toArray(Endpoint[]::new);
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
        RequestTarget target = ctx.target();
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
        if (route instanceof Route.Unprotected) {
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
        Endpoint.Call call = new Endpoint.Call(ctx, refusals, BODY_LIMIT);
        Outcome.Respond r = endpoint.handle(call);
        if (!call.audited()) {
            refusals.emit(ctx, null, null, r.status() < 400 ? 0 : r.status(), null, call.auditReason() != null ? call.auditReason()
                    : name(endpoint) + " " + ctx.request().method());
        }
        return r;
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
