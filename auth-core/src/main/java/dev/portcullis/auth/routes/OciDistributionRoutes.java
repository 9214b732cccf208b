package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <tr><td>{@code /V2/…} and every other case variant of {@code /v2}</td><td>refused with 400 (a case-insensitive router would serve them unchecked)</td></tr>
 * </table>
 */
public final class OciDistributionRoutes implements RouteResolver {
    /** The routes with metrics at {@code /metrics}, as zot serves them; the builder's default. */
    public static final OciDistributionRoutes INSTANCE = new OciDistributionRoutes("/metrics");


    private static final Logger LOG = LoggerFactory.getLogger(OciDistributionRoutes.class);

    private final String metricsPath;
    private final AtomicBoolean warnedAboutPrefix = new AtomicBoolean();

    /**
     * The routes with metrics at another path than {@link #INSTANCE}'s.
     *
     * @param metricsPath where metrics are served, e.g. {@code /metrics}; the decoded path, matched exactly
     */
    public OciDistributionRoutes(String metricsPath) {
        this.metricsPath = metricsPath;
    }

    /**
     * The part of a path outside the registry API before a {@code /v2/} segment in it (at most 64 characters) when what
     * follows is a registry route, as when a registry is served under another prefix, such as {@code /registry/v2/};
     * null for any other path.
     */
    static @Nullable String registryPrefix(String path) {
        int at = path.indexOf("/v2/");
        if (at <= 0) {
            return null;
        }
        String rest = path.substring(at);
        // registry-shaped below it (/v2/, the catalog, a repository route), not any application's /api/v2/users
        boolean registry = rest.equals("/v2/") || rest.startsWith("/v2/_catalog") || parsePath(rest).isPresent();
        return registry ? path.substring(0, Math.min(at, 64)) : null;
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
            if (path.regionMatches(true, 0, "/v2", 0, 3) && (path.length() == 3 || path.charAt(3) == '/')) {
                // a case-insensitive router would serve it as the registry API, unchecked: fail closed
                return new Route.Rejected(400, "UNSUPPORTED", "'" + path.substring(0, 3) + "' differs from '/v2' only in case; the registry API is /v2/");
            }
            String prefix = warnedAboutPrefix.get() ? null : registryPrefix(path); // looked for until it was found once
            if (prefix != null && !warnedAboutPrefix.getAndSet(true)) {
                LOG.warn("a request to '{}/v2/…' passed unchecked: these routes protect the registry API at /v2/ only, as zot's do. If a"
                        + " registry is served under '{}/v2/', anyone may use it: serve it at /v2/ (within the filter's context) or"
                        + " give Portcullis a RouteResolver for that prefix. Logged once.", prefix, prefix);
            }
            return new Route.Unprotected("outside the registry API");
        }
        if (path.equals("/v2/_catalog")) {
            return isRead(method) ? new Route.Catalog() : notAllowed(method, path);
        }
        Parsed m = parse(path);
        if (m == null) {
            return new Route.Rejected(404, "NOT_FOUND", "no registry route " + path);
        }
        String name = m.name;
        if (!isValidName(name)) {
            return new Route.Rejected(400, "NAME_INVALID", "'" + name + "' is not a valid repository name");
        }
        return switch (m.kind) {
            case MANIFEST -> manifests(method, name, m.rest, target);
            case UPLOAD -> switch (method) {
                case "GET", "HEAD" -> requires(name, Action.READ);
                case "DELETE" -> requires(name, Action.DELETE);
                case "POST", "PATCH", "PUT" -> upload(name, target);
                default -> notAllowed(method, path);
            };
            case BLOB -> {
                if (m.rest.equals("uploads") && method.equals("POST")) {
                    yield upload(name, target);
                }
                yield switch (method) {
                    case "GET", "HEAD" -> requires(name, Action.READ);
                    case "DELETE" -> requires(name, Action.DELETE);
                    default -> notAllowed(method, path);
                };
            }
            case TAGS, REFERRERS -> isRead(method) ? requires(name, Action.READ) : notAllowed(method, path);
        };
    }

    /** What a registry path names. */
    public enum Kind {
        /** {@code NAME/manifests/REF}: a manifest, by tag or digest. */
        MANIFEST,
        /** {@code NAME/blobs/uploads/} and {@code NAME/blobs/uploads/ID}: a blob upload, new or under way. */
        UPLOAD,
        /**
         * {@code NAME/blobs/DIGEST}: a blob. {@code NAME/blobs/uploads}, without the trailing slash, is one too, with
         * the digest {@code uploads}; the routes take a {@code POST} to it as a new upload.
         */
        BLOB,
        /** {@code NAME/tags/list}: the repository's tags. */
        TAGS,
        /** {@code NAME/referrers/DIGEST}: the manifests that refer to a digest. */
        REFERRERS
    }

    /**
     * A parsed registry path: the repository name, what it addresses, and the rest (the manifest
     * reference, the blob digest, the upload id — empty for a new upload or {@code tags/list}).
     *
     * @param name the repository name, possibly with slashes, such as {@code team/app}; not yet checked with
     *     {@link #isValidName}
     * @param kind what the path addresses
     * @param rest the last segment: the manifest's tag or digest, the blob's digest, the upload id; empty for a new
     *     upload or {@code tags/list}
     */
    public record Parsed(String name, Kind kind, String rest) {
    }

    /**
     * Parses a decoded {@code /v2/…} path the way the routes do, for applications that serve them:
     * empty for {@code /v2/}, the catalog, or anything that is no repository route.
     *
     * <pre>{@code
     * OciDistributionRoutes.parsePath("/v2/team/app/manifests/1.0");
     * // Optional[Parsed[name=team/app, kind=MANIFEST, rest=1.0]]
     * }</pre>
     *
     * @param path the decoded path, as {@link RequestTarget#path()} holds it
     * @return the repository name, the kind and the rest; {@code Optional.empty()} for a path that is no repository
     *     route
     */
    public static java.util.Optional<Parsed> parsePath(String path) {
        if (!path.startsWith("/v2/") || path.equals("/v2/") || path.equals("/v2/_catalog")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(parse(path));
    }

    /**
     * Parses {@code /v2/NAME/(manifests/REF | blobs/uploads/[ID] | blobs/DIGEST | tags/list | referrers/DIGEST)}
     * from the right, so that the name is as long as possible (as the greedy pattern in the spec).
     */
    private static @Nullable Parsed parse(String path) {
        int start = "/v2/".length(); // indices below are into path, without a substring per candidate
        if (path.length() - start >= "/tags/list".length() && path.endsWith("/tags/list")) {
            return named(path, start, path.length() - "/tags/list".length(), Kind.TAGS, "");
        }
        int lastSlash = path.lastIndexOf('/');
        if (lastSlash <= start) {
            return null;
        }
        String last = path.substring(lastSlash + 1);
        if (endsWith(path, start, lastSlash, "/blobs/uploads")) {
            return named(path, start, lastSlash - "/blobs/uploads".length(), Kind.UPLOAD, last);
        }
        if (last.isEmpty()) {
            return null;
        }
        if (endsWith(path, start, lastSlash, "/manifests")) {
            return named(path, start, lastSlash - "/manifests".length(), Kind.MANIFEST, last);
        }
        if (endsWith(path, start, lastSlash, "/blobs")) {
            return named(path, start, lastSlash - "/blobs".length(), Kind.BLOB, last);
        }
        if (endsWith(path, start, lastSlash, "/referrers")) {
            return named(path, start, lastSlash - "/referrers".length(), Kind.REFERRERS, last);
        }
        return null;
    }

    /** Whether {@code path} between {@code start} and {@code end} ends with {@code suffix}. */
    private static boolean endsWith(String path, int start, int end, String suffix) {
        return end - start >= suffix.length() && path.startsWith(suffix, end - suffix.length());
    }

    /** The route with the name {@code path[start, end)}, or null when the name is empty. */
    private static @Nullable Parsed named(String path, int start, int end, Kind kind, String rest) {
        return end <= start ? null : new Parsed(path.substring(start, end), kind, rest);
    }

    /**
     * Whether {@code name} is a valid OCI repository name: the distribution-spec grammar
     * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/…)*}, without a regex.
     *
     * @param name a repository name, such as {@code team/app}
     * @return true if every slash-separated component is lower-case letters and digits, joined by {@code .},
     *     {@code _}, {@code __} or a run of {@code -}; false for anything else, an empty name or component included
     */
    public static boolean isValidName(String name) {
        int i = 0;
        int n = name.length();
        while (true) {
            // a path component: alphanumerics, separated by '.', '_', '__' or any run of '-'
            if (i >= n || !alnum(name.charAt(i))) {
                return false;
            }
            while (i < n && alnum(name.charAt(i))) {
                i++;
            }
            while (i < n && name.charAt(i) != '/') {
                char c = name.charAt(i);
                if (c == '.') {
                    i++;
                } else if (c == '_') {
                    i += (i + 1 < n && name.charAt(i + 1) == '_') ? 2 : 1;
                } else if (c == '-') {
                    while (i < n && name.charAt(i) == '-') {
                        i++;
                    }
                } else {
                    return false;
                }
                if (i >= n || !alnum(name.charAt(i))) {
                    return false;
                }
                while (i < n && alnum(name.charAt(i))) {
                    i++;
                }
            }
            if (i >= n) {
                return true;
            }
            i++; // '/'
        }
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
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
            if (from.size() > 1) {
                // an application may take any of them: the one checked would be a guess
                return new Route.Rejected(400, "UNSUPPORTED", "more than one 'from' parameter in a cross-repository mount");
            }
            String source = from.get(0);
            if (!isValidName(source)) {
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

    /**
     * Names these routes for the line {@code Portcullis} logs at its start.
     *
     * @return e.g. {@code OCI distribution API under /v2/, metrics at /metrics}
     */
    @Override
    public String toString() {
        return "OCI distribution API under /v2/" + (metricsPath.equals("/metrics") ? "" : ", metrics at " + metricsPath);
    }
}
