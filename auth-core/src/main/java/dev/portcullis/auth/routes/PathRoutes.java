package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.List;

/**
 * Routes for a generic artifact store (npm, raw files, anything with a path per artifact) described by a path template:
 * literal segments, the repository as {@code {repo}} (one segment) or {@code {repo:N}} (N segments, such as a team and a
 * project), and a trailing {@code /**} for the artifact path inside it. Maven repositories have their own,
 * {@link MavenRoutes}.
 *
 * <pre>{@code
 * RouteResolver files = PathRoutes.of("/files/{repo:2}/**");
 * // GET /files/team/site/guide/v1.pdf   -> read on "team/site"
 * // PUT  …                              -> create, or update if the path exists
 * }</pre>
 *
 * GET and HEAD need {@code read}; PUT needs {@code update} when the artifact already exists (the
 * application's {@link ExistenceLookup} answers, with the artifact path as the "tag") and
 * {@code create} otherwise; POST needs {@code create}; DELETE needs {@code delete}. Paths outside
 * the template are not policy-checked; below its literal prefix, a path with fewer segments than the repository needs is
 * refused (404).
 */
public final class PathRoutes implements RouteResolver {
    private static final java.util.regex.Pattern REPO = java.util.regex.Pattern.compile("\\{repo(?::([1-9][0-9]?))?}");
    private final String prefix;
    private final int segments;
    private final boolean withRest;
    private final String template;

    private PathRoutes(String template, String prefix, int segments, boolean withRest) {
        this.template = template;
        this.prefix = prefix;
        this.segments = segments;
        this.withRest = withRest;
    }

    /**
     * Routes for the stores below a path template.
     *
     * @param template literal segments, then {@code {repo}} or {@code {repo:N}}, then optionally {@code /**}, such as
     *     {@code /files/{repo:2}/**}; without {@code /**} only the repository's own path is a route, and a path
     *     below it is refused (404)
     * @return the routes, immutable and thread-safe
     * @throws IllegalArgumentException for a template that is not literal segments, then one {@code {repo}} or
     *     {@code {repo:N}} (N from 1 to 16), then optionally {@code /**}
     */
    public static PathRoutes of(String template) {
        String t = template.endsWith("/**") ? template.substring(0, template.length() - 3) : template;
        int slash = t.lastIndexOf('/');
        java.util.regex.Matcher repo = REPO.matcher(slash < 0 ? "" : t.substring(slash + 1));
        String prefix = slash < 0 ? "" : t.substring(0, slash + 1);
        int n = repo.matches() ? repo.group(1) == null ? 1 : Integer.parseInt(repo.group(1)) : 0;
        if (!t.startsWith("/") || n < 1 || n > 16 || prefix.contains("{") || prefix.contains("}") || prefix.contains("*")
                || prefix.contains("//")) {
            throw new IllegalArgumentException("path template '" + template + "' must be literal segments, then {repo} (or {repo:N} for a"
                    + " repository of N segments, at most 16), then optionally /**, e.g. /files/{repo}/** or /files/{repo:2}/**");
        }
        return new PathRoutes(template, prefix, n, template.endsWith("/**"));
    }

    @Override
    public Route resolve(RequestTarget target) {
        String path = target.path();
        if (target.method().equals("OPTIONS") || !path.startsWith(prefix)) {
            return new Route.Unprotected("outside " + template);
        }
        String rest = path.substring(prefix.length());
        int end = -1;
        for (int i = 0; i < segments; i++) {
            int from = end + 1;
            int next = from > rest.length() ? -1 : rest.indexOf('/', from);
            end = next < 0 ? rest.length() : next;
            if (from > rest.length() || end == from || next < 0 && i < segments - 1) {
                return new Route.Rejected(404, "NOT_FOUND", segments == 1 ? "no repository in " + path
                        : "no repository of " + segments + " segments in " + path + " (" + template + ")");
            }
        }
        String repo = rest.substring(0, end);
        String artifact = end >= rest.length() ? "" : rest.substring(end + 1);
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

    /**
     * Names these routes for the line {@code Portcullis} logs at its start.
     *
     * @return e.g. {@code paths /files/{repo:2}/**}
     */
    @Override
    public String toString() {
        return "paths " + template;
    }
}
