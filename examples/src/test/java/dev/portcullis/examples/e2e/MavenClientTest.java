package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.examples.registry.RegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example's Maven repositories against the real Maven client: Debian's {@code mvn} and Apache Maven 3.9 (unpacked by
 * the e2e profile), on both front ends, with a fresh local repository each time and the build's own local repository as
 * the only other remote (file://, so that the plugins resolve without a network).
 */
@Tag("e2e")
class MavenClientTest {
    private static final String DEPLOY = "org.apache.maven.plugins:maven-deploy-plugin:" + System.getProperty("portcullis.deployPlugin", "3.1.3")
            + ":deploy-file";
    private static final String DEPENDENCY = "org.apache.maven.plugins:maven-dependency-plugin:"
            + System.getProperty("portcullis.dependencyPlugin", "3.8.1");

    @TempDir
    Path dir;
    RegistryServer server;
    final HttpClient http = HttpClient.newHttpClient();
    String mvn;
    final Map<String, String> keys = new LinkedHashMap<>(); // user -> token

    static Stream<Arguments> clients() {
        List<Arguments> all = new ArrayList<>();
        String maven39 = System.getProperty("maven39.home");
        for (RegistryServer.Kind kind : RegistryServer.Kind.values()) {
            all.add(Arguments.of("Debian's mvn", "mvn", kind));
            if (maven39 != null) {
                all.add(Arguments.of("Apache Maven 3.9", Path.of(maven39, "bin", "mvn").toString(), kind));
            }
        }
        return all.stream();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The bundled Maven configuration, a repository {@code internal} that only CI may read, and group acme-ci for org.acme. */
    void start(String client, RegistryServer.Kind kind) throws Exception {
        mvn = client;
        String bundled = new String(RegistryServer.class.getResourceAsStream("/maven.json").readAllBytes(), StandardCharsets.UTF_8);
        String config = bundled.replace("\"repositories\": {", """
                "repositories": {
                        "internal/**": { "policies": [ { "groups": ["artifact-workloads"], "actions": ["read", "create"] } ] },
                        "releases/org/acme/**": { "anonymousPolicy": ["read"], "defaultPolicy": ["read"],
                          "policies": [ { "groups": ["artifact-workloads", "acme-ci"], "actions": ["read", "create"] } ] },""")
                .replace("\"repositories\": [\"releases\", \"snapshots\"]", "\"repositories\": [\"releases\", \"snapshots\", \"internal\"]");
        Path file = dir.resolve("maven.json");
        Files.writeString(file, config);
        server = RegistryServer.start(new RegistryServer.Options(kind, file, dir.resolve("data"), 0, "127.0.0.1", null, RegistryServer.Store.MAVEN));
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(server.config().keyStore());
             ApiKeyService service = ApiKeyService.builder(store).build()) {
            for (String[] user : new String[][] {{"ci", "artifact-workloads"}, {"acme", "acme-ci"}, {"root", "admins"}}) {
                keys.put(user[0], service.create(new ApiKeyService.KeyRequest(user[0], List.of(user[1]), "e2e", List.of(), null, "test")).token());
            }
        }
    }

    String url(String repository) {
        return "http://127.0.0.1:" + server.port() + "/maven/" + repository;
    }

    /** A settings.xml with this user's key for the server id {@code portcullis} (none for null), plugins from file://. */
    Path settings(@Nullable String user) throws IOException {
        String plugins = Path.of(System.getProperty("portcullis.pluginRepository", System.getProperty("user.home") + "/.m2/repository"))
                .toUri().toString();
        String server = user == null ? "" : "<servers><server><id>portcullis</id><username>" + user + "</username><password>" + keys.get(user)
                + "</password></server></servers>";
        Path file = dir.resolve("settings-" + (user == null ? "anonymous" : user) + ".xml");
        Files.writeString(file, "<settings><localRepository>" + dir.resolve("m2-" + (user == null ? "anonymous" : user)) + "</localRepository>"
                + server + "<profiles><profile><id>plugins</id><repositories><repository><id>central</id><url>" + plugins + "</url></repository>"
                + "</repositories><pluginRepositories><pluginRepository><id>central</id><url>" + plugins + "</url></pluginRepository>"
                + "</pluginRepositories></profile></profiles><activeProfiles><activeProfile>plugins</activeProfile></activeProfiles></settings>");
        return file;
    }

    record Run(int exit, String output) {
    }

    Run maven(@Nullable String user, Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-e", "-s", settings(user).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("MAVEN_OPTS", "-Xmx256m");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("mvn %s finished", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** {@code mvn deploy:deploy-file} of a jar whose content names it, with a generated pom. */
    Run deploy(String user, String repository, String groupId, String artifactId, String version, String content) throws Exception {
        Path jar = dir.resolve(artifactId + "-" + version + "-" + user + ".jar");
        Files.writeString(jar, content);
        return maven(user, dir, DEPLOY, "-Dfile=" + jar, "-DgroupId=" + groupId, "-DartifactId=" + artifactId, "-Dversion=" + version,
                "-Dpackaging=jar", "-DrepositoryId=portcullis", "-Durl=" + url(repository));
    }

    HttpResponse<byte[]> send(String method, String path, @Nullable String user, byte @Nullable [] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + keys.get(user)).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    String get(String path) throws Exception {
        HttpResponse<byte[]> r = send("GET", path, null, null);
        assertThat(r.statusCode()).as("GET " + path).isEqualTo(200);
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** Every file under a directory of the store, with the SHA-256 of its content. */
    Map<String, String> files(String directory) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        Path root = dir.resolve("data/maven");
        try (Stream<Path> all = Files.walk(root.resolve(directory))) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(f).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    Run resolve(@Nullable String user, String repository, String coordinates) throws Exception {
        return maven(user, dir, DEPENDENCY + ":get", "-Dartifact=" + coordinates, "-Dtransitive=false",
                "-DremoteRepositories=portcullis::default::" + url(repository));
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("clients")
    void aCiKeyDeploysNewVersionsAndSnapshotsButNeverRewritesAReleaseAnonymousReadersResolveThem(String name, String client,
            RegistryServer.Kind kind) throws Exception {
        start(client, kind);
        for (String version : List.of("1.0", "1.1")) {
            Run r = deploy("ci", "releases", "org.acme", "app", version, "app " + version);
            assertThat(r.exit()).as(r.output()).isZero();
        }
        for (int build = 1; build <= 2; build++) {
            Run r = deploy("ci", "snapshots", "org.acme", "app", "1.2-SNAPSHOT", "snapshot build " + build);
            assertThat(r.exit()).as(r.output()).isZero();
        }
        assertThat(get("/maven/releases/org/acme/app/maven-metadata.xml")).contains("<version>1.0</version>").contains("<version>1.1</version>");
        assertThat(get("/maven/snapshots/org/acme/app/1.2-SNAPSHOT/maven-metadata.xml")).contains("<buildNumber>2</buildNumber>");

        Map<String, String> before = files("releases/org/acme/app");
        Run redeploy = deploy("ci", "releases", "org.acme", "app", "1.0", "evil");
        assertThat(redeploy.exit()).isNotZero();
        assertThat(redeploy.output()).contains("403");
        String metadata = get("/maven/releases/org/acme/app/maven-metadata.xml");
        String dropped = metadata.replace("<version>1.0</version>", "");
        assertThat(send("PUT", "/maven/releases/org/acme/app/maven-metadata.xml", "ci", dropped.getBytes(StandardCharsets.UTF_8)).statusCode())
                .as("metadata without 1.0").isEqualTo(403);
        assertThat(files("releases/org/acme/app")).as("every byte of 1.0 and the metadata as they were").isEqualTo(before);

        Run anonymous = resolve(null, "releases", "org.acme:app:1.1");
        assertThat(anonymous.exit()).as(anonymous.output()).isZero();
        assertThat(dir.resolve("m2-anonymous/org/acme/app/1.1/app-1.1.jar")).hasContent("app 1.1");
        Path consumer = Files.createDirectories(dir.resolve("consumer"));
        Files.writeString(consumer.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
                  <groupId>org.example</groupId><artifactId>consumer</artifactId><version>1</version><packaging>pom</packaging>
                  <repositories><repository><id>portcullis</id><url>%s</url></repository></repositories>
                  <dependencies><dependency><groupId>org.acme</groupId><artifactId>app</artifactId><version>[1.0,2.0)</version></dependency></dependencies>
                </project>""".formatted(url("releases")));
        Run build = maven(null, consumer, DEPENDENCY + ":resolve");
        assertThat(build.exit()).as(build.output()).isZero();
        assertThat(build.output()).as("the range resolves through the metadata to 1.1").contains("org.acme:app:jar:1.1");
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("clients")
    void aGroupsRuleAPrivateRepositoryAndAnAdminsOverwrite(String name, String client, RegistryServer.Kind kind) throws Exception {
        start(client, kind);
        Run acme = deploy("acme", "releases", "org.acme", "lib", "1.0", "acme lib");
        assertThat(acme.exit()).as(acme.output()).isZero();
        Run other = deploy("acme", "releases", "com.other", "lib", "1.0", "not acme's");
        assertThat(other.exit()).isNotZero();
        assertThat(other.output()).contains("403");
        assertThat(send("GET", "/maven/releases/com/other/lib/1.0/lib-1.0.jar", null, null).statusCode()).isEqualTo(404);

        Run internal = deploy("ci", "internal", "org.acme", "secret", "1.0", "internal only");
        assertThat(internal.exit()).as(internal.output()).isZero();
        assertThat(send("GET", "/maven/internal/org/acme/secret/1.0/secret-1.0.jar", null, null).statusCode()).isEqualTo(401);
        assertThat(resolve(null, "internal", "org.acme:secret:1.0").exit()).as("anonymously").isNotZero();
        Run withKey = resolve("ci", "internal", "org.acme:secret:1.0");
        assertThat(withKey.exit()).as(withKey.output()).isZero();
        assertThat(dir.resolve("m2-ci/org/acme/secret/1.0/secret-1.0.jar")).hasContent("internal only");

        Run overwrite = deploy("root", "releases", "org.acme", "lib", "1.0", "fixed by an admin");
        assertThat(overwrite.exit()).as(overwrite.output()).isZero();
        assertThat(get("/maven/releases/org/acme/lib/1.0/lib-1.0.jar")).isEqualTo("fixed by an admin");
        assertThat(send("DELETE", "/maven/releases/org/acme/lib/1.0/lib-1.0.jar", "ci", null).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", "/maven/releases/org/acme/lib/1.0/lib-1.0.jar", "root", null).statusCode()).isEqualTo(204);
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("clients")
    void aSlowCreateOnlyDeployLosesTheRaceToAVersionPublishedMeanwhile(String name, String client, RegistryServer.Kind kind) throws Exception {
        start(client, kind);
        String jar = "/maven/releases/org/acme/app/2.0/app-2.0.jar";
        try (HoldingProxy proxy = new HoldingProxy(server.port(), "PUT " + jar + " ")) {
            Path file = dir.resolve("app-2.0.jar");
            Files.writeString(file, "ci's 2.0");
            java.util.concurrent.CompletableFuture<Run> deploy = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return maven("ci", dir, DEPLOY, "-Dfile=" + file, "-DgroupId=org.acme", "-DartifactId=app", "-Dversion=2.0", "-Dpackaging=jar",
                            "-DrepositoryId=portcullis", "-Durl=http://127.0.0.1:" + proxy.port() + "/maven/releases");
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertThat(proxy.allowed.await(120, TimeUnit.SECONDS)).as("the deploy's jar was allowed (100 Continue) and its body held").isTrue();
            assertThat(send("PUT", jar, "root", "the admin's 2.0".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);
            proxy.release.countDown();
            Run lost = deploy.get(180, TimeUnit.SECONDS);
            assertThat(lost.exit()).as(lost.output()).isNotZero();
            assertThat(lost.output()).contains("403");
        }
        assertThat(get(jar)).isEqualTo("the admin's 2.0");
    }

    /**
     * A TCP proxy in front of the server that holds the body of one request, a PUT carrying credentials whose request
     * line starts with {@code target}: it passes the head on, notes when the server allows it ({@code 100 Continue}), and
     * passes the body on only once released. Maven sends {@code Expect: 100-continue} with its PUTs.
     */
    static final class HoldingProxy implements AutoCloseable {
        final java.util.concurrent.CountDownLatch allowed = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final java.net.ServerSocket socket;
        private final List<java.net.Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicBoolean holding = new java.util.concurrent.atomic.AtomicBoolean();

        HoldingProxy(int serverPort, String target) throws IOException {
            socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        java.net.Socket client = socket.accept();
                        java.net.Socket upstream = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), serverPort);
                        open.add(client);
                        open.add(upstream);
                        java.util.concurrent.atomic.AtomicBoolean mine = new java.util.concurrent.atomic.AtomicBoolean();
                        pump(client, upstream, target, mine);
                        pump(upstream, client, null, mine);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "holding-proxy");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** Copies bytes one way; towards the server, holds what follows the target's head; back, notes its 100 Continue. */
        private void pump(java.net.Socket from, java.net.Socket to, @Nullable String target, java.util.concurrent.atomic.AtomicBoolean mine) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                StringBuilder seen = new StringBuilder(); // ISO-8859-1 text of what came, while looking for the target or the 100
                int forwarded = 0; // how much of it has gone on
                try (var in = from.getInputStream(); var out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        if (target == null || holding.get()) { // back to the client, or on once the one request is held
                            out.write(buffer, 0, n);
                            out.flush();
                            if (target == null && mine.get() && allowed.getCount() > 0
                                    && seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1)).indexOf("HTTP/1.1 100") >= 0) {
                                allowed.countDown();
                            }
                            continue;
                        }
                        seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        int at = seen.indexOf(target);
                        int end = at < 0 ? -1 : seen.indexOf("\r\n\r\n", at);
                        boolean credentials = end > 0 && seen.substring(at, end).toLowerCase(java.util.Locale.ROOT).contains("\r\nauthorization:");
                        if (!credentials || !holding.compareAndSet(false, true)) {
                            out.write(buffer, 0, n);
                            out.flush();
                            if (end > 0) {
                                seen.delete(0, end + 4); // that request passes (no credentials: it gets its 401); look on after it
                            } else if (at < 0 && seen.length() > 4 * target.length()) {
                                seen.delete(0, seen.length() - target.length());
                            }
                            forwarded = seen.length();
                            continue;
                        }
                        byte[] all = seen.toString().getBytes(StandardCharsets.ISO_8859_1);
                        int head = end + 4;
                        mine.set(true);
                        out.write(all, forwarded, head - forwarded); // the rest of the head goes on; the body, now or later, waits
                        out.flush();
                        release.await(); // what the client sends after the head waits here, unread, until the release
                        out.write(all, head, all.length - head);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // one side closed
                }
            }, "holding-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            socket.close();
            for (java.net.Socket s : open) {
                s.close();
            }
        }
    }
}
