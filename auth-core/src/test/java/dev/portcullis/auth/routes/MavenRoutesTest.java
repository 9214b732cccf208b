package dev.portcullis.auth.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MavenRoutesTest {
    private static final MavenRoutes MAVEN = MavenRoutes.under("/maven");

    private static Route maven(String method, String path) {
        return MAVEN.resolve(new RequestTarget(method, path, Map.of()));
    }

    private static Route requires(String repo, Action action) {
        return new Route.Protected(List.of(new Route.Requires(repo, action)));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} on {2}")
    @CsvSource(textBlock = """
            GET,    /maven/releases/org/acme/app/1.0/app-1.0.jar,                           releases/org/acme/app,       READ
            HEAD,   /maven/releases/org/acme/app/1.0/app-1.0.pom.sha1,                      releases/org/acme/app,       READ
            GET,    /maven/releases/org/acme/app/maven-metadata.xml,                        releases/org/acme/app,       READ
            GET,    /maven/releases/org/acme/app/maven-metadata.xml.sha256,                 releases/org/acme/app,       READ
            GET,    /maven/snapshots/org/acme/app/1.2-SNAPSHOT/maven-metadata.xml,          snapshots/org/acme/app,      READ
            GET,    /maven/releases/org/apache/maven/plugins/maven-metadata.xml,            releases/org/apache/maven/plugins, READ
            GET,    /maven/releases/org/acme/,                                              releases/org/acme,           READ
            GET,    /maven/releases/,                                                       releases,                    READ
            GET,    /maven/releases/archetype-catalog.xml,                                  releases,                    READ
            PUT,    /maven/releases/archetype-catalog.xml,                                  releases,                    UPDATE
            DELETE, /maven/releases/org/acme/app/1.0/app-1.0.jar,                           releases/org/acme/app,       DELETE
            DELETE, /maven/releases/org/acme/app/maven-metadata.xml,                        releases/org/acme/app,       DELETE
            GET,    /maven/releases/Org/Acme/My_App/2.0+build.7/My_App-2.0+build.7.jar,     releases/Org/Acme/My_App,    READ
            """)
    void fixedActions(String method, String path, String repo, Action action) {
        assertThat(maven(method, path)).isEqualTo(requires(repo, action));
    }

    @ParameterizedTest(name = "PUT {0}")
    @ValueSource(strings = {"app-1.1.jar", "app-1.1.pom", "app-1.1.module", "app-1.1-sources.jar", "app-1.1-javadoc.jar", "app-1.1.jar.md5",
        "app-1.1.jar.sha1", "app-1.1.jar.sha256", "app-1.1.jar.sha512", "app-1.1.jar.asc", "app-1.1.jar.asc.sha1", "app-1.1-dist.tar.gz",
        "app-1.1-linux-x86_64.zip"})
    void anArtifactsFilesAreWritesOfThatFileToTheArtifact(String file) {
        assertThat(maven("PUT", "/maven/releases/org/acme/app/1.1/" + file)).isEqualTo(
                new Route.Protected(List.of(new Route.Writes("releases/org/acme/app", "releases/org/acme/app/1.1/" + file))));
    }

    @ParameterizedTest(name = "PUT {0}")
    @ValueSource(strings = {"app-1.2-SNAPSHOT.jar", "app-1.2-20261207.101500-1.jar", "app-1.2-20261207.101500-12-sources.jar",
        "app-1.2-20261207.101500-1.pom.sha1"})
    void snapshotBuildsAreFilesOfTheirSnapshotVersion(String file) {
        assertThat(maven("PUT", "/maven/snapshots/org/acme/app/1.2-SNAPSHOT/" + file)).isEqualTo(
                new Route.Protected(List.of(new Route.Writes("snapshots/org/acme/app", "snapshots/org/acme/app/1.2-SNAPSHOT/" + file))));
    }

    @ParameterizedTest(name = "PUT {0} -> adds to {1}")
    @CsvSource(textBlock = """
            /maven/releases/org/acme/app/maven-metadata.xml,                 releases/org/acme/app
            /maven/releases/org/acme/app/maven-metadata.xml.sha1,            releases/org/acme/app
            /maven/releases/org/acme/app/maven-metadata.xml.md5,             releases/org/acme/app
            /maven/snapshots/org/acme/app/1.2-SNAPSHOT/maven-metadata.xml,   snapshots/org/acme/app
            /maven/releases/org/acme/plugins/maven-metadata.xml,             releases/org/acme/plugins
            """)
    void metadataWritesAddUnlessTheCallerMayUpdate(String path, String repo) {
        assertThat(maven("PUT", path)).isEqualTo(new Route.Protected(List.of(new Route.Adds(repo, path.substring("/maven/".length())))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(textBlock = """
            PUT,  /maven/releases/org/acme/app/1.1/other-1.1.jar
            PUT,  /maven/releases/org/acme/app/1.1/app-1.2.jar
            PUT,  /maven/releases/org/acme/app/1.1/app-1.1
            PUT,  /maven/releases/org/acme/app/1.1/app-1.1-.jar
            PUT,  /maven/releases/org/acme/app/1.1/app-1.1..jar
            GET,  /maven/releases/org/acme/app/1.1/readme.txt
            PUT,  /maven/releases/app/1.1/app-1.1.jar
            PUT,  /maven/releases/maven-metadata.xml
            PUT,  /maven/releases/org/acme/app/maven-metadata-local.xml
            PUT,  /maven/releases/org/acme/app/1.2-SNAPSHOT/app-1.2-2026.jar
            GET,  /maven/releases/.index/nexus-maven-repository-index.gz
            GET,  /maven/releases/org/acme/app/1.0/.app-1.0.jar
            GET,  /maven/releases/org/acme/app/1.0/-app-1.0.jar
            GET,  /maven/releases/org/ac me/app/1.0/app-1.0.jar
            GET,  /maven/releases/org/acme/app/1.0/app-1.0.jar%00
            GET,  /maven/releases/org/*/app/1.0/app-1.0.jar
            GET,  /maven/releases/org/acme/app/{1.0}/app-{1.0}.jar
            """)
    void whatIsNotTheLayoutIsRefusedBeforeAnyCredential(String method, String path) {
        assertThat(maven(method, path)).isInstanceOfSatisfying(Route.Rejected.class, r -> assertThat(r.status()).isEqualTo(400));
    }

    @Test
    void otherMethodsAndWritesToDirectoriesAre405() {
        assertThat(maven("POST", "/maven/releases/org/acme/app/1.0/app-1.0.jar")).isInstanceOfSatisfying(Route.Rejected.class,
                r -> assertThat(r.status()).isEqualTo(405));
        assertThat(maven("MKCOL", "/maven/releases/org/acme/app/1.0/")).isInstanceOfSatisfying(Route.Rejected.class,
                r -> assertThat(r.status()).isEqualTo(405));
        assertThat(maven("PUT", "/maven/releases/org/acme/")).isInstanceOfSatisfying(Route.Rejected.class,
                r -> assertThat(r.status()).isEqualTo(405));
    }

    @Test
    void outsideThePrefixAndOptionsAreNotPolicyChecked() {
        assertThat(maven("GET", "/v2/team/app/manifests/v1")).isInstanceOf(Route.Unprotected.class);
        assertThat(maven("GET", "/mavenish/releases/org/acme/app/1.0/app-1.0.jar")).isInstanceOf(Route.Unprotected.class);
        assertThat(maven("OPTIONS", "/maven/releases/org/acme/app/1.0/app-1.0.jar")).isInstanceOf(Route.Unprotected.class);
        assertThat(maven("GET", "/maven/")).isInstanceOfSatisfying(Route.Rejected.class, r -> assertThat(r.status()).isEqualTo(404));
        assertThat(maven("GET", "/maven")).isInstanceOf(Route.Unprotected.class);
    }

    @Test
    void thePrefixMayBeTheRootOrEndInASlash() {
        Route atRoot = MavenRoutes.under("/").resolve(new RequestTarget("GET", "/releases/org/acme/app/1.0/app-1.0.jar", Map.of()));
        assertThat(atRoot).isEqualTo(requires("releases/org/acme/app", Action.READ));
        Route slashed = MavenRoutes.under("/repo/maven/").resolve(new RequestTarget("GET", "/repo/maven/releases/org/acme/", Map.of()));
        assertThat(slashed).isEqualTo(requires("releases/org/acme", Action.READ));
    }

    @ParameterizedTest
    @ValueSource(strings = {"maven", "/maven/{repo}", "/maven/*", "/a//b", "/a/../b", "/a/./b", "/a\\b"})
    void aPrefixThatIsNotLiteralSegmentsIsRefused(String prefix) {
        assertThatThrownBy(() -> MavenRoutes.under(prefix)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(prefix);
    }
}
