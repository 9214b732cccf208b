package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.List;

/**
 * Routes for a generic artifact store (Maven, npm, raw files) described by a path template:
 * literal segments, one {@code {repo}} segment naming the repository, and a trailing {@code /**}
 * for the artifact path inside it.
 *
 * <pre>{@code
 * RouteResolver maven = PathRoutes.of("/maven/{repo}/**");
 * // GET /maven/releases/org/acme/app/1.0/app-1.0.jar  -> read on "releases"
 * // PUT  …                                            -> create, or update if the path exists
 * }</pre>
 *
 * GET and HEAD need {@code read}; PUT needs {@code update} when the artifact already exists (the
 * application's {@link ExistenceLookup} answers, with the artifact path as the "tag") and
 * {@code create} otherwise; POST needs {@code create}; DELETE needs {@code delete}. Paths outside
 * the template are not policy-checked.
 */
public final class PathRoutes implements RouteResolver {
    private final String prefix;
    private final boolean withRest;
    private final String template;

    private PathRoutes(String template, String prefix, boolean withRest) {
        this.template = template;
        this.prefix = prefix;
        this.withRest = withRest;
    }

    /** @throws IllegalArgumentException for a template without exactly one {@code {repo}} segment where it belongs */
    public static PathRoutes of(String template) {
        String t = template.endsWith("/**") ? template.substring(0, template.length() - 3) : template;
        if (!t.startsWith("/") || !t.endsWith("/{repo}") || t.indexOf("{repo}") != t.length() - "{repo}".length()
                || t.substring(0, t.length() - "{repo}".length()).contains("{")) {
            throw new IllegalArgumentException("path template '" + template + "' must be literal segments, then {repo}, then"
                    + " optionally /**, e.g. /maven/{repo}/**");
        }
        return new PathRoutes(template, t.substring(0, t.length() - "{repo}".length()), template.endsWith("/**"));
    }

    @Override
    public Route resolve(RequestTarget target) {
        String path = target.path();
        if (target.method().equals("OPTIONS") || !path.startsWith(prefix)) {
            return new Route.Unprotected("outside " + template);
        }
        String rest = path.substring(prefix.length());
        int slash = rest.indexOf('/');
        String repo = slash < 0 ? rest : rest.substring(0, slash);
        String artifact = slash < 0 ? "" : rest.substring(slash + 1);
        if (repo.isEmpty()) {
            return new Route.Rejected(404, "NOT_FOUND", "no repository in " + path);
        }
        if (!artifact.isEmpty() && !withRest) {
            return new Route.Rejected(404, "NOT_FOUND", path + " does not match " + template);
        }
        return switch (target.method()) {
            case "GET", "HEAD" -> requires(repo, Action.READ);
            case "POST" -> requires(repo, Action.CREATE);
            case "DELETE" -> requires(repo, Action.DELETE);
            case "PUT" -> new Route.Protected(List.of(new Route.Writes(repo, artifact)));
            default -> new Route.Rejected(405, "UNSUPPORTED", target.method() + " is not supported on " + path);
        };
    }

    private static Route requires(String repo, Action action) {
        return new Route.Protected(List.of(new Route.Requires(repo, action)));
    }
}
