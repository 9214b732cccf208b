package dev.portcullis.examples.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The registry's OCI API and the canonical policy, over HTTP, on both front ends. */
class RegistryTest {
    @TempDir
    Path data;
    RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    String ci;
    String admin;

    void start(RegistryServer.Kind kind) throws Exception {
        server = RegistryServer.start(new RegistryServer.Options(kind, null, data, 0, "127.0.0.1", null));
        ci = key(server, "ci", "artifact-workloads");
        admin = key(server, "root", "admins");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String basic(String user, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** A new API key in the server's key store for a user in one group, as a Basic {@code Authorization} value. */
    static String key(RegistryServer server, String user, String group) throws Exception {
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(server.config().keyStore());
             ApiKeyService keys = ApiKeyService.builder(store).build()) {
            return basic(user, keys.create(new ApiKeyService.KeyRequest(user, List.of(group), "test", List.of(), null, "test")).token());
        }
    }

    HttpResponse<byte[]> send(String method, String path, String auth, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String digest(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** Pushes one blob in chunks (POST, PATCH, PUT) and returns its digest. */
    String chunked(String repo, byte[] content, String auth) throws Exception {
        HttpResponse<byte[]> start = send("POST", "/v2/" + repo + "/blobs/uploads/", auth, null, null);
        assertThat(start.statusCode()).isEqualTo(202);
        String location = start.headers().firstValue("Location").orElseThrow();
        int half = content.length / 2;
        HttpResponse<byte[]> patch = send("PATCH", location, auth, "application/octet-stream", java.util.Arrays.copyOf(content, half));
        assertThat(patch.statusCode()).isEqualTo(202);
        assertThat(patch.headers().firstValue("Range")).contains("0-" + (half - 1));
        String d = digest(content);
        HttpResponse<byte[]> put = send("PUT", location + "?digest=" + d, auth, "application/octet-stream",
                java.util.Arrays.copyOfRange(content, half, content.length));
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return d;
    }

    byte[] manifest(String config, String layer, int configSize, int layerSize) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":" + configSize + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer + "\",\"size\":" + layerSize + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void pushPullAndTheCanonicalPolicy(RegistryServer.Kind kind) throws Exception {
        start(kind);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[300_000];
        new java.util.Random(7).nextBytes(layer);
        assertThat(send("POST", "/v2/team/app/blobs/uploads/", null, null, null).statusCode()).as("anonymous push").isEqualTo(401);

        String configDigest = digest(config);
        HttpResponse<byte[]> mono = send("POST", "/v2/team/app/blobs/uploads/?digest=" + configDigest, ci, "application/octet-stream", config);
        assertThat(mono.statusCode()).isEqualTo(201);
        String layerDigest = chunked("team/app", layer, ci);
        byte[] m = manifest(configDigest, layerDigest, config.length, layer.length);
        String type = "application/vnd.oci.image.manifest.v1+json";
        HttpResponse<byte[]> put = send("PUT", "/v2/team/app/manifests/v1", ci, type, m);
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).contains(digest(m));

        HttpResponse<byte[]> pulled = send("GET", "/v2/team/app/manifests/v1", null, null, null);
        assertThat(pulled.statusCode()).as("anonymous pull").isEqualTo(200);
        assertThat(pulled.body()).isEqualTo(m);
        assertThat(pulled.headers().firstValue("Content-Type")).contains(type);
        assertThat(pulled.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(send("PUT", "/v2/team/app/manifests/" + digest(m), ci, "application/vnd.oci.image.index.v1+json", m).statusCode())
                .as("a push by digest (create) cannot restate the type of what is stored").isEqualTo(400);
        HttpResponse<byte[]> head = send("HEAD", "/v2/team/app/manifests/v1", null, null, null);
        assertThat(head.headers().firstValue("Content-Length")).contains(Integer.toString(m.length));
        assertThat(send("GET", "/v2/team/app/blobs/" + layerDigest, null, null, null).body()).isEqualTo(layer);
        assertThat(new String(send("GET", "/v2/team/app/tags/list", null, null, null).body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"team/app\",\"tags\":[\"v1\"]}");

        byte[] other = manifest(configDigest, layerDigest, config.length, layer.length + 0);
        byte[] changed = new String(other, StandardCharsets.UTF_8).replace("\"schemaVersion\":2,", "\"schemaVersion\":2,\"annotations\":{\"x\":\"y\"},")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(send("PUT", "/v2/team/app/manifests/v1", ci, type, changed).statusCode()).as("CI may not overwrite a tag").isEqualTo(403);
        assertThat(send("DELETE", "/v2/team/app/manifests/v1", ci, null, null).statusCode()).as("nor delete").isEqualTo(403);
        assertThat(send("PUT", "/v2/team/app/manifests/v2", ci, type, changed).statusCode()).as("a new tag is fine").isEqualTo(201);
        assertThat(send("PUT", "/v2/team/app/manifests/v1", admin, type, changed).statusCode()).as("admins overwrite").isEqualTo(201);
        assertThat(send("DELETE", "/v2/team/app/manifests/v2", admin, null, null).statusCode()).isEqualTo(202);

        HttpResponse<byte[]> badDigest = send("POST", "/v2/team/app/blobs/uploads/?digest=" + digest("x".getBytes(StandardCharsets.UTF_8)), ci,
                "application/octet-stream", config);
        assertThat(badDigest.statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/v2/team/app/manifests/v3", ci, type, manifest(configDigest, digest(new byte[1]), 1, 1)).statusCode())
                .as("a manifest naming a blob the repository lacks").isEqualTo(400);

        HttpResponse<byte[]> mount = send("POST", "/v2/team/copy/blobs/uploads/?mount=" + layerDigest + "&from=team/app", ci, null, null);
        assertThat(mount.statusCode()).as("mounted").isEqualTo(201);
        assertThat(new String(send("GET", "/metrics", null, null, null).body(), StandardCharsets.UTF_8))
                .as("the registry's meters and Portcullis's").contains("registry_requests_total")
                .contains("portcullis_decisions_total{granted_by=\"group\",outcome=\"allowed\"}")
                .contains("portcullis_authentications_total{method=\"api_key\"}")
                .contains("portcullis_apikey_cache_total{result=\"hit\"}").contains("portcullis_argon2_seconds_count");
        assertThat(new String(send("GET", "/v2/_catalog", null, null, null).body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"repositories\":[\"team/app\"]}");
    }

    /** zot's live reload: the policy of the --config file changes under the running registry; --data is applied again. */
    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void thePolicyOfTheConfigFileReloadsLive(RegistryServer.Kind kind) throws Exception {
        String policy = """
                {"http": {"auth": {"apikey": true}, "accessControl": {
                  "repositories": {"**": {%s "policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}]}}}}}
                """;
        Path config = java.nio.file.Files.writeString(data.resolve("live.json"), policy.formatted("\"anonymousPolicy\": [\"read\"],"));
        server = RegistryServer.start(new RegistryServer.Options(kind, config, data, 0, "127.0.0.1", null));
        ci = key(server, "ci", "artifact-workloads");
        assertThat(send("GET", "/v2/team/app/tags/list", null, null, null).statusCode()).as("anonymous read").isEqualTo(404);

        java.nio.file.Files.writeString(config, policy.formatted(""));
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(15);
        int anonymous;
        do {
            java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(50).toNanos()); // the watcher looks every second
            anonymous = send("GET", "/v2/team/app/tags/list", null, null, null).statusCode();
        } while (anonymous != 401 && java.time.Instant.now().isBefore(deadline));
        assertThat(anonymous).as("anonymous read withdrawn by the new file").isEqualTo(401);
        assertThat(send("GET", "/v2/team/app/tags/list", ci, null, null).statusCode()).as("the key store of --data still serves").isEqualTo(404);
    }

    /** zot's detectManifestCollision: a digest that several tags name is not deleted for those given it; admins are never held. */
    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void detectManifestCollisionKeepsADigestThatSeveralTagsName(RegistryServer.Kind kind) throws Exception {
        Path config = java.nio.file.Files.writeString(data.resolve("collision.json"), """
                {"http": {"auth": {"apikey": true}, "accessControl": {
                  "repositories": {"**": {"anonymousPolicy": ["read"],
                    "policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create", "delete", "detectManifestCollision"]}]}},
                  "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]}}}}
                """);
        server = RegistryServer.start(new RegistryServer.Options(kind, config, data, 0, "127.0.0.1", null));
        ci = key(server, "ci", "artifact-workloads");
        admin = key(server, "root", "admins");
        byte[] config0 = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String c = digest(config0);
        assertThat(send("POST", "/v2/team/app/blobs/uploads/?digest=" + c, ci, "application/octet-stream", config0).statusCode()).isEqualTo(201);
        byte[] m = manifest(c, c, config0.length, config0.length);
        String type = "application/vnd.oci.image.manifest.v1+json";
        assertThat(send("PUT", "/v2/team/app/manifests/v1", ci, type, m).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/v2/team/app/manifests/v2", ci, type, m).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> collision = send("DELETE", "/v2/team/app/manifests/" + digest(m), ci, null, null);
        assertThat(collision.statusCode()).as("two tags name the digest").isEqualTo(409);
        assertThat(new String(collision.body(), StandardCharsets.UTF_8)).contains("MANIFEST_INVALID");
        assertThat(send("GET", "/v2/team/app/manifests/v1", null, null, null).statusCode()).as("nothing was deleted").isEqualTo(200);
        assertThat(send("DELETE", "/v2/team/app/manifests/v2", ci, null, null).statusCode()).as("a tag alone").isEqualTo(202);
        assertThat(send("DELETE", "/v2/team/app/manifests/" + digest(m), ci, null, null).statusCode()).as("one tag left").isEqualTo(202);
        assertThat(send("GET", "/v2/team/app/manifests/v1", null, null, null).statusCode()).isEqualTo(404);

        assertThat(send("PUT", "/v2/team/app/manifests/v1", ci, type, m).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/v2/team/app/manifests/v2", ci, type, m).statusCode()).isEqualTo(201);
        assertThat(send("DELETE", "/v2/team/app/manifests/" + digest(m), admin, null, null).statusCode())
                .as("never for admins, as in zot: the digest and both tags go").isEqualTo(202);
        assertThat(send("GET", "/v2/team/app/manifests/v2", null, null, null).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void optionsIsAnsweredWithoutContentAndOnlyManifestTypesAreStored(RegistryServer.Kind kind) throws Exception {
        start(kind);
        // OPTIONS is not policy-checked (CORS preflights, as in zot): the registry must not serve anything to it
        for (String path : List.of("/v2/team/app/tags/list", "/metrics", "/v2/team/app/manifests/v1")) {
            HttpResponse<byte[]> options = send("OPTIONS", path, null, null, null);
            assertThat(options.statusCode()).as(path).isEqualTo(204);
            assertThat(options.body()).as(path).isEmpty();
        }
        byte[] page = "{\"x\":\"<script>alert(document.domain)</script>\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> html = send("PUT", "/v2/team/app/manifests/evil", ci, "text/html", page);
        assertThat(html.statusCode()).as("served back as its Content-Type, it would script the registry's origin").isEqualTo(400);
        assertThat(send("GET", "/v2/team/app/manifests/evil", admin, null, null).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void anUploadSessionBelongsToItsRepository(RegistryServer.Kind kind) throws Exception {
        start(kind);
        String location = send("POST", "/v2/team/app/blobs/uploads/", ci, null, null).headers().firstValue("Location").orElseThrow();
        String foreign = location.replace("/team/app/", "/team/other/");
        assertThat(send("PATCH", foreign, ci, "application/octet-stream", new byte[] {1}).statusCode()).isEqualTo(404);
        assertThat(send("GET", location, ci, null, null).statusCode()).isEqualTo(204);
    }

    /**
     * A push allowed only as a create (CI may create but not update) holds its body; meanwhile an admin publishes the
     * tag. The registry commits the slow push only if the tag is still absent: it answers the denial of an update, and
     * the admin's manifest stays. The client asks {@code Expect: 100-continue}, which both front ends answer only after
     * Portcullis allowed the head: from then on, the decision is taken.
     */
    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void aSlowCreateOnlyPushLosesTheRaceToATagPublishedMeanwhile(RegistryServer.Kind kind) throws Exception {
        start(kind);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = digest(config);
        assertThat(send("POST", "/v2/team/race/blobs/uploads/?digest=" + configDigest, ci, "application/octet-stream", config).statusCode())
                .isEqualTo(201);
        String layerDigest = chunked("team/race", new byte[] {1, 2, 3}, ci);
        byte[] slow = manifest(configDigest, layerDigest, config.length, 3);
        byte[] published = new String(slow, StandardCharsets.UTF_8).replace("\"schemaVersion\":2,", "\"schemaVersion\":2,\"annotations\":{\"by\":\"admin\"},")
                .getBytes(StandardCharsets.UTF_8);
        String type = "application/vnd.oci.image.manifest.v1+json";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PUT /v2/team/race/manifests/release HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ci + "\r\nContent-Type: " + type
                    + "\r\nContent-Length: " + slow.length + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 100");
            assertThat(send("PUT", "/v2/team/race/manifests/release", admin, type, published).statusCode()).isEqualTo(201);
            out.write(slow);
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 403");
            int length = Integer.parseInt(head.replaceAll("(?is).*\r\ncontent-length: *([0-9]+).*", "$1"));
            assertThat(new String(in.readNBytes(length), StandardCharsets.UTF_8)).isEqualTo("{\"errors\":[{\"code\":\"DENIED\","
                    + "\"message\":\"requested access to the resource is denied\",\"detail\":{\"reason\":\"user 'ci' may not update 'team/race'\"}}]}");
        }
        assertThat(send("GET", "/v2/team/race/manifests/release", null, null, null).body()).isEqualTo(published);
        assertThat(send("GET", "/v2/team/race/manifests/" + digest(slow), admin, null, null).statusCode())
                .as("nothing of the losing push is stored").isEqualTo(404);
    }

    /** A response head, up to and including its blank line. */
    static String readHead(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed after " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
