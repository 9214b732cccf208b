package dev.portcullis.auth.routes;

/**
 * Maps a request to what access control must check. Built in: {@link OciDistributionRoutes} and
 * {@link PathRoutes}; an application may supply its own.
 *
 * <pre>{@code
 * RouteResolver health = target -> target.path().equals("/healthz")
 *         ? new Route.Unprotected("health check") : OciDistributionRoutes.INSTANCE.resolve(target);
 * }</pre>
 */
@FunctionalInterface
public interface RouteResolver {
    Route resolve(RequestTarget target);
}
