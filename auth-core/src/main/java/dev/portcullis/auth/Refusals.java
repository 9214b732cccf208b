package dev.portcullis.auth;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Grant;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the stages refuse a request and audit every decision: the error body ({@link Responses}), the challenge, the
 * delays, and the {@link AuthEvent} for the listener. Endpoints answer their own requests, through {@link Endpoint.Call},
 * which audits them here too.
 */
final class Refusals {
    private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
    /** The audit reason of each grant, made once rather than per allowed request. */
    private static final String[] GRANTED_BY = Arrays.stream(Grant.values()).map(g -> "granted by " + g).toArray(String[]::new);

    private final AuthEventListener listener;
    private final Map<String, String> challenge;
    private final Duration failDelay;
    private final @Nullable String keyPrefix;
    private final DecisionCounts counts = new DecisionCounts();
    /** The token service's URL (null: made from each request's Host) and service, when the token flow is on. */
    private @Nullable String tokenRealm;
    private @Nullable String tokenService;
    private String tokenPath = "";
    private boolean tokenFlow;

    /** @param keyPrefix the API keys' prefix, so that a key typed as a user name is not logged; null without keys */
    Refusals(AuthEventListener listener, String realm, Duration failDelay, @Nullable String keyPrefix) {
        this.listener = listener;
        this.challenge = challenge(realm);
        this.failDelay = failDelay;
        this.keyPrefix = keyPrefix;
    }

    /** {@code WWW-Authenticate: Basic} with {@code realm} (its quotes dropped). */
    static Map<String, String> challenge(String realm) {
        return Map.of("WWW-Authenticate", "Basic realm=\"" + realm.replace("\"", "") + "\"");
    }

    /**
     * Turns the registry token flow's challenge on, for the registry API ({@code /v2/}): {@code Bearer} with the token
     * service's URL, the service and the scope of the refused request.
     *
     * @param tokenUrl the token service's absolute URL; null to make it from each request's scheme and Host
     * @param tokenPath the token service's path, for a URL made from a request
     * @param service the service named in the challenge and in the tokens
     */
    void tokenFlow(@Nullable String tokenUrl, String tokenPath, String service) {
        this.tokenFlow = true;
        this.tokenRealm = tokenUrl;
        this.tokenPath = tokenPath;
        this.tokenService = service;
    }

