package dev.portcullis.auth;

import dev.portcullis.auth.routes.Route;
import dev.portcullis.policy.AccessPolicy;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code /v2/}, the registry API's version check: not policy-checked, but credentials sent with it are checked (so that
 * {@code docker login} validates them) and a successful answer carries the challenge, as zot does. zot's Docker quirk:
 * when the policy has both anonymous and authenticated grants, a Docker client without credentials gets 401, so that it
 * logs in. With the registry token flow on, every caller without credentials gets 401
 * with the Bearer challenge instead, and Docker fetches an anonymous token to pull.
 */
final class VersionCheck {
    private final AuthenticationStage authentication;
    private final Refusals refusals;
    private final boolean tokenFlow;
    /** The policy {@link #dockerMustLogIn} was worked out for, and its answer: recomputed when a reload swaps the policy. */
    private volatile MixedGrants mixed = new MixedGrants(null, false);

    private record MixedGrants(@org.jspecify.annotations.Nullable AccessPolicy policy, boolean mixed) {
    }

    /** @param tokenFlow whether the registry token flow is on: then every anonymous caller is sent to the token service */
    VersionCheck(AuthenticationStage authentication, Refusals refusals, boolean tokenFlow) {
        this.authentication = authentication;
        this.refusals = refusals;
        this.tokenFlow = tokenFlow;
    }

    /** zot's rule: anonymous and authenticated grants both exist, so Docker must log in to see the latter. */
    private boolean dockerMustLogIn(AccessPolicy policy) {
        MixedGrants m = mixed;
        if (m.policy() != policy) {
            boolean anonymous = policy.repositories().stream().anyMatch(r -> !r.anonymousPolicy().isEmpty());
            boolean authenticated = !policy.hasAccessControl() || policy.repositories().stream()
                    .anyMatch(r -> !r.defaultPolicy().isEmpty() || !r.policies().isEmpty()) || !policy.adminPolicy().actions().isEmpty();
            mixed = m = new MixedGrants(policy, anonymous && authenticated);
        }
        return m.mixed();
    }

    /** A route not policy-checked: passed on, unless it is {@code /v2/}; {@link RequestContext#NEEDS_BLOCKING} possible. */
    Outcome decide(RequestContext ctx, Route route) {
        String path = ctx.target().path();
        if (!path.equals("/v2/") && !path.equals("/v2")) {
            return new Outcome.Proceed(null, route, Set.of(), java.util.Map.of(), java.util.List.of(), Set.of(), ctx.policy);
        }
        Outcome.Respond refused = authentication.authenticate(ctx);
        if (refused != null) {
            return refused;
        }
        if (ctx.identity == null && tokenFlow && ctx.credentials() instanceof Credentials.None) {
            // as the distribution registry: the client learns the token service here, and fetches a token (an
            // anonymous one without credentials) for what it does next
            return refusals.unauthorized(ctx, "the registry token flow: the client fetches a token from the token service", false);
        }
        if (ctx.identity == null && dockerMustLogIn(ctx.policy) && isDocker(ctx.request())) {
            return refusals.unauthorized(ctx, "Docker sends credentials only after a 401 on /v2/", false);
        }
        refusals.emit(ctx, null, null, 0, null, "version check");
        return new Outcome.Proceed(ctx.identity, route, Set.of(), refusals.challenge(ctx), java.util.List.of(), Set.of(), ctx.policy);
    }

    private static boolean isDocker(HttpRequestView request) {
        List<String> agents = request.headers("User-Agent");
        return !agents.isEmpty() && agents.get(0).toLowerCase(Locale.ROOT).contains("docker");
    }
}
