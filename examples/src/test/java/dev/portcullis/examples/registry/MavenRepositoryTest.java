package dev.portcullis.examples.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The example's Maven repositories over HTTP on both front ends: what {@code mvn deploy} does, and what an attacker tries. */
class MavenRepositoryTest {
    private static final String APP = "/maven/releases/org/acme/app/";

    @TempDir
    Path data;
    RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    String ci;
    String admin;

    void start(RegistryServer.Kind kind) throws Exception {
        server = RegistryServer.start(new RegistryServer.Options(kind, null, data, 0, "127.0.0.1", null, RegistryServer.Store.MAVEN));
        ci = RegistryTest.key(server, "ci", "artifact-workloads");
        admin = RegistryTest.key(server, "root", "admins");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<byte[]> send(String method, String path, @Nullable String auth, byte @Nullable [] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    int put(String path, String auth, String content) throws Exception {
        return send("PUT", path, auth, content.getBytes(StandardCharsets.UTF_8)).statusCode();
    }

    String get(String path) throws Exception {
        HttpResponse<byte[]> r = send("GET", path, null, null);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String sha1(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    static String metadata(String... versions) {
        StringBuilder v = new StringBuilder();
        for (String s : versions) {
            v.append("<version>").append(s).append("</version>");
        }
        String last = versions[versions.length - 1];
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata><groupId>org.acme</groupId><artifactId>app</artifactId><versioning><latest>"
                + last + "</latest><release>" + last + "</release><versions>" + v + "</versions><lastUpdated>20261207101500</lastUpdated>"
                + "</versioning></metadata>";
    }

    /** What {@code mvn deploy} sends for one release: the jar and pom with checksums, then the merged metadata with its own. */
    void deploy(String auth, String version, String... versionsInMetadata) throws Exception {
        for (String ext : List.of("jar", "pom")) {
            String file = APP + version + "/app-" + version + "." + ext;
            String content = ext + " of " + version;
            assertThat(put(file, auth, content)).as(file).isEqualTo(201);
            assertThat(put(file + ".sha1", auth, sha1(content))).as(file + ".sha1").isEqualTo(201);
        }
        String m = metadata(versionsInMetadata);
        assertThat(put(APP + "maven-metadata.xml", auth, m)).isIn(200, 201);
        assertThat(put(APP + "maven-metadata.xml.sha1", auth, sha1(m))).isIn(200, 201);
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void aCreateOnlyKeyDeploysNewVersionsAndNeverRewritesOrDropsOne(RegistryServer.Kind kind) throws Exception {
        start(kind);
        assertThat(put(APP + "1.0/app-1.0.jar", null, "anonymous")).as("anonymous deploy").isEqualTo(401);
        deploy(ci, "1.0", "1.0");
        deploy(ci, "1.1", "1.0", "1.1");
        assertThat(get(APP + "maven-metadata.xml")).contains("<version>1.0</version><version>1.1</version>");
        assertThat(get(APP + "1.1/app-1.1.jar")).as("anonymous read").isEqualTo("jar of 1.1");
        assertThat(get(APP + "1.1/app-1.1.jar.sha1")).isEqualTo(sha1("jar of 1.1"));

        assertThat(put(APP + "1.0/app-1.0.jar", ci, "evil")).as("a release redeployed").isEqualTo(403);
        assertThat(put(APP + "1.0/app-1.0.jar.sha1", ci, sha1("evil"))).isEqualTo(403);
        assertThat(get(APP + "1.0/app-1.0.jar")).isEqualTo("jar of 1.0");
        assertThat(get(APP + "1.0/app-1.0.jar.sha1")).isEqualTo(sha1("jar of 1.0"));

        String before = get(APP + "maven-metadata.xml");
        HttpResponse<byte[]> dropped = send("PUT", APP + "maven-metadata.xml", ci, metadata("1.1").getBytes(StandardCharsets.UTF_8));
        assertThat(dropped.statusCode()).as("metadata that drops 1.0").isEqualTo(403);
        assertThat(new String(dropped.body(), StandardCharsets.UTF_8)).contains("may not update 'releases/org/acme/app'");
        assertThat(put(APP + "maven-metadata.xml.sha1", ci, sha1(metadata("1.1")))).as("a checksum of other metadata").isEqualTo(400);
        assertThat(get(APP + "maven-metadata.xml")).isEqualTo(before);
        assertThat(get(APP + "maven-metadata.xml.sha1")).isEqualTo(sha1(before));

        assertThat(put(APP + "1.0/app-1.0.jar", admin, "fixed")).as("an admin overwrites").isEqualTo(200);
        assertThat(send("GET", APP + "1.0/app-1.0.jar.sha1", null, null).statusCode()).as("the stale checksum went with it").isEqualTo(404);
        assertThat(put(APP + "maven-metadata.xml", admin, metadata("1.1"))).as("an admin rewrites the metadata").isEqualTo(200);
        assertThat(send("DELETE", APP + "1.0/app-1.0.jar", ci, null).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", APP + "1.0/app-1.0.jar", admin, null).statusCode()).isEqualTo(204);
        assertThat(send("GET", APP + "1.0/app-1.0.jar", null, null).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void snapshotBuildsAddToTheirVersionsMetadata(RegistryServer.Kind kind) throws Exception {
        start(kind);
        String dir = "/maven/snapshots/org/acme/app/1.2-SNAPSHOT/";
        for (int build = 1; build <= 2; build++) {
            String file = dir + "app-1.2-20261207.10150" + build + "-" + build + ".jar";
            assertThat(put(file, ci, "build " + build)).isEqualTo(201);
            String m = "<metadata modelVersion=\"1.1.0\"><groupId>org.acme</groupId><artifactId>app</artifactId><version>1.2-SNAPSHOT</version>"
                    + "<versioning><snapshot><timestamp>20261207.10150" + build + "</timestamp><buildNumber>" + build + "</buildNumber></snapshot>"
                    + "<snapshotVersions><snapshotVersion><extension>jar</extension><value>1.2-20261207.10150" + build + "-" + build
                    + "</value></snapshotVersion></snapshotVersions></versioning></metadata>";
            assertThat(put(dir + "maven-metadata.xml", ci, m)).as("build %d", build).isIn(200, 201);
        }
        assertThat(get(dir + "maven-metadata.xml")).contains("<buildNumber>2</buildNumber>");
        assertThat(put(dir + "maven-metadata.xml", ci, "<metadata><groupId>org.acme</groupId><artifactId>app</artifactId>"
                + "<version>1.2-SNAPSHOT</version><versioning><snapshot><timestamp>20261207.101501</timestamp><buildNumber>1</buildNumber>"
                + "</snapshot></versioning></metadata>")).as("back to build 1").isEqualTo(403);
        assertThat(get(dir + "maven-metadata.xml")).contains("<buildNumber>2</buildNumber>");
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void badInputGetsAClearRefusalAndStoresNothing(RegistryServer.Kind kind) throws Exception {
        start(kind);
        assertThat(send("PUT", APP + "1.0/other-1.0.jar", admin, new byte[] {1}).statusCode()).as("not the layout").isEqualTo(400);
        assertThat(send("GET", "/maven/releases/org/acme/app/1.0/..%2F..%2Fx", null, null).statusCode()).isEqualTo(400);
        assertThat(send("PUT", APP + "1.0/app-1.0.jar.sha1", admin, "0".repeat(40).getBytes(StandardCharsets.UTF_8)).statusCode())
                .as("a checksum of nothing").isEqualTo(409);
        assertThat(send("PUT", APP + "1.0/app-1.0.jar", admin, new byte[0]).statusCode()).as("no body").isEqualTo(400);
        assertThat(put(APP + "1.0/app-1.0.jar", admin, "jar")).isEqualTo(201);
        assertThat(put(APP + "1.0/app-1.0.jar.sha1", admin, "0".repeat(40))).as("a wrong checksum").isEqualTo(400);
        assertThat(put(APP + "1.0/app-1.0.jar.sha1", admin, sha1("jar") + "  app-1.0.jar\n")).as("sha1sum's format").isEqualTo(201);
        for (String bad : List.of("not xml", "<?xml version=\"1.0\"?><!DOCTYPE metadata [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><metadata>&x;</metadata>",
                "<project/>")) {
            assertThat(put(APP + "maven-metadata.xml", admin, bad)).as(bad).isEqualTo(400);
        }
        byte[] huge = ("<metadata>" + " ".repeat(2 << 20) + "</metadata>").getBytes(StandardCharsets.UTF_8);
        assertThat(send("PUT", APP + "maven-metadata.xml", admin, huge).statusCode()).isEqualTo(413);
        assertThat(send("GET", APP + "maven-metadata.xml", null, null).statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/maven/unknown/org/acme/app/1.0/app-1.0.jar", admin, new byte[] {1}).statusCode()).isEqualTo(404);
        try (var files = Files.walk(data.resolve("maven"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> data.resolve("maven").relativize(p).toString()))
                    .containsExactlyInAnyOrder("releases/org/acme/app/1.0/app-1.0.jar", "releases/org/acme/app/1.0/app-1.0.jar.sha1");
        }
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void aSlowCreateOnlyDeployLosesTheRaceToAVersionPublishedMeanwhile(RegistryServer.Kind kind) throws Exception {
        start(kind);
        String path = APP + "2.0/app-2.0.jar";
        byte[] slow = "ci's jar".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ci + "\r\nContent-Length: " + slow.length
                    + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(RegistryTest.readHead(in)).startsWith("HTTP/1.1 100");
            assertThat(put(path, admin, "admin's jar")).isEqualTo(201);
            out.write(slow);
            out.flush();
            assertThat(RegistryTest.readHead(in)).startsWith("HTTP/1.1 403");
        }
        assertThat(get(path)).isEqualTo("admin's jar");
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void directoriesListWhatTheyHoldToWhoMayReadThem(RegistryServer.Kind kind) throws Exception {
        start(kind);
        deploy(ci, "1.0", "1.0");
        assertThat(get("/maven/releases/org/acme/")).contains("<a href=\"app/\">app/</a>");
        assertThat(get(APP)).contains("1.0/").contains("maven-metadata.xml");
        HttpResponse<byte[]> missing = send("GET", "/maven/releases/org/none/", null, null);
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @org.junit.jupiter.api.Test
    void aConfigThatDoesNotListRepositoryIdsStopsTheStartNamingTheFile() throws Exception {
        for (String listed : List.of("\"releases\"", "[]", "[\"../etc\"]", "[1]")) {
            Path config = data.resolve("maven.json");
            Files.writeString(config, "{\"http\": {\"auth\": {\"apikey\": true}}, \"maven\": {\"repositories\": " + listed + "}}");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RegistryServer.start(new RegistryServer.Options(RegistryServer.Kind.JETTY,
                    config, data, 0, "127.0.0.1", null, RegistryServer.Store.MAVEN))).as(listed).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(config + ": maven.repositories must be");
        }
    }
}
