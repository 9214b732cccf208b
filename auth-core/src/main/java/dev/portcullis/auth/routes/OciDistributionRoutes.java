package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * zot's mapping of OCI distribution-spec requests to repository actions. Names may contain
 * slashes and are parsed from the right, anchored on the last {@code /manifests/}, {@code /blobs/},
 * {@code /tags/list} or {@code /referrers/}; a name that is not a valid OCI repository name is
 * refused with 400 before any credential is looked at.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code /v2/}, any {@code OPTIONS}</td><td>not policy-checked</td></tr>
 *   <tr><td>{@code GET /v2/_catalog}</td><td>catalog (the application filters the list)</td></tr>
 *   <tr><td>{@code GET|HEAD …/manifests/REF, /blobs/DIGEST, /tags/list, /referrers/DIGEST, /blobs/uploads/ID}</td><td>read</td></tr>
 *   <tr><td>{@code POST|PATCH|PUT …/blobs/uploads/…}</td><td>create; {@code ?mount=&from=R} also asks read on R</td></tr>
 *   <tr><td>{@code PUT …/manifests/TAG}</td><td>update if the tag exists, else create</td></tr>
 *   <tr><td>{@code PUT …/manifests/DIGEST?tag=A&tag=B}</td><td>per tag: update if it exists, else create; create without tags</td></tr>
 *   <tr><td>{@code DELETE} manifests, blobs, uploads</td><td>delete</td></tr>
 *   <tr><td>{@code /metrics}</td><td>metrics</td></tr>
 * </table>
 */
public final class OciDistributionRoutes implements RouteResolver {
    public static final OciDistributionRoutes INSTANCE = new OciDistributionRoutes("/metrics");

    /** The OCI distribution-spec repository name grammar. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern ROUTE = Pattern.compile("/v2/(?<name>.+)/(?:manifests/(?<reference>[^/]+)|blobs/uploads/?(?<upload>[^/]*)"
            + "|blobs/(?<digest>[^/]+)|(?<tags>tags/list)|referrers/(?<referrer>[^/]+))");

    private final String metricsPath;

    /** @param metricsPath where metrics are served, e.g. {@code /metrics} */
    public OciDistributionRoutes(String metricsPath) {
        this.metricsPath = metricsPath;
    }

    @Override
    public Route resolve(RequestTarget target) {
        String method = target.method();
        String path = target.path();
        if (method.equals("OPTIONS")) {
            return new Route.Unprotected("OPTIONS is not policy-checked");
        }
        if (path.equals(metricsPath)) {
            return new Route.Metrics();
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            return new Route.Unprotected("the /v2/ version check is not policy-checked");
        }
        if (!path.startsWith("/v2/")) {
            return new Route.Unprotected("outside the registry API");
        }
        if (path.equals("/v2/_catalog")) {
            return isRead(method) ? new Route.Catalog() : notAllowed(method, path);
        }
        Matcher m = ROUTE.matcher(path);
        if (!m.matches()) {
            return new Route.Rejected(404, "NOT_FOUND", "no registry route " + path);
        }
        String name = m.group("name");
        if (!NAME.matcher(name).matches()) {
            return new Route.Rejected(400, "NAME_INVALID", "'" + name + "' is not a valid repository name");
        }
        if (m.group("reference") != null) {
            return manifests(method, name, m.group("reference"), target);
        }
        if (m.group("upload") != null) {
            return switch (method) {
                case "GET", "HEAD" -> requires(name, Action.READ);
                case "DELETE" -> requires(name, Action.DELETE);
                case "POST", "PATCH", "PUT" -> upload(name, target);
                default -> notAllowed(method, path);
            };
        }
        if (m.group("digest") != null) {
            if (m.group("digest").equals("uploads") && method.equals("POST")) {
                return upload(name, target);
            }
            return switch (method) {
                case "GET", "HEAD" -> requires(name, Action.READ);
                case "DELETE" -> requires(name, Action.DELETE);
                default -> notAllowed(method, path);
            };
        }
        return isRead(method) ? requires(name, Action.READ) : notAllowed(method, path);
    }

    private static Route manifests(String method, String name, String reference, RequestTarget target) {
        return switch (method) {
            case "GET", "HEAD" -> requires(name, Action.READ);
            case "DELETE" -> requires(name, Action.DELETE);
            case "PUT" -> {
                if (!reference.contains(":")) {
                    yield new Route.Protected(List.of(new Route.Writes(name, reference)));
                }
                List<String> tags = target.parameters("tag");
                if (tags.isEmpty()) {
                    yield requires(name, Action.CREATE);
                }
                List<Route.Check> checks = new ArrayList<>();
                tags.forEach(t -> checks.add(new Route.Writes(name, t)));
                yield new Route.Protected(checks);
            }
            default -> notAllowed(method, "/v2/" + name + "/manifests/" + reference);
        };
    }

    private static Route upload(String name, RequestTarget target) {
        List<Route.Check> checks = new ArrayList<>();
        checks.add(new Route.Requires(name, Action.CREATE));
        List<String> from = target.parameters("from");
        if (!target.parameters("mount").isEmpty() && !from.isEmpty()) {
            String source = from.get(0);
            if (!NAME.matcher(source).matches()) {
                return new Route.Rejected(400, "NAME_INVALID", "'" + source + "' is not a valid repository name");
            }
            checks.add(new Route.MountsFrom(source));
        }
        return new Route.Protected(checks);
    }

    private static boolean isRead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    private static Route requires(String name, Action action) {
        return new Route.Protected(List.of(new Route.Requires(name, action)));
    }

    private static Route notAllowed(String method, String path) {
        return new Route.Rejected(405, "UNSUPPORTED", method + " is not supported on " + path);
    }
}
