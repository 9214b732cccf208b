package dev.portcullis.netty.readme;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.portcullis.auth.conformance.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Netty embeddings of the README and docs/embedding.md, as a reader would run them, with a zot config.json in
 * which anyone may pull, {@code artifact-workloads} (ci) may push new tags but not overwrite them, and admins may do
 * everything. The storage holds {@code team/app:1.0}.
 */
class DocumentedEmbeddingTest {
    @TempDir
    Path dir;

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"readme", "reference"})
    void theNettyEmbeddingServesTheRegistryBehindPortcullis(String which) throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "ci:" + BCrypt.withDefaults().hashToString(4, "ci-password".toCharArray()) + "\n"
                + "ops:" + BCrypt.withDefaults().hashToString(4, "ops-password".toCharArray()) + "\n");
        Files.writeString(dir.resolve("config.json"), """
                {
                  "http": {
                    "realm": "registry",
                    "auth": { "htpasswd": { "path": "htpasswd" } },
                    "accessControl": {
                      "groups": { "artifact-workloads": { "users": ["ci"] }, "admins": { "users": ["ops"] } },
                      "repositories": {
                        "**": { "anonymousPolicy": ["read"], "policies": [{ "groups": ["artifact-workloads"], "actions": ["read", "create"] }] }
                      },
                      "adminPolicy": { "groups": ["admins"], "actions": ["read", "create", "update", "delete"] }
                    }
                  }
                }
                """);
        try (ExampleProcess netty = ExampleProcess.start(NettyEmbedding.class, dir, which, String.valueOf(freePort()))) {
            int port = netty.port();
            RawHttp.Response pull = RawHttp.send(port, "GET", "/v2/team/app/manifests/1.0");
            assertThat(pull.status()).as(netty.output()).isEqualTo(200);
            assertThat(pull.body()).isEqualTo("user=anonymous");
            RawHttp.Response anonymousPush = RawHttp.send(port, "PUT", "/v2/team/app/manifests/2.0");
            assertThat(anonymousPush.status()).isEqualTo(401);
            assertThat(anonymousPush.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"registry\",scope=\"repository:team/app:pull,push\"");
            RawHttp.Response newTag = RawHttp.send(port, "PUT", "/v2/team/app/manifests/2.0", basic("ci", "ci-password"));
            assertThat(newTag.status()).as(netty.output()).isEqualTo(201);
            assertThat(newTag.body()).isEqualTo("user=ci");
            assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", "ci-password")).status())
                    .as("1.0 exists: an update, which ci may not do").isEqualTo(403);
            assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ops", "ops-password")).status()).isEqualTo(201);
        }
    }
}
