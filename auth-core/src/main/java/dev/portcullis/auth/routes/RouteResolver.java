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
    /**
     * What access control must check for this request. Asked for every request that no endpoint answers, also where
     * blocking is not allowed, so it must not block; called from many threads at once.
     *
     * @param target the request's method and decoded path, and its decoded query
     * @return the route: unprotected, refused, or the checks to make. A resolver that throws instead fails the request
     *     closed with 500
     */
    Route resolve(RequestTarget target);

    /**
     * Whether this resolver may answer {@link Route.Writes}, whose create-or-update question needs an
     * {@link ExistenceLookup}: with such routes and a policy that grants create without update (or the reverse),
     * {@code Portcullis.Builder#build()} refuses to build without a lookup. Built-in resolvers may; override to answer
     * false if yours never does.
     *
     * @return true unless this resolver never answers {@link Route.Writes}
     */
    default boolean writesTags() {
        return true;
    }
}
