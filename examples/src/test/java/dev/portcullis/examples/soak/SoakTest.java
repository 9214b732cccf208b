package dev.portcullis.examples.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.oidc.OidcProviderProcess;
import dev.portcullis.examples.registry.RegistryServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A bounded soak of the example registry on 127.0.0.1 (SECURITY.md): eight clients send mixed traffic (anonymous
 * pulls, CI pushes of new blobs and tags, denied overwrites and deletes, anonymous pushes, wrong keys of every kind,
 * admins minting and revoking keys, people logging in through the real oidc-provider, pushing with the session and
 * logging out) for {@code -Dportcullis.soak.seconds} per front end (150 by default, so five
 * minutes in CI). Every response is checked against the status the policy dictates; the run fails on any 5xx, any
 * wrong decision, or heap growth after a full collection. The figures are printed for SECURITY.md.
 */
@Tag("e2e")
class SoakTest {
    private static final Duration LENGTH = Duration.ofSeconds(Long.getLong("portcullis.soak.seconds", 150));
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    /** Where people reach the registry: only the provider's redirects name it, and the clients map it to 127.0.0.1. */
    private static final String EXTERNAL = "http://registry.soak.test";
    private static final String PASSWORD = "dana-password-1";

    static OidcProviderProcess provider;

    @TempDir
    Path data;
    RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    String ci;
    String ciToken;
    String revokedToken;
    String admin;
    byte[] configBlob = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);

    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    final List<String> wrong = new CopyOnWriteArrayList<>();
    final AtomicLong served = new AtomicLong();
    final AtomicLong tags = new AtomicLong();

    @BeforeAll
    static void startProvider() throws Exception {
        provider = OidcProviderProcess.start(
                List.of(new OidcProviderProcess.Client("registry", "soak-secret", "client_secret_basic", List.of(EXTERNAL + "/auth/callback/oidc"),
                        List.of(EXTERNAL + "/"))),
                List.of(new OidcProviderProcess.Account("dana", "dana@example.com", "dana", List.of("artifact-workloads"), PASSWORD)));
    }

    @AfterAll
    static void stopProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void mixedTrafficGetsTheRightAnswerEveryTimeWithoutFailuresOrHeapGrowth(RegistryServer.Kind kind) throws Exception {
        server = RegistryServer.start(new RegistryServer.Options(kind, null, data, 0, "127.0.0.1",
                new RegistryServer.Oidc(provider.issuer(), "registry", "soak-secret", EXTERNAL)));
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(server.config().keyStore());
             ApiKeyService keys = ApiKeyService.builder(store).build()) {
            ciToken = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "ci", List.of(), null, "soak")).token();
            ci = basic("ci", ciToken);
            revokedToken = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "gone", List.of(), null, "soak")).token();
            assertThat(keys.revoke(revokedToken.substring(4, revokedToken.indexOf('_', 4)))).as("the revoked key was revoked").isTrue();
            admin = basic("root", keys.create(new ApiKeyService.KeyRequest("root", List.of("admins"), "admin", List.of(), null, "soak")).token());
        }
        String config = digest(configBlob);
        check("seed blob", send("POST", "/v2/team/app/blobs/uploads/?digest=" + config, ci, "application/octet-stream", configBlob), 201);
        check("seed tag", send("PUT", "/v2/team/app/manifests/v1", ci, MANIFEST_TYPE, manifest(config)), 201);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        run(Duration.ofSeconds(Math.min(20, LENGTH.toSeconds() / 5))); // warm-up: caches, JIT, connection pools
        long heapBefore = heapAfterGc(memory);
        long requestsBefore = served.get();
        long start = System.nanoTime();
        run(LENGTH);
        double seconds = (System.nanoTime() - start) / 1e9;
        long heapAfter = heapAfterGc(memory);
        long requests = served.get() - requestsBefore;

        System.out.printf("soak %s: %d requests in %.0f s (%.0f/s), %d wrong decisions, statuses %s, heap after GC %d MiB -> %d MiB%n",
                kind, requests, seconds, requests / seconds, wrong.size(), new TreeMap<>(counts), heapBefore >> 20, heapAfter >> 20);
        assertThat(wrong).as("wrong decisions on " + kind).isEmpty();
        assertThat(counts.keySet()).as("no 5xx").noneMatch(k -> k.matches(".* 5\\d\\d"));
        assertThat(heapAfter).as("heap stable: after-GC heap may not grow by more than 64 MiB").isLessThan(heapBefore + (64L << 20));
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Eight clients, each picking a random scenario per iteration, until {@code length} has passed. */
    private void run(Duration length) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    int i = 0;
                    while (System.nanoTime() < end && wrong.size() < 20) {
                        scenario(client, i++);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private void scenario(int client, int i) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int pick = random.nextInt(11);
        try {
            scenario(client, i, pick, random);
        } catch (java.io.IOException e) {
            wrong.add("scenario " + pick + ": " + e);
        }
    }

    private void scenario(int client, int i, int pick, ThreadLocalRandom random) throws Exception {
        switch (pick) {
            case 0, 1, 2 -> check("anonymous pull", send("GET", "/v2/team/app/manifests/v1", null, null, null), 200);
            case 3 -> {
                byte[] blob = ("layer " + client + " " + i + " " + random.nextLong()).getBytes(StandardCharsets.UTF_8);
                String d = digest(blob);
                check("ci push blob", send("POST", "/v2/team/app/blobs/uploads/?digest=" + d, ci, "application/octet-stream", blob), 201);
                check("ci push new tag", send("PUT", "/v2/team/app/manifests/c" + tags.incrementAndGet(), ci, MANIFEST_TYPE, manifest(digest(configBlob))), 201);
            }
            case 4 -> {
                check("ci overwrite (denied)", send("PUT", "/v2/team/app/manifests/v1", ci, MANIFEST_TYPE, manifest(digest(configBlob))), 403);
                check("ci delete (denied)", send("DELETE", "/v2/team/app/manifests/v1", ci, null, null), 403);
            }
            case 5 -> check("anonymous push (denied)", send("PUT", "/v2/team/app/manifests/anon", null, MANIFEST_TYPE, manifest(digest(configBlob))), 401);
            case 6 -> {
                String mistyped = ciToken.substring(0, 20) + (ciToken.charAt(20) == 'a' ? 'b' : 'a') + ciToken.substring(21);
                int kind = random.nextInt(3);
                String key = switch (kind) {
                    // refused by its checksum, offline; 1 token in 62 (a 'G' at index 20) makes its Basic header the valid one's
                    // but for the case of one base64 digit, which Jetty's header cache used to hand on as the valid one
                    case 0 -> mistyped;
                    case 1 -> revokedToken; // refused by the store
                    default -> Long.toHexString(random.nextLong());
                };
                // 401, or 429 once this address has failed too often (the example registry's limiter): both refuse
                String what = "wrong key (" + (kind == 0 ? "mistyped" : kind == 1 ? "revoked" : "not a key") + ")";
                check(what, send("PUT", "/v2/team/app/manifests/w", basic("ci", key), MANIFEST_TYPE, manifest(digest(configBlob))), 401, 429);
                check("ci pull during the flood", send("GET", "/v2/team/app/manifests/v1", ci, null, null), 200);
            }
            case 7 -> {
                HttpResponse<byte[]> minted = send("POST", "/auth/apikey", admin, "application/json", "{\"label\":\"soak\"}".getBytes(StandardCharsets.UTF_8));
                check("admin mints a key", minted, 201);
                String body = new String(minted.body(), StandardCharsets.UTF_8);
                String id = body.replaceAll("(?s).*\"uuid\":\"([^\"]+)\".*", "$1");
                check("admin revokes it", send("DELETE", "/auth/apikey?id=" + id, admin, null, null), 200);
            }
            case 8 -> check("catalog", send("GET", "/v2/_catalog", null, null, null), 200);
            case 9 -> logInPushAndLogOut();
            default -> check("anonymous key listing (denied)", send("GET", "/auth/apikey", null, null, null), 401);
        }
    }

    /** A person logs in through the provider's login and consent pages, pushes with the session, and logs out. */
    private void logInPushAndLogOut() throws Exception {
        HttpResponse<byte[]> start = send("GET", "/auth/login?provider=oidc&callback_ui=/auth/", null, null, null);
        check("login redirects to the provider", start, 302);
        URI back = provider.login(URI.create(start.headers().firstValue("Location").orElseThrow()), "dana", PASSWORD);
        if (!back.toString().startsWith(EXTERNAL + "/auth/callback/oidc?code=")) {
            wrong.add("the provider sent the browser to " + back);
            return;
        }
        HttpResponse<byte[]> done = send("GET", back.getRawPath() + "?" + back.getRawQuery(), null, null, null, "Cookie", cookie(start, "portcullis_login"));
        check("login completes", done, 302);
        String session = cookie(done, "portcullis_session");
        check("session push of a new tag", send("PUT", "/v2/team/app/manifests/s" + tags.incrementAndGet(), null, MANIFEST_TYPE,
                manifest(digest(configBlob)), "Cookie", session, "X-Portcullis-Csrf", "1"), 201);
        check("session overwrite (denied)", send("PUT", "/v2/team/app/manifests/v1", null, MANIFEST_TYPE, manifest(digest(configBlob)),
                "Cookie", session, "X-Portcullis-Csrf", "1"), 403);
        check("logout", send("POST", "/auth/logout", null, null, null, "Cookie", session, "X-Portcullis-Csrf", "1"), 200);
    }

    /** The {@code name=value} of the cookie set by {@code r} whose name ends in {@code name}, whatever prefix it has. */
    private static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.contains(name + "=") && !c.contains(name + "=;"))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElse("");
    }

    private void check(String what, HttpResponse<byte[]> r, Integer... expected) {
        served.incrementAndGet();
        counts.computeIfAbsent(what + " " + r.statusCode(), k -> new LongAdder()).increment();
        if (!List.of(expected).contains(r.statusCode())) {
            wrong.add(what + ": expected " + List.of(expected) + ", got " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    /** Sends a request to the registry; {@code more} are further header names and values, in pairs. */
    private HttpResponse<byte[]> send(String method, String path, String auth, String contentType, byte[] body, String... more) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < more.length; i += 2) {
            b.header(more[i], more[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private byte[] manifest(String config) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"" + config + "\",\"size\":" + configBlob.length + "},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String basic(String user, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    private static String digest(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
