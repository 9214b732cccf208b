package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.examples.registry.RegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The example registry with its bundled configuration (anyone may pull, {@code artifact-workloads} may push new tags,
 * admins may do everything) against the clients people use, on both front ends: Docker's own daemon and CLI, containerd's
 * {@code ctr}, podman and skopeo. Docker pulls without logging in through the registry token flow, checks credentials at
 * {@code docker login}, and a revoked key's token stops working.
 */
@Tag("e2e")
class RegistryDockerTest {
    @TempDir
    static Path daemonDir;
    static Docker docker;

    @TempDir
    Path dir;
    RegistryServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startDocker() throws Exception {
        assertThat(Docker.installed()).as("docker.io, containerd and podman are installed by .ci/run").isTrue();
        docker = Docker.start(daemonDir);
    }

    @AfterAll
    static void stopDocker() {
        if (docker != null) {
            docker.close();
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Runs the registry's command line in its own JVM, as an operator would; answers its last line. */
    String cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.portcullis.examples.registry.RegistryCli"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    String createKey(String user, String groups) throws Exception {
        return cli("keys", "create", "--data", dir.resolve("data").toString(), "--user", user, "--groups", groups, "--label", user);
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void dockerPullsAnonymouslyAndPushesAfterLogin(RegistryServer.Kind kind) throws Exception {
        server = RegistryServer.start(new RegistryServer.Options(kind, null, dir.resolve("data"), 0, "127.0.0.1", null));
        String host = "127.0.0.1:" + server.port();
        String ci = createKey("ci", "artifact-workloads");
        String admin = createKey("root", "admins");
        String app = host + "/team/app-" + kind.name().toLowerCase();
        docker.importImage(app + ":v1", "first " + kind);
        docker.importImage(host + "/other/image:v1", "second " + kind);

        Docker.Result wrong = docker.docker("login", "--username", "ci", "--password-stdin", host);
        assertThat(wrong.succeeded()).as("login without a password: " + wrong.output()).isFalse();
        Docker.Result wrongKey = docker.docker("login", "--username", "ci", "--password", ci.substring(0, ci.length() - 1) + "x", host);
        assertThat(wrongKey.succeeded()).as("a wrong key fails at login: " + wrongKey.output()).isFalse();
        assertThat(wrongKey.output()).containsIgnoringCase("unauthorized");

        docker.docker("login", "--username", "ci", "--password", ci, host).orFail();
        docker.docker("push", app + ":v1").orFail();
        String pushedId = docker.docker("image", "inspect", "--format", "{{.Id}}", app + ":v1").orFail().output().strip();

        // anonymous pull, as most users of a public registry do
        docker.docker("logout", host).orFail();
        docker.docker("rmi", app + ":v1").orFail();
        Docker.Result pulled = docker.docker("pull", app + ":v1");
        assertThat(pulled.succeeded()).as("docker pull without logging in: " + pulled.output()).isTrue();
        assertThat(docker.docker("image", "inspect", "--format", "{{.Id}}", app + ":v1").orFail().output().strip()).isEqualTo(pushedId);
        Docker.Result anonymousPush = docker.docker("push", app + ":v1");
        assertThat(anonymousPush.succeeded()).as("no anonymous push: " + anonymousPush.output()).isFalse();

        // CI pushes new tags but may not overwrite one; an admin may
        docker.docker("login", "--username", "ci", "--password", ci, host).orFail();
        docker.docker("tag", host + "/other/image:v1", app + ":v2").orFail();
        docker.docker("push", app + ":v2").orFail();
        docker.docker("tag", host + "/other/image:v1", app + ":v1").orFail();
        Docker.Result overwrite = docker.docker("push", app + ":v1");
        assertThat(overwrite.succeeded()).as("CI may not overwrite a tag: " + overwrite.output()).isFalse();
        assertThat(overwrite.output()).containsIgnoringCase("denied");
        docker.docker("login", "--username", "root", "--password", admin, host).orFail();
        docker.docker("push", app + ":v1").orFail();
        docker.docker("logout", host).orFail();

        // containerd's ctr: anonymous pull; push with --user of an image whose layer is new to the registry, so that
        // the first request that needs credentials is the upload's POST. (When the blobs are there already, the first one
        // is the manifest PUT, and containerd 1.6 may deadlock retrying it after the 401 while it writes its body into the
        // first attempt: a known race of its pusher, containerd/containerd#8379, fixed in 1.7.)
        docker.ctr("images", "pull", "--plain-http", app + ":v1").orFail();
        docker.importImage(app + ":ctr", "third " + kind);
        Path archive = dir.resolve("ctr.tar");
        docker.docker("save", "--output", archive.toString(), app + ":ctr").orFail();
        docker.ctr("images", "import", archive.toString()).orFail();
        Docker.Result ctrAnonymousPush = docker.ctr("images", "push", "--plain-http", app + ":ctr");
        assertThat(ctrAnonymousPush.succeeded()).as("no anonymous push: " + ctrAnonymousPush.output()).isFalse();
        docker.ctr("images", "push", "--plain-http", "--user", "ci:" + ci, app + ":ctr").orFail();

        // podman: anonymous pull, push after podman login; a wrong key fails at login
        docker.podman("pull", "--tls-verify=false", app + ":v2").orFail();
        assertThat(docker.podman("login", "--tls-verify=false", "--username", "ci", "--password", "pck_wrong", host).succeeded()).isFalse();
        docker.podman("login", "--tls-verify=false", "--username", "ci", "--password", ci, host).orFail();
        docker.podman("tag", app + ":v2", app + ":podman").orFail();
        docker.podman("push", "--tls-verify=false", app + ":podman").orFail();
        docker.podman("logout", host).orFail();

        // skopeo, with and without credentials
        Skopeo skopeo = new Skopeo(dir.resolve("skopeo"));
        skopeo.inspect("docker://" + app + ":podman", "--tls-verify=false", "--no-creds").orFail();
        skopeo.copy("docker://" + app + ":v2", "docker://" + app + ":skopeo", "--src-tls-verify=false", "--src-no-creds",
                "--dest-tls-verify=false", "--dest-creds", "ci:" + ci).orFail();

        // a token minted from a key stops working once the key is revoked (by the command line, in another process)
        String repository = "team/app-" + kind.name().toLowerCase();
        String token = token(host, ci, "repository:" + repository + ":pull,push");
        assertThat(status(host, "/v2/" + repository + "/tags/list", token)).isEqualTo(200);
        cli("keys", "revoke", "--data", dir.resolve("data").toString(), ci.substring("pck_".length(), "pck_".length() + 11));
        Instant revoked = Instant.now();
        int status = 200;
        while (status != 401 && Duration.between(revoked, Instant.now()).compareTo(Duration.ofSeconds(5)) < 0) {
            status = status(host, "/v2/" + repository + "/tags/list", token);
        }
        assertThat(status).as("the revoked key's token is refused within 5 s").isEqualTo(401);
        System.out.printf("%s: the revoked key's token refused after %d ms%n", kind, Duration.between(revoked, Instant.now()).toMillis());
    }

    /** A token of ci's key from the token service, as a client fetches one. */
    String token(String host, String key, String scope) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/auth/token?service=portcullis-registry&scope=" + scope))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ci:" + key).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body()).get("token").asText();
    }

    int status(String host, String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

}
