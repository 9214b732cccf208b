package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.examples.registry.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code ctr}. Docker pulls without logging in through the registry token flow and checks credentials at
 * {@code docker login}.
 */
@Tag("e2e")
class RegistryDockerTest {
    @TempDir
    static Path daemonDir;
    static Docker docker;

    @TempDir
    Path dir;
    RegistryServer server;

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

        // containerd's ctr: anonymous pull; no anonymous push
        docker.ctr("images", "pull", "--plain-http", app + ":v1").orFail();
        docker.ctr("images", "tag", app + ":v1", app + ":ctr").orFail();
        Docker.Result ctrAnonymousPush = docker.ctr("images", "push", "--plain-http", app + ":ctr");
        assertThat(ctrAnonymousPush.succeeded()).as(ctrAnonymousPush.output()).isFalse();
    }

}