    /** {@code WWW-Authenticate} for this request: Bearer under /v2/ with the token flow on, else Basic with the realm. */
    Map<String, String> challenge(RequestContext ctx) {
        if (!tokenFlow || !(ctx.pathForAnswers().equals("/v2") || ctx.pathForAnswers().startsWith("/v2/"))) {
            return challenge;
        }
        String realm = tokenRealm != null ? tokenRealm : tokenUrl(ctx.request(), tokenPath);
        if (realm == null) {
            return challenge; // a Host that cannot name the token service: Basic still works
        }
        String scope = ctx.challengeScope;
        return Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"" + tokenService + "\""
                + (scope == null ? "" : ",scope=\"" + scope + "\""));
    }

    /** The token service's URL as the client reached this server: its scheme and Host header; null for a Host that is not one. */
    static @Nullable String tokenUrl(HttpRequestView request, String path) {
        List<String> hosts = request.headers("Host");
        if (hosts.size() != 1 || !HOST.matcher(hosts.get(0)).matches()) {
            return null;
        }
        return (request.secure() ? "https://" : "http://") + hosts.get(0) + request.mountPath() + path;
    }

    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+])(?::\\d{1,5})?");

    /** Audits an allowed request; {@code d} is the decision that allowed it, or null when nothing was gated. */
    void allowed(RequestContext ctx, @Nullable String repository, @Nullable Action action, @Nullable Decision d) {
        emit(ctx, repository, action, 0, d, d == null ? "not gated" : GRANTED_BY[d.grantedBy().ordinal()]);
    }

    Outcome.Respond reject(RequestContext ctx, @Nullable String repository, int status, String code, String message) {
        return reject(ctx, repository, status, code, message, Map.of(), Duration.ZERO);
    }

    Outcome.Respond reject(RequestContext ctx, @Nullable String repository, int status, String code, String message, Map<String, String> headers,
            Duration delay) {
        emit(ctx, repository, null, status, null, message);
        return Responses.error(ctx.pathForAnswers(), status, code, message, null, headers, delay);
    }

    /** 401 with the challenge, after failDelay when credentials were sent. */
    Outcome.Respond unauthorized(RequestContext ctx, String why, boolean credentialsSent) {
        emit(ctx, null, null, 401, null, why);
        return Responses.error(ctx.pathForAnswers(), 401, "UNAUTHORIZED", "authentication required", null, challenge(ctx),
                credentialsSent ? failDelay : Duration.ZERO);
    }

    /** The policy (or a key's scopes) refused {@code action}: 401 for an anonymous caller, else 403. */
    Outcome.Respond deny(RequestContext ctx, @Nullable String repository, Action action, Decision d) {
        return deny(ctx, repository, action, d, "");
    }

    /** {@link #deny}, the audit reason starting with {@code context}. */
    Outcome.Respond deny(RequestContext ctx, @Nullable String repository, Action action, Decision d, String context) {
        Identity.AuthMethod method = ctx.identity == null ? null : ctx.identity.method();
        boolean external = method == Identity.AuthMethod.EXTERNAL_TOKEN;
        boolean scopeDenied = d.allowed() || external; // the policy allowed it (or was not asked); the credential's scope did not
        String reason = context + (scopeDenied ? (external ? "the token server's token does not grant "
                : method == Identity.AuthMethod.REGISTRY_TOKEN ? "the registry token does not grant "
                : "the API key's scopes do not include ") + action.configName() + " on '" + repository + "'"
                : d.explain());
        if (ctx.identity == null) {
            emit(ctx, repository, action, 401, d, reason);
            return Responses.error(ctx.pathForAnswers(), 401, "UNAUTHORIZED", "authentication required", null, challenge(ctx), Duration.ZERO);
        }
        String what = repository == null ? "read metrics" : action.configName() + " '" + repository + "'";
        if (repository == null && d.allowed()) {
            reason = "an API key with scopes cannot read metrics";
        }
        emit(ctx, repository, action, 403, d, reason);
        return Responses.error(ctx.pathForAnswers(), 403, "DENIED", "requested access to the resource is denied",
                "user '" + ctx.identity.name() + "' may not " + what, Map.of(), Duration.ZERO);
    }

    /**
     * Counts the decision and hands it to the listener; {@code d} is the policy's decision behind it, or null when the
     * policy was not asked.
     */
    void emit(RequestContext ctx, @Nullable String repository, @Nullable Action action, int status, @Nullable Decision d,
            String reason) {
        Identity id = ctx.identity;
        // whether credentials were sent matters only to a 401; reading them decodes them, which an allowed request that
        // was recognised by its remembered presentation never does
        AuthEvent.Kind kind = AuthEvent.Kind.of(status, status == 401 && !(ctx.credentials() instanceof Credentials.None));
        Grant grantedBy = d == null ? null : d.allowed() && status == 0 ? d.grantedBy() : Grant.NONE;
        counts.count(kind, grantedBy, id == null ? null : id.method());
        try {
            listener.onDecision(new AuthEvent(id == null ? null : id.name(), id == null ? null : id.method(),
                    id == null ? null : id.keyId(), ctx.request().method(), ctx.pathForAnswers(), repository, action, status,
                    kind, grantedBy, d == null ? null : d.pattern().orElse(null), ctx.clientAddress(), reason));
        } catch (RuntimeException e) {
            LOG.warn("audit listener failed: {}", e.toString());
        }
    }

    /** How many decisions of each kind were made, for metrics. */
    DecisionCounts counts() {
        return counts;
    }

    /**
     * A Basic user name for the audit log, quoted, unless it looks like a credential typed into the wrong field (an API
     * key, a JWT, or anything too long for a name): then only what it looks like.
     */
    String userForLog(String user) {
        if (keyPrefix != null && user.startsWith(keyPrefix)) {
            return "(an API key as user name, not shown)";
        }
        if (user.startsWith("eyJ") || user.length() > 64) {
            return "(" + user.length() + " characters, not shown: it may be a credential)";
        }
        return "'" + user + "'";
    }
}
