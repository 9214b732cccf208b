package dev.portcullis.auth.routes;

import dev.portcullis.policy.Action;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Routes for Maven 2 repositories (the layout {@code mvn deploy} writes and every resolver reads) under a prefix:
 * {@code PREFIX/<repository-id>/<groupId as path>/<artifactId>/<version>/<file>}. The policy's repository name is
 * {@code <repository-id>/<groupId as path>/<artifactId>} ({@code releases/org/acme/app}), so that zot-style patterns
 * grant per repository ({@code releases/**}), per group ({@code releases/org/acme/**}) or per artifact.
 *
 * <pre>{@code
 * RouteResolver maven = MavenRoutes.under("/maven");
 * // GET /maven/releases/org/acme/app/1.0/app-1.0.jar        -> read on releases/org/acme/app
 * // PUT  …/app/1.1/app-1.1.jar (or its .sha1, .asc, …)      -> create if absent, update if present
 * // PUT  …/app/maven-metadata.xml (and its checksums)       -> create if it only adds versions, else update
 * }</pre>
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code GET|HEAD} any path below</td><td>read on the name the path falls under</td></tr>
 *   <tr><td>{@code PUT} an artifact's file: {@code <artifactId>-<version>[-<classifier>].<extension>}, checksums and
 *       signatures included; for a {@code -SNAPSHOT} version also timestamped builds</td><td>{@link Route.Writes}:
 *       update if the file exists, else create (the tag the {@link ExistenceLookup} gets is the path below the
 *       prefix)</td></tr>
 *   <tr><td>{@code PUT .../maven-metadata.xml} and its checksums: artifact-level (in the artifact's directory),
 *       snapshot version-level (in a {@code -SNAPSHOT} directory, named as the artifact), plugin group-level (in a
 *       group's directory, named as the group)</td><td>{@link Route.Adds}: update, or create when the new metadata
 *       keeps every version, snapshot build and plugin listed now (checked by the store at commit)</td></tr>
 *   <tr><td>{@code PUT|DELETE <repository-id>/archetype-catalog.xml}</td><td>update or delete on the repository id: a
 *       repository-wide index</td></tr>
 *   <tr><td>{@code DELETE} a file</td><td>delete on its name</td></tr>
 *   <tr><td>a directory ({@code GET .../org/acme/}, a listing)</td><td>read on the directory as a name
 *       ({@code releases/org/acme})</td></tr>
 *   <tr><td>anything else below the prefix (a file name that is not the layout's, a segment starting with a dot,
 *       characters outside {@code A-Z a-z 0-9 . _ - +}, a group-less artifact, other methods)</td><td>refused, 400 or
 *       405, before any credential is looked at</td></tr>
 *   <tr><td>{@code OPTIONS}, paths outside the prefix</td><td>not policy-checked</td></tr>
 * </table>
 */
public final class MavenRoutes implements RouteResolver {
    private static final String METADATA = "maven-metadata.xml";
    /** After {@code <artifactId>-<version>}: an optional classifier, then an extension of one or more parts. */
    private static final Pattern CLASSIFIER_AND_EXTENSION = Pattern.compile("(-[A-Za-z0-9_][A-Za-z0-9_.-]*)?(\\.[A-Za-z0-9]+)+");
    /** A snapshot build's version in file names: {@code 1.2-20261207.101500-3} for {@code 1.2-SNAPSHOT}. */
    private static final Pattern SNAPSHOT_BUILD = Pattern.compile("-[0-9]{8}\\.[0-9]{6}-[0-9]+");
    private static final Pattern METADATA_FILE = Pattern.compile("maven-metadata\\.xml(\\.asc)?(\\.(md5|sha1|sha256|sha512))?");
    private static final Pattern CATALOG_FILE = Pattern.compile("archetype-catalog\\.xml(\\.asc)?(\\.(md5|sha1|sha256|sha512))?");

    private final String prefix; // with its trailing slash

    private MavenRoutes(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Repositories at {@code prefix/<repository-id>/}.
     *
     * @param prefix literal path segments, such as {@code /maven}; a trailing {@code /} is dropped, and {@code /}
     *     alone puts the repositories at the root
     * @return the routes, immutable and thread-safe
     * @throws IllegalArgumentException for a prefix that is not {@code /} followed by literal segments
     */
    public static MavenRoutes under(String prefix) {
        String p = prefix.endsWith("/") && prefix.length() > 1 ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (!p.startsWith("/") || p.contains("//") || p.contains("{") || p.contains("*") || p.contains("?") || p.contains("\\")
                || p.contains("/./") || p.endsWith("/.") || p.contains("/../") || p.endsWith("/..")) {
            throw new IllegalArgumentException("Maven repositories' prefix '" + prefix + "' must be literal path segments, e.g. /maven");
        }
        return new MavenRoutes(p.equals("/") ? "/" : p + "/");
    }

    @Override
    public Route resolve(RequestTarget target) {
        String method = target.method();
        String path = target.path();
        if (method.equals("OPTIONS") || !path.startsWith(prefix)) {
            return new Route.Unprotected("outside the Maven repositories under " + prefix);
        }
        String rest = path.substring(prefix.length());
        if (rest.isEmpty()) {
            return new Route.Rejected(404, "NOT_FOUND", "name a repository: " + prefix + "<repository-id>/…");
        }
        boolean directory = rest.endsWith("/");
        String[] segments = (directory ? rest.substring(0, rest.length() - 1) : rest).split("/", -1);
        for (String s : segments) {
            if (!isSegment(s)) {
                return invalid(path, "the segment '" + s + "' is not a Maven repository id, group, artifact, version or file name"
                        + " (letters, digits, '.', '_', '-', '+', not starting with '.' or '-')");
            }
        }
        if (directory) {
            return switch (method) {
                case "GET", "HEAD" -> requires(String.join("/", segments), Action.READ);
                default -> notAllowed(method, path, "a directory");
            };
        }
        return file(method, path, rest, segments);
    }

    private static Route file(String method, String path, String rest, String[] s) {
        int n = s.length;
        String file = s[n - 1];
        if (n == 2 && CATALOG_FILE.matcher(file).matches()) {
            return switch (method) {
                case "GET", "HEAD" -> requires(s[0], Action.READ);
                case "PUT" -> requires(s[0], Action.UPDATE);
                case "DELETE" -> requires(s[0], Action.DELETE);
                default -> notAllowed(method, path, "a repository index");
            };
        }
        if (METADATA_FILE.matcher(file).matches()) {
            if (n < 3) {
                return invalid(path, "maven-metadata.xml belongs in a group's, an artifact's or a snapshot version's directory");
            }
            // a snapshot version's metadata is the artifact's; any other is its directory's (an artifact's or a group's)
            boolean snapshot = n >= 4 && s[n - 2].endsWith("-SNAPSHOT");
            String name = join(s, snapshot ? n - 2 : n - 1);
            return switch (method) {
                case "GET", "HEAD" -> requires(name, Action.READ);
                case "PUT" -> new Route.Protected(List.of(new Route.Adds(name, rest)));
                case "DELETE" -> requires(name, Action.DELETE);
                default -> notAllowed(method, path, "repository metadata");
            };
        }
        if (n < 5) {
            return invalid(path, "an artifact's file is <repository-id>/<group>/<artifactId>/<version>/<file>, with a group of at least"
                    + " one segment");
        }
        String artifactId = s[n - 3];
        String version = s[n - 2];
        if (!isArtifactFile(file, artifactId, version)) {
            return invalid(path, "'" + file + "' is not a file of " + artifactId + " " + version + " (" + artifactId + "-" + version
                    + "[-classifier].extension)");
        }
        String name = join(s, n - 2);
        return switch (method) {
            case "GET", "HEAD" -> requires(name, Action.READ);
            case "PUT" -> new Route.Protected(List.of(new Route.Writes(name, rest)));
            case "DELETE" -> requires(name, Action.DELETE);
            default -> notAllowed(method, path, "an artifact's file");
        };
    }

    /** {@code <artifactId>-<version>[-<classifier>].<extension>}, where a snapshot's version may be one of its builds. */
    static boolean isArtifactFile(String file, String artifactId, String version) {
        String start = artifactId + "-";
        if (!file.startsWith(start)) {
            return false;
        }
        String rest = file.substring(start.length());
        if (rest.startsWith(version) && CLASSIFIER_AND_EXTENSION.matcher(rest.substring(version.length())).matches()) {
            return true;
        }
        if (!version.endsWith("-SNAPSHOT")) {
            return false;
        }
        String base = version.substring(0, version.length() - "-SNAPSHOT".length());
        if (!rest.startsWith(base)) {
            return false;
        }
        var build = SNAPSHOT_BUILD.matcher(rest).region(base.length(), rest.length());
        return build.lookingAt() && CLASSIFIER_AND_EXTENSION.matcher(rest.substring(build.end())).matches();
    }

    /** {@code [A-Za-z0-9_][A-Za-z0-9._+-]*}, checked without a regular expression (every request's every segment). */
    private static boolean isSegment(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(0) == '-' || s.charAt(0) == '+') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+')) {
                return false;
            }
        }
        return true;
    }

    private static String join(String[] segments, int count) {
        return String.join("/", java.util.Arrays.asList(segments).subList(0, count));
    }

    private static Route requires(String name, Action action) {
        return new Route.Protected(List.of(new Route.Requires(name, action)));
    }

    private static Route invalid(String path, String why) {
        return new Route.Rejected(400, "INVALID_PATH", path + " is not a Maven repository path: " + why);
    }

    private static Route notAllowed(String method, String path, String what) {
        return new Route.Rejected(405, "UNSUPPORTED", method + " is not supported on " + path + " (" + what + ")");
    }

    /**
     * Names these routes for the line {@code Portcullis} logs at its start.
     *
     * @return e.g. {@code Maven repositories under /maven/}
     */
    @Override
    public String toString() {
        return "Maven repositories under " + prefix;
    }
}
