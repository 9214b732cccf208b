package dev.portcullis.auth.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoutesTest {
    private static Route oci(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        Map<String, List<String>> query = RequestPaths.query(q < 0 ? "" : pathAndQuery.substring(q + 1)).orElseThrow();
        return OciDistributionRoutes.INSTANCE.resolve(new RequestTarget(method, path, query));
    }

    private static Route requires(String repo, Action action) {
        return new Route.Protected(List.of(new Route.Requires(repo, action)));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} on {2}")
    @CsvSource(textBlock = """
            GET,    /v2/team/app/manifests/latest,                  team/app,     READ
            HEAD,   /v2/team/app/manifests/sha256:abc,              team/app,     READ
            GET,    /v2/a/b/c/blobs/sha256:abc,                     a/b/c,        READ
            GET,    /v2/team/app/tags/list,                         team/app,     READ
            GET,    /v2/team/app/referrers/sha256:abc,              team/app,     READ
            GET,    /v2/team/app/blobs/uploads/5f2a,                team/app,     READ
            POST,   /v2/team/app/blobs/uploads/,                    team/app,     CREATE
            POST,   /v2/team/app/blobs/uploads,                     team/app,     CREATE
            PATCH,  /v2/team/app/blobs/uploads/5f2a,                team/app,     CREATE
            PUT,    /v2/team/app/blobs/uploads/5f2a,                team/app,     CREATE
            PUT,    /v2/team/app/manifests/sha256:abc,              team/app,     CREATE
            DELETE, /v2/team/app/manifests/sha256:abc,              team/app,     DELETE
            DELETE, /v2/team/app/blobs/sha256:abc,                  team/app,     DELETE
            DELETE, /v2/team/app/blobs/uploads/5f2a,                team/app,     DELETE
            GET,    /v2/blobs/manifests/blobs/sha256:abc,           blobs/manifests, READ
            GET,    /v2/a/manifests/b/manifests/v1,                 a/manifests/b, READ
            """)
    void ociRequestsMapToTheActionOnTheRepository(String method, String path, String repo, Action action) {
        assertThat(oci(method, path)).isEqualTo(requires(repo, action));
    }

    @Test
    void aManifestPutByTagAsksWhetherTheTagExists() {
        assertThat(oci("PUT", "/v2/team/app/manifests/v1.0")).isEqualTo(new Route.Protected(List.of(new Route.Writes("team/app", "v1.0"))));
        assertThat(oci("PUT", "/v2/team/app/manifests/sha256:abc?tag=v1&tag=latest")).isEqualTo(new Route.Protected(List.of(
                new Route.Writes("team/app", "v1"), new Route.Writes("team/app", "latest"))));
    }

    @Test
    void aCrossRepositoryMountAlsoAsksAboutTheSource() {
        assertThat(oci("POST", "/v2/team/app/blobs/uploads/?mount=sha256:abc&from=other/base")).isEqualTo(new Route.Protected(List.of(
                new Route.Requires("team/app", Action.CREATE), new Route.MountsFrom("other/base"))));
        assertThat(oci("POST", "/v2/team/app/blobs/uploads/?mount=sha256:abc&from=Bad..Name"))
                .isEqualTo(new Route.Rejected(400, "NAME_INVALID", "'Bad..Name' is not a valid repository name"));
        assertThat(oci("POST", "/v2/team/app/blobs/uploads/?mount=sha256:abc&from=team/app&from=infra/secret"))
                .isEqualTo(new Route.Rejected(400, "UNSUPPORTED", "more than one 'from' parameter in a cross-repository mount"));
    }

    @Test
    void versionCheckOptionsCatalogAndMetrics() {
        assertThat(oci("GET", "/v2/")).isInstanceOf(Route.Unprotected.class);
        assertThat(oci("GET", "/v2")).isInstanceOf(Route.Unprotected.class);
        assertThat(oci("OPTIONS", "/v2/team/app/manifests/latest")).isInstanceOf(Route.Unprotected.class);
        assertThat(oci("GET", "/v2/_catalog?n=10")).isEqualTo(new Route.Catalog());
        assertThat(oci("GET", "/metrics")).isEqualTo(new Route.Metrics());
        assertThat(oci("GET", "/index.html")).isInstanceOf(Route.Unprotected.class);
        assertThat(oci("GET", "/v2x/team/app/manifests/latest")).isInstanceOf(Route.Unprotected.class);
    }

    @Test
    void aRegistryUnderAnotherPrefixPassesUncheckedAsInZotAndIsNamedForTheWarning() {
        assertThat(oci("PUT", "/registry/v2/team/app/manifests/latest")).isEqualTo(new Route.Unprotected("outside the registry API"));
        assertThat(OciDistributionRoutes.registryPrefix("/registry/v2/team/app/manifests/latest")).isEqualTo("/registry");
        assertThat(OciDistributionRoutes.registryPrefix("/a/b/v2/")).isEqualTo("/a/b");
        assertThat(OciDistributionRoutes.registryPrefix("/" + "p".repeat(100) + "/v2/x/tags/list")).hasSize(64);
        assertThat(OciDistributionRoutes.registryPrefix("/api/v2/users")).as("an application's own v2").isNull();
        assertThat(OciDistributionRoutes.registryPrefix("/v2/team/app/manifests/latest")).isNull();
        assertThat(OciDistributionRoutes.registryPrefix("/index.html")).isNull();
        assertThat(OciDistributionRoutes.registryPrefix("/v2x/team/app")).isNull();
        assertThat(OciDistributionRoutes.registryPrefix("/registry/v2")).as("no registry route without a slash after it").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/V2/team/app/manifests/latest", "/V2/", "/V2", "/V2/_catalog"})
    void caseVariantsOfV2AreRefusedNotPassedOnUnchecked(String path) {
        assertThat(oci("PUT", path)).isEqualTo(new Route.Rejected(400, "UNSUPPORTED", "'/V2' differs from '/v2' only in case; the registry API is /v2/"));
    }

    @Test
    void invalidNamesUnknownRoutesAndWrongMethodsAreRefusedBeforeAuthentication() {
        assertThat(oci("GET", "/v2/Team/app/manifests/latest")).isEqualTo(new Route.Rejected(400, "NAME_INVALID",
                "'Team/app' is not a valid repository name"));
        assertThat(oci("GET", "/v2/te*m/manifests/latest")).isEqualTo(new Route.Rejected(400, "NAME_INVALID",
                "'te*m' is not a valid repository name"));
        assertThat(oci("GET", "/v2/team/app/nothing")).isEqualTo(new Route.Rejected(404, "NOT_FOUND", "no registry route /v2/team/app/nothing"));
        assertThat(oci("POST", "/v2/team/app/manifests/latest")).isEqualTo(new Route.Rejected(405, "UNSUPPORTED",
                "POST is not supported on /v2/team/app/manifests/latest"));
        assertThat(oci("DELETE", "/v2/_catalog")).isEqualTo(new Route.Rejected(405, "UNSUPPORTED", "DELETE is not supported on /v2/_catalog"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v2/tags/list", "/v2/manifests/latest", "/v2/blobs/uploads/", "/v2/blobs/sha256:ab", "/v2/referrers/sha256:ab",
            "/v2/team", "/v2/team/manifests/", "/v2/team/blobs/"})
    void aRouteWithoutARepositoryNameOrReferenceIsNone(String path) {
        assertThat(oci("GET", path)).isEqualTo(new Route.Rejected(404, "NOT_FOUND", "no registry route " + path));
        assertThat(OciDistributionRoutes.parsePath(path)).isEmpty();
    }

    @Test
    void theNameIsEverythingBeforeTheLastAnchor() {
        assertThat(OciDistributionRoutes.parsePath("/v2/a/manifests/b/manifests/c")).contains(
                new OciDistributionRoutes.Parsed("a/manifests/b", OciDistributionRoutes.Kind.MANIFEST, "c"));
        assertThat(OciDistributionRoutes.parsePath("/v2/a/blobs/uploads/")).contains(
                new OciDistributionRoutes.Parsed("a", OciDistributionRoutes.Kind.UPLOAD, ""));
        assertThat(OciDistributionRoutes.parsePath("/v2/a/b/tags/list")).contains(
                new OciDistributionRoutes.Parsed("a/b", OciDistributionRoutes.Kind.TAGS, ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /v2/team%2Fapp/manifests/latest     | encoded '/' or any '\\' in the path is ambiguous
            /v2/team%2fapp/manifests/latest     | encoded '/' or any '\\' in the path is ambiguous
            /v2/team%5Capp/manifests/latest     | encoded '/' or any '\\' in the path is ambiguous
            /v2/team\\app/manifests/latest       | encoded '/' or any '\\' in the path is ambiguous
            /v2/team/../secret/manifests/latest | '.' and '..' segments are not accepted
            /v2/team/%2e%2e/secret/manifests/x  | '.' and '..' segments are not accepted
            /v2/./team/manifests/latest         | '.' and '..' segments are not accepted
            /v2//team/manifests/latest          | empty path segments ('//') are not accepted
            /v2/team;x=1/app/manifests/latest   | ';' path parameters are not accepted
            /v2/team%3Bx/manifests/latest       | ';' path parameters are not accepted
            /v2/team%00/manifests/latest        | control characters (NUL, CR, LF…) in the path are not accepted
            /v2/team%0d%0a/manifests/latest     | control characters (NUL, CR, LF…) in the path are not accepted
            /v2/team%zz/manifests/latest        | invalid percent-encoding or UTF-8 in the path
            /v2/team%c0%af/manifests/latest     | invalid percent-encoding or UTF-8 in the path
            /v2/team%/manifests/latest          | invalid percent-encoding or UTF-8 in the path
            v2/team/manifests/latest            | the path must start with '/'
            /v2/team/app/manifests/latest#      | a '#' is not part of a request target (a fragment is never sent; encode it as %23)
            /metrics#x                          | a '#' is not part of a request target (a fragment is never sent; encode it as %23)
            /v2/team%2fapp/manifests/x#y        | a '#' is not part of a request target (a fragment is never sent; encode it as %23)
            """)
    void ambiguousPathsAreRefused(String raw, String problem) {
        assertThat(RequestPaths.check(raw)).isEqualTo(new RequestPaths.Checked(null, problem));
    }

    @Test
    void aBackslashOrSemicolonIsTheReasonGivenWhateverElseIsWrongWithThePath() {
        String parameters = "';' path parameters are not accepted";
        String slash = "encoded '/' or any '\\' in the path is ambiguous";
        assertThat(RequestPaths.check("/v2//team;x").problem()).isEqualTo(parameters);
        assertThat(RequestPaths.check("/v2/./team\\x").problem()).isEqualTo(slash);
        assertThat(RequestPaths.check("/v2/team\u0001/a;b\\c").problem()).isEqualTo(parameters);
        assertThat(RequestPaths.check("/v2/team\\a;b//c").problem()).isEqualTo(slash);
        assertThat(RequestPaths.check("/v2/team\u007f/x").problem()).isEqualTo("control characters (NUL, CR, LF…) in the path are not accepted");
    }

    @Test
    void theShortCutForPlainPathsAgreesWithTheFullCheckOnEveryShortPath() {
        char[] alphabet = {'/', '.', 'a', ';', '\\', '%', '2', 'f', '\u0001', '\u007f', ' ', '-', '#'};
        List<String> paths = new ArrayList<>(List.of("", "a", "%2f", "/"));
        for (int length = 1; length <= 5; length++) {
            int[] digits = new int[length];
            for (long n = 0; n < Math.pow(alphabet.length, length); n++) {
                StringBuilder path = new StringBuilder("/");
                for (int d : digits) {
                    path.append(alphabet[d]);
                }
                paths.add(path.toString());
                for (int i = 0; i < length && ++digits[i] == alphabet.length; i++) {
                    digits[i] = 0;
                }
            }
        }
        for (String path : paths) {
            assertThat(RequestPaths.check(path)).as(path).isEqualTo(RequestPaths.fullCheck(path));
        }
    }

    @Test
    void dotsInsideSegmentsAndATrailingSlashAreHarmless() {
        for (String ok : List.of("/v2/team/.hidden/manifests/x", "/v2/team/x./manifests/y", "/v2/team/..x/blobs/uploads/", "/v2/a/", "/")) {
            assertThat(RequestPaths.check(ok)).as(ok).isEqualTo(new RequestPaths.Checked(ok, null));
        }
        for (String bad : List.of("/v2/team/.", "/v2/team/..", "/v2/./", "/v2//", "/.")) {
            assertThat(RequestPaths.check(bad).ok()).as(bad).isFalse();
        }
    }

    @Test
    void plainAndHarmlesslyEncodedPathsDecode() {
        assertThat(RequestPaths.check("/v2/team/app/manifests/sha256%3Aabc")).isEqualTo(new RequestPaths.Checked("/v2/team/app/manifests/sha256:abc", null));
        assertThat(RequestPaths.check("/v2/")).isEqualTo(new RequestPaths.Checked("/v2/", null));
        assertThat(RequestPaths.query("tag=a&tag=b&from=x%2Fy&n").orElseThrow())
                .isEqualTo(Map.of("tag", List.of("a", "b"), "from", List.of("x/y"), "n", List.of("")));
        assertThat(RequestPaths.query("a=%zz")).isEmpty();
    }

    @Test
    void genericStoreRoutesFromATemplate() {
        PathRoutes maven = PathRoutes.of("/maven/{repo}/**");
        RequestTarget get = new RequestTarget("GET", "/maven/releases/org/acme/app/1.0/app-1.0.jar", Map.of());
        assertThat(maven.resolve(get)).isEqualTo(requires("releases", Action.READ));
        assertThat(maven.resolve(new RequestTarget("PUT", "/maven/releases/org/acme/app/1.0/app-1.0.jar", Map.of())))
                .isEqualTo(new Route.Protected(List.of(new Route.Writes("releases", "org/acme/app/1.0/app-1.0.jar"))));
        assertThat(maven.resolve(new RequestTarget("DELETE", "/maven/snapshots/x", Map.of()))).isEqualTo(requires("snapshots", Action.DELETE));
        assertThat(maven.resolve(new RequestTarget("POST", "/maven/snapshots/x", Map.of()))).isEqualTo(requires("snapshots", Action.CREATE));
        assertThat(maven.resolve(new RequestTarget("GET", "/mavenish/x", Map.of()))).isInstanceOf(Route.Unprotected.class);
        assertThat(maven.resolve(new RequestTarget("GET", "/maven/", Map.of()))).isEqualTo(new Route.Rejected(404, "NOT_FOUND", "no repository in /maven/"));
        assertThat(PathRoutes.of("/files/{repo}").resolve(new RequestTarget("GET", "/files/a/b", Map.of())))
                .isEqualTo(new Route.Rejected(404, "NOT_FOUND", "/files/a/b does not match /files/{repo}"));
        assertThatThrownBy(() -> PathRoutes.of("/maven/{repo}/{x}")).hasMessageContaining("must be literal segments, then {repo}");
    }

    @Test
    void aGenericStoresRepositoryMayHaveSeveralSegments() {
        PathRoutes files = PathRoutes.of("/files/{repo:2}/**");
        assertThat(files.resolve(new RequestTarget("GET", "/files/team/site/guide/v1.pdf", Map.of()))).isEqualTo(requires("team/site", Action.READ));
        assertThat(files.resolve(new RequestTarget("PUT", "/files/team/site/guide/v1.pdf", Map.of())))
                .isEqualTo(new Route.Protected(List.of(new Route.Writes("team/site", "guide/v1.pdf"))));
        assertThat(files.resolve(new RequestTarget("GET", "/files/team/site", Map.of()))).isEqualTo(requires("team/site", Action.READ));
        for (String tooShort : List.of("/files/team", "/files/team/", "/files/", "/files//site/x")) {
            assertThat(files.resolve(new RequestTarget("GET", tooShort, Map.of()))).as(tooShort)
                    .isEqualTo(new Route.Rejected(404, "NOT_FOUND", "no repository of 2 segments in " + tooShort + " (/files/{repo:2}/**)"));
        }
        assertThat(PathRoutes.of("/files/{repo:1}").resolve(new RequestTarget("GET", "/files/a", Map.of()))).isEqualTo(requires("a", Action.READ));
        for (String bad : List.of("/files/{repo:0}/**", "/files/{repo:17}", "/files/{repo:x}", "/files/{repo}{repo}", "files/{repo}", "/a/*/{repo}")) {
            assertThatThrownBy(() -> PathRoutes.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
        }
    }

    /** The spec's grammar as a regular expression: the reference for the hand-written validator. */
    private static final java.util.regex.Pattern OCI_NAME = java.util.regex.Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"a", "a.b", "a__b", "a---b", "a/b/c", "a-b.c_d/e0", "library/alpine",
        "A", "a..b", "a___b", "a_.b", "-a", "a-", "a/", "/a", "a//b", "a.", "_a", "a b", "a/B", "ä", "", "a/-b", "0", "a__b__c-d"})
    void theNameValidatorFollowsTheSpecGrammar(String name) {
        assertThat(OciDistributionRoutes.isValidName(name)).isEqualTo(OCI_NAME.matcher(name).matches());
    }
}
