package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.examples.registry.RegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The example registry against the real skopeo, on both front ends: the canonical zot hardening —
 * anonymous pull, no anonymous push, CI pushes new tags but cannot overwrite or delete them,
 * admins can, metrics open, a revoked key refused within the revocation bound, the catalog
 * filtered for anonymous callers. Keys are made and revoked by the registry's own command line
 * in a separate process while the server runs.
 */
@Tag("e2e")
class RegistrySkopeoTest {
    @TempDir
    Path dir;
    RegistryServer server;
    Skopeo skopeo;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The bundled configuration plus a private area that only admins may read. */
    Path config() throws IOException {
        String bundled = new String(RegistryServer.class.getResourceAsStream("/registry.json").readAllBytes(), StandardCharsets.UTF_8);
        String withPrivate = bundled.replace("\"repositories\": {", """
                "repositories": {
                        "private/**": { "policies": [ { "groups": ["admins"], "actions": ["read", "create", "update", "delete"] } ] },""");
        Path file = dir.resolve("registry.json");
        Files.writeString(file, withPrivate);
        return file;
    }

    /** Runs the registry's command line in its own JVM, as an operator would. */
    String cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.portcullis.examples.registry.RegistryCli"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out + err).isZero();
        return out;
    }

    String createKey(String user, String groups) throws Exception {
        String out = cli("keys", "create", "--config", config().toString(), "--user", user, "--groups", groups, "--label", user);
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    String registry(String repoTag) {
        return "docker://127.0.0.1:" + server.port() + "/" + repoTag;
    }

    Skopeo.Result push(OciLayout image, String repoTag, String creds) throws Exception {
        return creds == null
                ? skopeo.copy(image.reference(), registry(repoTag), "--dest-tls-verify=false", "--dest-no-creds")
                : skopeo.copy(image.reference(), registry(repoTag), "--dest-tls-verify=false", "--dest-creds", creds);
    }

    int get(String path, String user, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void theCanonicalHardeningHoldsForARealClient(RegistryServer.Kind kind) throws Exception {
        server = RegistryServer.start(new RegistryServer.Options(kind, config(), dir.resolve("data"), 0, "127.0.0.1", null));
        skopeo = new Skopeo(Files.createDirectories(dir.resolve("skopeo")));
        String ci = createKey("ci", "artifact-workloads");
        String admin = createKey("root", "admins");
        OciLayout first = OciLayout.write(dir.resolve("first"), "v1", 1, 2);
        OciLayout second = OciLayout.write(dir.resolve("second"), "v1", 2, 2);

        Skopeo.Result anonymousPush = push(first, "team/app:v1", null);
        assertThat(anonymousPush.succeeded()).as(anonymousPush.output()).isFalse();
        assertThat(anonymousPush.output().toLowerCase()).contains("unauthorized");

        push(first, "team/app:v1", "ci:" + ci).orFail();
        Skopeo.Result pulled = skopeo.copy(registry("team/app:v1"), "oci:" + dir.resolve("pulled") + ":v1", "--src-tls-verify=false", "--src-no-creds")
                .orFail();
        assertThat(skopeo.inspect("oci:" + dir.resolve("pulled") + ":v1").orFail().output()).contains(first.manifestDigest());

        Skopeo.Result overwrite = push(second, "team/app:v1", "ci:" + ci);
        assertThat(overwrite.succeeded()).as("CI may not overwrite a tag: " + overwrite.output()).isFalse();
        assertThat(overwrite.output()).containsIgnoringCase("denied");
        Skopeo.Result delete = skopeo.run("delete", "--tls-verify=false", "--creds", "ci:" + ci, registry("team/app:v1"));
        assertThat(delete.succeeded()).as("nor delete it: " + delete.output()).isFalse();
        push(second, "team/app:v2", "ci:" + ci).orFail();

        push(second, "team/app:v1", "root:" + admin).orFail();
        assertThat(skopeo.inspect(registry("team/app:v1"), "--tls-verify=false", "--no-creds").orFail().output()).contains(second.manifestDigest());
        skopeo.run("delete", "--tls-verify=false", "--creds", "root:" + admin, registry("team/app:v2")).orFail();
        push(first, "private/secret:v1", "root:" + admin).orFail();

        assertThat(get("/metrics", null, null)).isEqualTo(200);
        HttpResponse<String> catalog = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/_catalog")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(catalog.body()).isEqualTo("{\"repositories\":[\"team/app\"]}");
        assertThat(skopeo.inspect(registry("private/secret:v1"), "--tls-verify=false", "--no-creds").succeeded()).isFalse();

        // revocation from another process, while the server runs
        String id = ci.substring("pck_".length(), "pck_".length() + 11);
        assertThat(get("/v2/team/app/tags/list", "ci", ci)).isEqualTo(200);
        cli("keys", "revoke", "--config", config().toString(), id);
        Instant revoked = Instant.now();
        int status = 200;
        while (status != 401 && Duration.between(revoked, Instant.now()).compareTo(Duration.ofSeconds(5)) < 0) {
            status = get("/v2/team/app/tags/list", "ci", ci);
        }
        assertThat(status).as("refused within 5 s of the revocation").isEqualTo(401);
        System.out.printf("%s: revoked key refused after %d ms%n", kind, Duration.between(revoked, Instant.now()).toMillis());
    }
}
