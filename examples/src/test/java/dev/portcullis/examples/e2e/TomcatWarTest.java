package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example WAR ({@code examples/war}: PortcullisFilter declared in {@code web.xml} alone, its configuration
 * {@code examples/war/config.json} with API keys in the default SQLite store of the data directory beside it) on a
 * real Tomcat distribution ({@link TomcatProcess}). It protects the application as the configuration says, its key
 * store is owner-only, and undeploying it leaves nothing behind by Tomcat's own leak detection: no thread, JDBC
 * driver or ThreadLocal of the web application's.
 */
@Tag("e2e")
class TomcatWarTest {
    /** What Tomcat prints when a web application fails to start for want of a driver, or leaves something behind when it stops. */
    static final List<String> LEAKS_AND_FAILURES = List.of("No suitable driver", "failed to stop it", "failed to unregister it",
            "ThreadLocal with key", "memory leak", "startup failed", "failed to start");

    @TempDir
    Path dir;

    @Test
    void theWarWorksFromWebXmlAloneAndUndeployingItLeavesNothingBehind() throws Exception {
        Path config = Files.createDirectories(dir.resolve("registry")).resolve("config.json");
        Files.copy(Path.of(System.getProperty("portcullis.warConfig")), config);
        Path data = config.resolveSibling("data"); // the configuration's default data directory
        Path war = Path.of(System.getProperty("portcullis.war"));

        TomcatProcess tomcat = TomcatProcess.start(dir.resolve("tomcat"), "registry", war, List.of("-Dportcullis.config=" + config));
        try {
            assertThat(problems(tomcat.console())).as("what Tomcat printed while deploying the WAR").isEmpty();
            // the filter opened (and so created) the key store when the WAR deployed; the operator's command line adds a key
            String token = createKey(data.resolve("keys.db"), "ci", "artifact-workloads");
            String manifest = "/registry/v2/team/app/manifests/v1";

            assertThat(send(tomcat, "GET", manifest, null)).isEqualTo("200 user=anonymous");
            assertThat(send(tomcat, "GET", "/registry/v2/private/app/manifests/v1", null)).as("private/** has no anonymous policy")
                    .startsWith("401 ");
            assertThat(send(tomcat, "PUT", manifest, basic("ci", token))).isEqualTo("201 user=ci");
            assertThat(send(tomcat, "PUT", manifest, basic("ci", token))).as("artifact-workloads may create tags, not overwrite them")
                    .startsWith("403 ");
            String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
            assertThat(send(tomcat, "PUT", "/registry/v2/team/app/manifests/v2", basic("ci", tampered))).startsWith("401 ");

            assertThat(mode(data)).isEqualTo("rwx------");
            for (String file : List.of("keys.db", "keys.db-wal", "keys.db-shm", "keys.db-journal")) {
                if (file.equals("keys.db") || Files.exists(data.resolve(file))) {
                    assertThat(mode(data.resolve(file))).as(file).isEqualTo("rw-------");
                }
            }

            tomcat.undeploy("registry");
            assertThat(send(tomcat, "GET", manifest, null)).as("the context is gone").startsWith("404 ");
            assertThat(problems(tomcat.console())).as("what Tomcat printed up to the undeploy").isEmpty();
        } catch (AssertionError | IOException e) {
            tomcat.close(); // its log files are complete once it has stopped
            e.addSuppressed(new AssertionError("what Tomcat logged:\n" + String.join("\n", problems(tomcat.logFiles()))));
            throw e;
        } finally {
            tomcat.close();
        }
        assertThat(problems(tomcat.console() + tomcat.logFiles())).as("what Tomcat printed and logged, up to its stop").isEmpty();
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static List<String> problems(String log) {
        return log.lines().filter(line -> LEAKS_AND_FAILURES.stream().anyMatch(line::contains)).toList();
    }

    /** {@code portcullis-keys create}, the jar the build makes; returns the token (the last line it prints). */
    private static String createKey(Path store, String user, String group) throws IOException, InterruptedException {
        Process cli = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("portcullis.keysCli"), "create", "--store", store.toString(), "--user", user, "--groups", group,
                "--label", "e2e").redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        return lines.get(lines.size() - 1);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The status and body, as {@code "201 user=ci"}. */
    private static String send(TomcatProcess tomcat, String method, String path, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tomcat.url(path)))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
