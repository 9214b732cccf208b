package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.AuthEvent;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.oidc.OidcProviderSettings;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP-level behaviour every adapter must show, run unchanged against each one: Jetty, Tomcat, Netty (with and
 * without an aggregator), and the JDK's own HTTP server as the reference adapter. To hold an adapter of your own to it,
 * depend on {@code dev.portcullis:portcullis-auth-conformance} in test scope and extend this class: {@link #start} starts
 * your server on 127.0.0.1 at an ephemeral port with the given pipeline in front of the suite's application,
 * {@link EchoApplication} (built over {@link #tags()}), and answers the port; {@link #stop} stops it;
 * {@link #containerAnswers} names the malformed requests your container refuses by itself before the pipeline sees them.
 *
 * <pre>{@code
 * class MyServerConformanceTest extends HttpConformanceSuite {
 *     private MyServer server;
 *
 *     protected int start(Portcullis portcullis) throws Exception {
 *         server = MyServer.start(portcullis, new EchoApplication(portcullis, tags()));
 *         return server.port();
 *     }
 *
 *     protected void stop() throws Exception {
 *         server.close();
 *     }
 * }
 * }</pre>
 */
public abstract class HttpConformanceSuite {
    public static final String REALM = "conformance";
    public static final List<String> CATALOG = List.of("team/app", "infra/dns", "library/base");
    static final String POLICY = """
            {"groups": {"admins": {"users": ["ops"]}},
             "repositories": {
               "**": {"policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}], "anonymousPolicy": ["read"]},
               "infra/**": {"policies": [{"users": ["alice"], "actions": ["read"]}]}},
             "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
             "metrics": {"users": ["ops"], "anonymousPolicy": ["read"]}}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Starts the adapter's server with this pipeline on 127.0.0.1 and an ephemeral port; returns the port. */
    protected abstract int start(Portcullis portcullis) throws Exception;

    protected abstract void stop() throws Exception;

    @TempDir
    Path dir;
    protected int port;
    protected Path htpasswd;
    protected SwitchableStore store;
    protected ApiKeyService keys;
    protected String ciKey;
    protected final List<AuthEvent> events = new CopyOnWriteArrayList<>();
    private final Tags tags = new Tags();
    private Portcullis portcullis;

    /** The application's tags, for the adapter's application (see the class comment). */
    protected Tags tags() {
        return tags;
    }

    @BeforeEach
    void startServer() throws Exception {
        htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "# users\n"
                + "ops:" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "ops-password".toCharArray()) + "\n"
                + "alice:" + BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(4, "alice-password".toCharArray()) + "\n"
                + "bob:" + BCrypt.with(BCrypt.Version.VERSION_2A).hashToString(4, "bob-password".toCharArray()) + "\n");
        store = new SwitchableStore(new InMemoryApiKeyStore());
        keys = ApiKeyService.builder(store).hasher(new Argon2Hasher(256, 1, 1)).build();
        ciKey = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "ci", List.of(), null, "test")).token();
        serve(b -> { });
    }

    /** (Re)starts the server with the standard pipeline, adjusted by {@code customize}. */
    protected void serve(Consumer<Portcullis.Builder> customize) throws Exception {
        if (portcullis != null) {
            stop();
        }
        Portcullis.Builder b = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).realm(REALM).apiKeys(keys).htpasswd(htpasswd)
                .existence(tags::exists).listener(this::record);
        customize.accept(b);
        portcullis = b.build();
        port = start(portcullis);
    }

    @AfterEach
    void stopServer() throws Exception {
        stop();
        keys.close();
    }

    private void record(AuthEvent event) {
        synchronized (events) {
            events.add(event);
            events.notifyAll();
        }
    }

    /** Waits (at most 30 s) until the pipeline has audited a decision like this one. */
    protected AuthEvent awaitEvent(java.util.function.Predicate<AuthEvent> which) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        synchronized (events) {
            while (true) {
                for (AuthEvent e : events) {
                    if (which.test(e)) {
                        return e;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such decision was audited within 30 s: " + events);
                }
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    protected static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    protected RawHttp.Response get(String target, String... headers) throws Exception {
        return RawHttp.send(port, "GET", target, headers);
    }

    protected RawHttp.Response send(String method, String target, String... headers) throws Exception {
        return RawHttp.send(port, method, target, headers);
    }

    private static void assertUnauthorized(RawHttp.Response r) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"" + REALM + "\"");
    }

    // ------------------------------------------------------------------ the canonical deployment

    @Test
    void anonymousPullIsAllowed() throws Exception {
        RawHttp.Response r = get("/v2/team/app/manifests/latest");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("user=anonymous mountsDenied=");
    }

    @Test
    void emptyBasicCredentialsAreAnonymousAsInZot() throws Exception {
        // skopeo --src-no-creds sends "Basic Og==" (":")
        RawHttp.Response pull = get("/v2/team/app/manifests/latest", "Authorization: Basic Og==");
        assertThat(pull.status()).isEqualTo(200);
        assertThat(pull.body()).isEqualTo("user=anonymous mountsDenied=");
        assertUnauthorized(send("PUT", "/v2/team/app/manifests/v1", "Authorization: Basic Og=="));
    }

    @Test
    void anonymousPushGets401WithTheChallengeAndAnOciBody() throws Exception {
        RawHttp.Response r = send("PUT", "/v2/team/app/manifests/v1");
        assertUnauthorized(r);
        assertThat(r.body()).isEqualTo("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\",\"detail\":null}]}");
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void ciPushesANewTagWithItsKeyAsBasicPassword() throws Exception {
        RawHttp.Response r = send("PUT", "/v2/team/app/manifests/new-tag", basic("ci", ciKey));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("user=ci mountsDenied=");
    }

    /**
     * A '#' has no place in a request target. An application that parses the target as a URI cuts it there, so a policy
     * deciding on the text with it would judge another tag (a create, where the application updates) or another path.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/v2/team/app/manifests/existing#", "/v2/team/app/manifests/existing#x", "/v2/team/app/manifests/existing#:x",
        "/v2/team/app/manifests/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef?tag=existing#x"})
    void aFragmentInTheTargetNeverTurnsAnUpdateIntoACreate(String target) throws Exception {
        RawHttp.Response r = send("PUT", target, basic("ci", ciKey));
        assertThat(r.status()).as(target).isIn(400, 403);
        assertThat(r.body()).as(target).doesNotStartWith("user=");
    }

    /** A key or token typed into the user field, or sent without a scheme, is refused without being written to the audit log. */
    @Test
    void credentialsInTheWrongPlaceNeverReachTheAuditLog() throws Exception {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl";
        int before = events.size();
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(ciKey, "x")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(ciKey, ciKey)));
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(jwt, "x")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", "Authorization: " + ciKey + " x"));
        assertThat(events.subList(before, events.size())).hasSize(4).allSatisfy(e -> assertThat(e.reason())
                .doesNotContain(ciKey).doesNotContain(ciKey.substring(ciKey.indexOf('_') + 1)).doesNotContain(jwt));
    }

    @Test
    void headerNamesAreCaseInsensitive() throws Exception {
        for (String name : List.of("authorization", "AUTHORIZATION", "aUTHORIZATIOn")) {
            RawHttp.Response r = send("PUT", "/v2/team/app/manifests/new-tag", name + basic("ci", ciKey).substring("Authorization".length()));
            assertThat(r.status()).as(name).isEqualTo(201);
            assertThat(r.body()).as(name).isEqualTo("user=ci mountsDenied=");
        }
    }

    @Test
    void ciCannotOverwriteAnExistingTagNorDelete() throws Exception {
        RawHttp.Response overwrite = send("PUT", "/v2/team/app/manifests/existing", basic("ci", ciKey));
        assertThat(overwrite.status()).isEqualTo(403);
        assertThat(overwrite.body()).isEqualTo("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\","
                + "\"detail\":{\"reason\":\"user 'ci' may not update 'team/app'\"}}]}");
        assertThat(send("DELETE", "/v2/team/app/manifests/sha256:abc", basic("ci", ciKey)).status()).isEqualTo(403);
    }

    @Test
    void theKeyWorksAsABearerTokenToo() throws Exception {
        assertThat(send("PUT", "/v2/team/app/manifests/other", "Authorization: Bearer " + ciKey).status()).isEqualTo(201);
    }

    @Test
    void aBasicUserOtherThanTheKeysOwnerIsRefused() throws Exception {
        assertUnauthorized(send("PUT", "/v2/team/app/manifests/v2", basic("ops", ciKey)));
        for (int i = 0; i < 2; i++) { // the owner's header, verified and then remembered, does not vouch for another user's
            assertThat(send("PUT", "/v2/team/app/manifests/v2", basic("ci", ciKey)).status()).isEqualTo(201);
            assertUnauthorized(send("PUT", "/v2/team/app/manifests/v2", basic("ops", ciKey)));
        }
    }

    /**
     * The decision is taken on the head; the application writes after the body. A caller who may create but not update
     * opens a push of a tag that does not exist yet, and holds its body; meanwhile an admin publishes that tag. When the
     * body arrives, the write's condition (the tag must still be absent) no longer holds: refused as the update it
     * would now be, and the admin's content stays.
     */
    @Test
    void aCreateOnlyPushLosesTheRaceToATagPublishedWhileItsBodyArrives() throws Exception {
        String target = "/v2/team/race/manifests/release";
        try (RawHttp.Conversation slow = new RawHttp.Conversation(port)) {
            slow.write("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + basic("ci", ciKey) + "\r\nContent-Length: 10\r\n\r\nfrom-");
            awaitEvent(e -> target.equals(e.path()) && "ci".equals(e.user()) && e.status() == 0);
            RawHttp.Response admin = RawHttp.send(port, "PUT", target, List.of(basic("ops", "ops-password")),
                    "from-admin".getBytes(StandardCharsets.UTF_8));
            assertThat(admin.status()).isEqualTo(201);
            slow.write("ci!!!");
            RawHttp.Response lost = slow.next();
            assertThat(lost.status()).isEqualTo(403);
            assertThat(lost.body()).isEqualTo("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\","
                    + "\"detail\":{\"reason\":\"user 'ci' may not update 'team/race'\"}}]}");
        }
        assertThat(tags.content("team/race", "release")).contains("from-admin");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.reason()).startsWith("'release' was created after the request was allowed, before it committed: Denied:");
        });
    }

    @Test
    void aCreateOnlyPushThatFindsTheTagStillAbsentIsStoredAndCannotBeRepeated() throws Exception {
        String target = "/v2/team/race/manifests/first";
        assertThat(RawHttp.send(port, "PUT", target, List.of(basic("ci", ciKey)), "one".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(201);
        assertThat(tags.content("team/race", "first")).contains("one");
        assertThat(RawHttp.send(port, "PUT", target, List.of(basic("ci", ciKey)), "two".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(403);
        assertThat(tags.content("team/race", "first")).contains("one");
    }

    @Test
    void adminsMayOverwriteAndDelete() throws Exception {
        RawHttp.Response put = send("PUT", "/v2/team/app/manifests/existing", basic("ops", "ops-password"));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.body()).isEqualTo("user=ops mountsDenied=");
        assertThat(send("DELETE", "/v2/team/app/manifests/sha256:abc", basic("ops", "ops-password")).status()).isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops:ops-password", "alice:alice-password", "bob:bob-password"})
    void htpasswdUsersOfEveryBcryptVersionLogIn(String credentials) throws Exception {
        String[] parts = credentials.split(":");
        RawHttp.Response r = get("/v2/infra/dns/manifests/latest", basic(parts[0], parts[1]));
        // ops is an admin, alice may read infra/**, bob is authenticated but holds nothing there
        assertThat(r.status()).isEqualTo(parts[0].equals("bob") ? 403 : 200);
    }

    /**
     * bcrypt reads the first 72 bytes of a password, as htpasswd and zot do (the hash below is libxcrypt's, Apache's
     * crypt_blowfish, of 72 'a's); a longer wrong password is a 401 like any other, not a failure.
     */
    @Test
    void htpasswdPasswordsOver72BytesAreJudgedByTheirFirst72AsBcryptDoes() throws Exception {
        Files.writeString(htpasswd, Files.readString(htpasswd) + "long:$2y$05$abcdefghijklmnopqrstuuGUnCqbfgs3htOkLrFduUjAyLBw1Rq/u\n");
        assertThat(get("/v2/infra/dns/manifests/latest", basic("long", "a".repeat(80))).status())
                .as("authenticated, without rights on infra/**").isEqualTo(403);
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("long", "a".repeat(71))));
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("ops", "x".repeat(100))));
    }

    @Test
    void theHtpasswdFileIsReReadWhenItChanges() throws Exception {
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("carol", "carol-password")));
        Files.writeString(htpasswd, Files.readString(htpasswd) + "carol:"
                + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "carol-password".toCharArray()) + "\n");
        assertThat(get("/v2/infra/dns/manifests/latest", basic("carol", "carol-password")).status())
                .as("carol is now an authenticated user without rights on infra/**").isEqualTo(403);
        Files.writeString(htpasswd, Files.readString(htpasswd).replaceAll("(?m)^ops:.*\n", ""));
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("ops", "ops-password")));
    }

    @Test
    void aWrongPasswordIsNeverAnonymous() throws Exception {
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", "wrong")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("nobody", "x")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", "Authorization: Bearer pck_AAAAAAAAAAA_" + "A".repeat(39)));
    }

    @Test
    void metricsAreReadableWithoutCredentials() throws Exception {
        assertThat(get("/metrics").status()).isEqualTo(200);
        assertThat(get("/metrics", basic("ci", ciKey)).status()).isEqualTo(403);
    }

    @Test
    void theCatalogIsFilteredPerCaller() throws Exception {
        assertThat(JSON.readTree(get("/v2/_catalog").body()).get("repositories").toString()).isEqualTo("[\"team/app\",\"library/base\"]");
        assertThat(JSON.readTree(get("/v2/_catalog", basic("alice", "alice-password")).body()).get("repositories").toString())
                .isEqualTo("[\"infra/dns\"]");
        assertThat(JSON.readTree(get("/v2/_catalog", basic("ops", "ops-password")).body()).get("repositories").toString())
                .isEqualTo("[\"team/app\",\"infra/dns\",\"library/base\"]");
    }

    @Test
    void aCrossRepositoryMountFromAnUnreadableSourceFallsBackInsteadOfFailing() throws Exception {
        RawHttp.Response r = send("POST", "/v2/team/app/blobs/uploads/?mount=sha256:abc&from=infra/dns", basic("ci", ciKey));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("user=ci mountsDenied=infra/dns");
    }

    @Test
    void theVersionCheckPassesWithTheChallengeAndDockerIsAskedToLogIn() throws Exception {
        RawHttp.Response plain = get("/v2/", "User-Agent: skopeo/1.15");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.header("WWW-Authenticate")).isEqualTo("Basic realm=\"" + REALM + "\"");
        assertUnauthorized(get("/v2/", "User-Agent: docker/27.0.1 go/go1.22"));
        assertThat(get("/v2/", "User-Agent: docker/27.0.1", basic("ci", ciKey)).status()).isEqualTo(200);
        assertUnauthorized(get("/v2/", basic("ci", "pck_bad")));
    }

    // ------------------------------------------------------------------ hostile headers and paths

    @Test
    void malformedAuthorizationHeadersAre401() throws Exception {
        String target = "/v2/team/app/manifests/latest";
        assertUnauthorized(get(target, basic("ci", ciKey), basic("ops", "ops-password")));
        assertUnauthorized(get(target, "Authorization: Basic !!!not-base64"));
        assertUnauthorized(get(target, "Authorization: Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':', 'x'})));
        assertUnauthorized(get(target, "Authorization: Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))));
        assertUnauthorized(get(target, "Authorization: Digest username=\"x\""));
        assertUnauthorized(get(target, "Authorization: Basic"));
        assertUnauthorized(get(target, "Authorization: Bearer a b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/team%2Fapp/manifests/latest", "/v2/team%5capp/manifests/latest", "/v2/team/../infra/dns/manifests/latest",
        "/v2/team/%2e%2e/infra/dns/manifests/latest", "/v2/./team/app/manifests/latest", "/v2//team/app/manifests/latest",
        "/v2/team;x=y/app/manifests/latest", "/v2/team%00/manifests/latest", "/v2/team%zz/manifests/latest", "/v2/team%c0%ae/manifests/latest"})
    void ambiguousPathsAre400WithoutConsultingTheApplication(String path) throws Exception {
        RawHttp.Response r = get(path);
        assertThat(r.status()).as(path).isEqualTo(400);
        assertThat(r.body()).doesNotStartWith("user=");
    }

    // ------------------------------------------------------------------ the attack corpus (SECURITY.md, "Hostile input")

    /**
     * The corpus attacks this adapter's container answers by itself, before Portcullis sees the
     * request (attack name, as passed to {@link #expect}, to the status it answers). Anything not
     * listed must get Portcullis' own answer.
     */
    protected Map<String, Integer> containerAnswers() {
        return Map.of();
    }

    /** The status expected for an attack: the container's own answer if it has one, else Portcullis'. */
    private int expect(String attack, int portcullisAnswer) {
        return containerAnswers().getOrDefault(attack, portcullisAnswer);
    }

    /** One raw request on its own connection; asserts exactly one response. */
    private RawHttp.Response raw(String request) throws Exception {
        List<RawHttp.Response> responses = RawHttp.exchange(port, request);
        assertThat(responses).as("responses to %s", request).hasSize(1);
        return responses.get(0);
    }

    private String authorization(String user, String password) {
        return basic(user, password).substring("Authorization: ".length());
    }

    @Test
    void aDeniedClientThatExpectsContinueIsAnsweredWithoutBeingAskedForItsBody() throws Exception {
        try (RawHttp.Conversation connection = new RawHttp.Conversation(port)) {
            connection.write("PUT /v2/team/app/manifests/expecting HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 10485760\r\n\r\n");
            RawHttp.Response first = connection.next();
            assertThat(first).as("an answer").isNotNull();
            assertThat(first.status()).as("the refusal, not 100 Continue: the client must not send what it may not push").isEqualTo(401);
        }
    }

    @Test
    void duplicateAuthorizationHeadersAreRefusedWhicheverComesFirst() throws Exception {
        String target = "/v2/team/app/manifests/dup";
        for (List<String> pair : List.of(List.of(basic("ci", ciKey), "Authorization: Basic Og=="), List.of("Authorization: Basic Og==", basic("ci", ciKey)),
                List.of("Authorization: Bearer " + ciKey, basic("ops", "ops-password")), List.of(basic("ops", "ops-password"), basic("ops", "ops-password")),
                List.of(basic("ci", ciKey), "authorization: Basic Og=="), List.of("AUTHORIZATION: Basic Og==", basic("ci", ciKey)))) {
            RawHttp.Response r = RawHttp.send(port, "PUT", target, pair, null);
            assertThat(r.status()).as(pair.toString()).isEqualTo(401);
            assertThat(r.body()).doesNotStartWith("user=");
        }
    }

    @Test
    void aFoldedHeaderNeverSmugglesAnAuthorization() throws Exception {
        // obs-fold (RFC 9112 5.2): a server must refuse it (400) or read it as one value joined by a space
        String hidden = "PUT /v2/team/app/manifests/existing HTTP/1.1\r\nHost: h\r\nX-Note: x\r\n Authorization: " + authorization("ops", "ops-password")
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        RawHttp.Response r = raw(hidden);
        assertThat(r.status()).isEqualTo(expect("obs-fold", 401));
        assertThat(r.body()).doesNotStartWith("user=");
        String folded = "PUT /v2/team/app/manifests/folded HTTP/1.1\r\nHost: h\r\nAuthorization: Basic\r\n " + authorization("ci", ciKey).substring(6)
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        RawHttp.Response unfolded = raw(folded);
        assertThat(unfolded.status()).isEqualTo(expect("obs-fold", 201));
        if (unfolded.status() == 201) {
            assertThat(unfolded.body()).isEqualTo("user=ci mountsDenied=");
        }
    }

    @Test
    void bareCrNulAndBareLfNeverAuthenticateAnyone() throws Exception {
        String ops = authorization("ops", "ops-password");
        RawHttp.Response cr = raw("PUT /v2/team/app/manifests/existing HTTP/1.1\r\nHost: h\r\nX-Note: x\rAuthorization: " + ops
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(cr.status()).as("bare CR").isEqualTo(expect("bare-cr", 401));
        assertThat(cr.body()).doesNotStartWith("user=");
        RawHttp.Response nul = raw("PUT /v2/team/app/manifests/existing HTTP/1.1\r\nHost: h\r\nAuthorization: " + ops
                + "\u0000\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(nul.status()).as("NUL").isEqualTo(expect("nul", 401));
        assertThat(nul.body()).doesNotStartWith("user=");
        RawHttp.Response lf = raw("PUT /v2/team/app/manifests/lf HTTP/1.1\nHost: h\nContent-Length: 0\nConnection: close\n\n");
        assertThat(lf.status()).as("bare LF, anonymous push").isEqualTo(expect("bare-lf", 401));
    }

    @Test
    void duplicateHostHeaders() throws Exception {
        for (String second : List.of("Host", "host", "HOST")) {
            RawHttp.Response r = raw("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: a\r\n" + second + ": b\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).as("RFC 9112 section 3.2: 400, with %s", second).isEqualTo(400);
        }
    }

    @Test
    void aSmuggledRequestBehindContentLengthAndChunkedNeverInheritsTheIdentity() throws Exception {
        // CL.TE: the first request's body, if read by Content-Length, hides a second request; chunked says it is empty
        String smuggled = "GET /v2/infra/dns/manifests/latest HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        String first = "GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: h\r\n" + basic("ops", "ops-password")
                + "\r\nContent-Length: " + ("0\r\n\r\n" + smuggled).length() + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled;
        List<RawHttp.Response> responses = RawHttp.exchange(port, first);
        List<Integer> statuses = responses.stream().map(RawHttp.Response::status).toList();
        assertThat(statuses).isEqualTo(containerAnswers().containsKey("cl-te") ? List.of(containerAnswers().get("cl-te")) : List.of(200, 401));
        if (statuses.size() == 2) {
            assertThat(responses.get(0).body()).isEqualTo("user=ops mountsDenied=");
            assertThat(responses.get(1).body()).doesNotStartWith("user=");
        }
    }

    @Test
    void oversizeHeadsAreRefusedBeforeThePipeline() throws Exception {
        int before = events.size();
        RawHttp.Response header = raw("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: h\r\nX-Pad: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(header.status()).as("64 KiB header").isEqualTo(expect("oversize-header", 431));
        RawHttp.Response line = raw("GET /v2/team/app/manifests/" + "a".repeat(16 * 1024) + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertThat(line.status()).as("16 KiB request target").isEqualTo(expect("oversize-uri", 414));
        assertThat(events).as("no decision was made on a request the server could not read").hasSize(before);
        assertThat(get("/v2/team/app/manifests/latest").status()).as("and the server goes on").isEqualTo(200);
    }

    @Test
    void oversizeBodiesToTheKeyEndpointAndThePageAre413() throws Exception {
        String ops = basic("ops", "ops-password");
        String big = "{\"label\": \"" + "x".repeat(9000) + "\"}";
        for (String path : List.of("/auth/apikey", "/auth/")) {
            RawHttp.Response sized = RawHttp.send(port, "POST", path, List.of(ops, "Content-Type: application/json"), big.getBytes(StandardCharsets.UTF_8));
            assertThat(sized.status()).as(path + " with Content-Length").isEqualTo(413);
            String chunk = Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
            RawHttp.Response chunked = raw("POST " + path + " HTTP/1.1\r\nHost: h\r\n" + ops + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk);
            assertThat(chunked.status()).as(path + " chunked").isEqualTo(413);
        }
        assertThat(keys.list("ops")).isEmpty();
    }

    /** Every repository route, with {@code NAME} where the repository name goes. */
    private static final List<String> ROUTES = List.of("/v2/NAME/manifests/latest", "/v2/NAME/blobs/sha256:abc", "/v2/NAME/blobs/uploads/",
            "/v2/NAME/blobs/uploads/5f2a", "/v2/NAME/tags/list", "/v2/NAME/referrers/sha256:abc");

    @ParameterizedTest
    @ValueSource(strings = {"team%2fapp", "team%2Fapp", "team%5capp", "team\\app", "team/%2e%2e/infra/dns", "team/./app", "team//app",
        "team;v=1/app", "team/app;", "team%3bx/app", "team%c0%afapp", "team%e0%80%afapp", "team%c0%ae%c0%ae/app", "team%252fapp",
        "team%ef%bc%8fapp", "team%00app", "team%0aapp", "team/app%20", "%2a%2a", "*", "team/*", "team/%5ba%5d", "team/%7ba,b%7d",
        "team/%3f", "team/app%23x", "TEAM/app", "t%C3%A9am/app"})
    void pathTricksOnEveryRouteAre400(String name) throws Exception {
        for (String route : ROUTES) {
            String path = route.replace("NAME", name);
            for (String method : List.of("GET", "PUT", "DELETE")) {
                RawHttp.Response r = send(method, path, basic("ops", "ops-password"));
                assertThat(r.status()).as(method + " " + path).isEqualTo(400);
                assertThat(r.body()).as(method + " " + path).doesNotStartWith("user=");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/V2/team/app/manifests/latest", "/V2/_catalog", "/V2/", "/v2/../V2/team/app/manifests/latest"})
    void caseVariantsOfV2AreRefused(String path) throws Exception {
        RawHttp.Response r = send("PUT", path);
        assertThat(r.status()).as(path).isEqualTo(400);
        assertThat(r.body()).doesNotStartWith("user=");
    }

    /**
     * A refused request whose body Portcullis never read must not leave a kept-alive connection
     * out of step: the server either says {@code Connection: close} and closes it, or skips the
     * body and answers the next request on it. (Jetty used to close it silently after the refusal,
     * so a pooling client's next request on that connection got no answer at all; the soak found it.)
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"anonymous push,,401", "wrong password,ops:wrong,401", "wrong password with failDelay,ops:wrong-again,401",
            "denied overwrite,ci:,403", "oversize key request,ops:ops-password,413"})
    void aRefusedRequestsUnreadBodyNeverLeavesTheConnectionOutOfStep(String what, String credential, int status) throws Exception {
        if (what.contains("failDelay")) {
            serve(b -> b.failDelay(Duration.ofMillis(20))); // answered later, off the request thread
        }
        String auth = "";
        if (credential != null) {
            String[] userAndPassword = credential.split(":", -1);
            auth = basic(userAndPassword[0], userAndPassword[1].isEmpty() ? ciKey : userAndPassword[1]) + "\r\n";
        }
        boolean oversize = what.startsWith("oversize"); // refused once 8 KiB of it have been read, so it is sent at once
        String body = oversize ? "{\"label\":\"" + "x".repeat(9000) + "\"}" : "{}";
        String request = oversize ? "POST /auth/apikey" : "PUT /v2/team/app/manifests/existing";
        String head = request + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
        String next = "GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (RawHttp.Conversation connection = new RawHttp.Conversation(port)) {
            connection.write(oversize ? head + body : head);
            RawHttp.Response refused = connection.next();
            assertThat(refused).as("an answer").isNotNull();
            assertThat(refused.status()).isEqualTo(status);
            boolean close = "close".equalsIgnoreCase(refused.header("Connection"));
            try {
                connection.write(oversize ? next : body + next); // a client sends the rest of its request anyway
            } catch (java.io.IOException e) {
                assertThat(close).as("the connection broke though the server did not say Connection: close").isTrue();
            }
            RawHttp.Response following = connection.next();
            if (close) {
                assertThat(following).as("the server closes after saying Connection: close").isNull();
                return;
            }
            assertThat(following).as("kept alive without Connection: close, so the next request on it is answered").isNotNull();
            assertThat(following.status()).isEqualTo(200);
        }
    }

    @Test
    void lookAlikeUserAndGroupNamesGetNothing() throws Exception {
        serve(b -> b.policy(AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"policies": [
                  {"users": ["alice", "jos\u00e9"], "actions": ["read"]},
                  {"groups": ["artifact-workloads"], "actions": ["read", "create"]}]}}}
                """)));
        String cyrillicA = "\u0430lice"; // а: Cyrillic
        String nfd = "jose\u0301";        // é as e + combining acute
        String nfc = "jos\u00e9";
        assertThat(get("/v2/team/app/manifests/latest", basic("alice", "alice-password")).status()).isEqualTo(200);
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(cyrillicA, "alice-password")));
        assertThat(get("/v2/team/app/manifests/latest", basic(nfc, keyFor(nfc, List.of()))).status()).isEqualTo(200);
        for (String user : List.of(cyrillicA, nfd, "ALICE", "alice\u200b", "\uff41lice")) {
            String key = keyFor(user, List.of());
            assertThat(get("/v2/team/app/manifests/latest", "Authorization: Bearer " + key).status()).as(user).isEqualTo(403);
        }
        for (String group : List.of("artifact-workload\u0455", "Artifact-Workloads", "artifact\u2010workloads", "artifact-workloads\u0000")) {
            String key = keyFor("someone", List.of(group));
            assertThat(send("PUT", "/v2/team/app/manifests/new", "Authorization: Bearer " + key).status()).as(group).isEqualTo(403);
        }
    }

    private String keyFor(String user, List<String> groups) throws Exception {
        return keys.create(new ApiKeyService.KeyRequest(user, groups, "look-alike", List.of(), null, "test")).token();
    }

    // ------------------------------------------------------------------ failures, limits, outages

    @Test
    void failDelayDelaysOnlyFailedCredentials() throws Exception {
        serve(b -> b.failDelay(Duration.ofMillis(400)));
        long start = System.nanoTime();
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", "wrong")));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        long quick = System.nanoTime();
        assertThat(get("/v2/team/app/manifests/latest").status()).isEqualTo(200);
        assertThat(send("PUT", "/v2/team/app/manifests/v9").status()).isEqualTo(401);
        assertThat(Duration.ofNanos(System.nanoTime() - quick)).isLessThan(Duration.ofMillis(400));
    }

    @Test
    void repeatedFailuresFromOneAddressGet429ButVerifiedCredentialsStillPass() throws Exception {
        serve(b -> b.failureLimit(3, Duration.ofMinutes(5)).limitedDelay(Duration.ofMillis(400)));
        assertThat(get("/v2/team/app/manifests/latest", basic("ci", ciKey)).status()).isEqualTo(200); // verified and cached
        for (int i = 0; i < 3; i++) {
            assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", "guess" + i)));
        }
        long start = System.nanoTime();
        RawHttp.Response limited = get("/v2/team/app/manifests/latest", basic("ops", "guess-again"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isEqualTo("300");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the limited address waits for its answer").isGreaterThanOrEqualTo(Duration.ofMillis(400));
        long quick = System.nanoTime();
        assertThat(get("/v2/team/app/manifests/latest", basic("ci", ciKey)).status()).isEqualTo(200);
        assertThat(get("/v2/team/app/manifests/latest").status()).as("anonymous needs no credential check").isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - quick)).as("the verified key and anonymous are not held back").isLessThan(Duration.ofMillis(400));
    }

    @Test
    void aKeyStoreThatIsDownGives503NeverAccess() throws Exception {
        store.down(true);
        RawHttp.Response r = get("/v2/team/app/manifests/latest", basic("ci", ciKey));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("UNAVAILABLE");
        store.down(false);
        assertThat(get("/v2/team/app/manifests/latest", basic("ci", ciKey)).status()).isEqualTo(200);
    }

    @Test
    void anUnreadableHtpasswdFileGives503NeverAccess() throws Exception {
        Files.delete(htpasswd);
        assertThat(get("/v2/infra/dns/manifests/latest", basic("ops", "ops-password")).status()).isEqualTo(503);
        assertThat(get("/v2/team/app/manifests/latest").status()).as("anonymous needs no htpasswd").isEqualTo(200);
    }

    @Test
    void anExistenceLookupFailureFailsClosed() throws Exception {
        serve(b -> b.existence((repo, tag) -> {
            throw new java.io.IOException("storage offline");
        }));
        // CI may create but not update, so the answer depends on the lookup, which fails: refuse, never guess
        assertThat(send("PUT", "/v2/team/app/manifests/v1", basic("ci", ciKey)).status()).isEqualTo(500);
        // an admin may do both, and nobody anonymous may do either: the lookup is not needed
        assertThat(send("PUT", "/v2/team/app/manifests/v1", basic("ops", "ops-password")).status()).isEqualTo(201);
        assertThat(send("PUT", "/v2/team/app/manifests/v1").status()).isEqualTo(401);
    }

    @Test
    void everyDecisionIsAuditedWithoutSecrets() throws Exception {
        send("PUT", "/v2/team/app/manifests/existing", basic("ci", ciKey));
        AuthEvent e = events.get(events.size() - 1);
        assertThat(e.user()).isEqualTo("ci");
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.repository()).isEqualTo("team/app");
        assertThat(e.action()).isEqualTo(dev.portcullis.policy.Action.UPDATE);
        assertThat(e.pattern()).isEqualTo("**");
        assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
        assertThat(e.toString()).doesNotContain(ciKey.substring(16));
    }

    // ------------------------------------------------------------------ API key endpoints (zot's JSON)

    /**
     * A browser that was given Basic credentials (the page's login prompt) sends them with another site's form too: a
     * POST a form could send, from another site's page (its Origin), is refused. Non-browser clients send no Origin;
     * other requests a browser sends cross-site only after a CORS preflight.
     */
    @Test
    void basicCredentialsFromAnotherSitesFormChangeNothing() throws Exception {
        String auth = basic("ops", "ops-password");
        byte[] body = "{\"label\": \"x\", \"a\": \"=\"}".getBytes(StandardCharsets.UTF_8); // what a text/plain form can send
        RawHttp.Response crossSite = RawHttp.send(port, "POST", "/auth/apikey", List.of(auth, "Origin: https://evil.example",
                "Content-Type: text/plain"), body);
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth, "Origin: null"), body).status()).as("a sandboxed page").isEqualTo(403);
        assertThat(send("POST", "/v2/team/app/blobs/uploads/", basic("ci", ciKey), "Origin: https://evil.example").status())
                .as("a form starting an upload").isEqualTo(403);
        assertThat(keys.list("ops")).isEmpty();
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth), body).status()).as("no Origin: not a browser").isEqualTo(201);
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth, "Origin: https://ui.example", "Content-Type: application/json"), body)
                .status()).as("JSON, which a browser sends cross-site only after a preflight").isEqualTo(201);
        assertThat(send("PUT", "/v2/team/app/manifests/new-tag", basic("ci", ciKey), "Origin: https://ui.example").status())
                .as("a PUT, likewise").isEqualTo(201);
    }

    @Test
    void aKeyThatExpiresCannotMintOneThatOutlivesIt() throws Exception {
        RawHttp.Response parent = RawHttp.send(port, "POST", "/auth/apikey", List.of(basic("ops", "ops-password")),
                "{\"label\": \"ci\", \"expirationDate\": \"2030-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(parent.status()).isEqualTo(201);
        String parentKey = JSON.readTree(parent.body()).get("apiKey").asText();
        for (String body : List.of("{}", "{\"expirationDate\": \"2031-01-01T00:00:00Z\"}")) {
            RawHttp.Response child = RawHttp.send(port, "POST", "/auth/apikey", List.of(basic("ops", parentKey)), body.getBytes(StandardCharsets.UTF_8));
            assertThat(child.status()).isEqualTo(201);
            assertThat(JSON.readTree(child.body()).get("expirationDate").asText()).as(body).isEqualTo("2030-01-01T00:00:00Z");
        }
        RawHttp.Response sooner = RawHttp.send(port, "POST", "/auth/apikey", List.of(basic("ops", parentKey)),
                "{\"expirationDate\": \"2029-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(sooner.body()).get("expirationDate").asText()).isEqualTo("2029-01-01T00:00:00Z");
    }

    @Test
    void apiKeysAreCreatedListedAndRevokedWithZotsJson() throws Exception {
        String auth = basic("ops", "ops-password");
        byte[] body = "{\"label\": \"laptop\", \"scopes\": [\"team/**:read\"], \"expirationDate\": \"2030-01-01T00:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        RawHttp.Response created = RawHttp.send(port, "POST", "/auth/apikey", List.of(auth, "User-Agent: conformance/1.0",
                "Content-Type: application/json"), body);
        assertThat(created.status()).isEqualTo(201);
        JsonNode key = JSON.readTree(created.body());
        assertThat(key.get("label").asText()).isEqualTo("laptop");
        assertThat(key.get("scopes").toString()).isEqualTo("[\"team/**:read\"]");
        assertThat(key.get("expirationDate").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(key.get("isExpired").asBoolean()).isFalse();
        assertThat(key.get("creatorUa").asText()).isEqualTo("conformance/1.0");
        assertThat(key.get("generatedBy").asText()).isEqualTo("manual");
        assertThat(key.get("lastUsed").isNull()).isTrue();
        assertThat(key.has("createdAt")).isTrue();
        String token = key.get("apiKey").asText();
        String id = key.get("uuid").asText();
        assertThat(token).startsWith("pck_" + id + "_");

        assertThat(get("/v2/team/app/manifests/latest", basic("ops", token)).status()).isEqualTo(200);
        assertThat(send("DELETE", "/v2/team/app/manifests/sha256:abc", basic("ops", token)).status())
                .as("an admin's key is still bounded by its scopes").isEqualTo(403);

        RawHttp.Response listed = get("/auth/apikey", auth);
        assertThat(listed.status()).isEqualTo(200);
        JsonNode keysJson = JSON.readTree(listed.body()).get("apiKeys");
        assertThat(keysJson).hasSize(1);
        assertThat(keysJson.get(0).get("uuid").asText()).isEqualTo(id);
        assertThat(keysJson.get(0).has("apiKey")).isFalse();

        assertThat(send("DELETE", "/auth/apikey", auth).status()).isEqualTo(400);
        assertThat(send("DELETE", "/auth/apikey?id=" + id, auth).status()).isEqualTo(200);
        assertThat(send("DELETE", "/auth/apikey?id=unknown0000", auth).status()).isEqualTo(200);
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", token)));
    }

    @Test
    void usersManageOnlyTheirOwnKeysAndAdminsAnyonesKeys() throws Exception {
        String ciKeyId = ciKey.substring(4, 15);
        assertThat(get("/auth/apikey?user=ci", basic("alice", "alice-password")).status()).isEqualTo(403);
        assertThat(send("DELETE", "/auth/apikey?id=" + ciKeyId, basic("alice", "alice-password")).status()).isEqualTo(200);
        assertThat(get("/v2/team/app/manifests/latest", basic("ci", ciKey)).status()).as("alice could not revoke it").isEqualTo(200);
        JsonNode asAdmin = JSON.readTree(get("/auth/apikey?user=ci", basic("ops", "ops-password")).body()).get("apiKeys");
        assertThat(asAdmin.get(0).get("uuid").asText()).isEqualTo(ciKeyId);
        assertThat(send("DELETE", "/auth/apikey?id=" + ciKeyId, basic("ops", "ops-password")).status()).isEqualTo(200);
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ci", ciKey)));
    }

    @Test
    void aScopedKeyIsHeldToItsScopesEverywhere() throws Exception {
        String scoped = keys.create(new ApiKeyService.KeyRequest("ops", List.of(), "scoped",
                List.of(dev.portcullis.auth.apikey.Scope.parse("team/**:read")), null, "test")).token();
        assertThat(get("/v2/team/app/manifests/latest", basic("ops", scoped)).status()).isEqualTo(200);
        assertThat(get("/v2/infra/dns/manifests/latest", basic("ops", scoped)).status()).as("admin, but outside the scopes").isEqualTo(403);
        assertThat(JSON.readTree(get("/v2/_catalog", basic("ops", scoped)).body()).get("repositories").toString()).isEqualTo("[\"team/app\"]");
        assertThat(get("/metrics", basic("ops", "ops-password")).status()).isEqualTo(200);
        assertThat(get("/metrics", basic("ops", scoped)).status()).isEqualTo(403);
        RawHttp.Response mint = RawHttp.send(port, "POST", "/auth/apikey", List.of(basic("ops", scoped)), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(mint.status()).as("a scoped key cannot mint an unscoped one").isEqualTo(403);
    }

    @Test
    void keyRequestsAreValidated() throws Exception {
        String auth = basic("alice", "alice-password");
        assertUnauthorized(RawHttp.send(port, "POST", "/auth/apikey", List.of(), "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth), "{not json".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth),
                "{\"expirationDate\": \"2001-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth),
                "{\"scopes\": [\"team/**:write\"]}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
        byte[] big = ("{\"label\": \"" + "x".repeat(9000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth), big).status()).isEqualTo(413);
        assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(auth), "{}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(201);
        assertThat(Set.of(send("PUT", "/auth/apikey", auth).status())).containsExactly(405);
    }

    // ------------------------------------------------------------------ OIDC login, sessions, bearer JWTs

    /** Follows the provider's redirect for an authorization URL; returns the registry-relative callback target. */
    private static String providerRoundTrip(String authorizationUrl, String externalUrl) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(authorizationUrl)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        String back = r.headers().firstValue("Location").orElseThrow();
        assertThat(back).startsWith(externalUrl);
        return back.substring(externalUrl.length());
    }

    private static String cookie(RawHttp.Response r, String name) {
        return r.headers().getOrDefault("set-cookie", List.of()).stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie in " + r.headers()));
    }

    @Test
    void theSelfServicePageMintsAndRevokesKeysThroughItsForms() throws Exception {
        String auth = basic("ops", "ops-password");
        RawHttp.Response page = get("/auth/", auth);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type").replace(" ", "")).isEqualToIgnoringCase("text/html;charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).startsWith("default-src 'none'; ");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.body()).contains("Signed in as ops");
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(csrf.find()).isTrue();
        String form = "csrf=" + csrf.group(1) + "&action=create&label=from+the+page&lifetime=7&scopes=team%2F**%3Aread";
        RawHttp.Response created = RawHttp.send(port, "POST", "/auth/", List.of(auth, "Content-Type: application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.UTF_8));
        assertThat(created.status()).isEqualTo(200);
        java.util.regex.Matcher shown = java.util.regex.Pattern.compile("id=\"new-key\" class=\"secret\" readonly value=\"(pck_[^\"]+)\"")
                .matcher(created.body());
        assertThat(shown.find()).as(created.body()).isTrue();
        String key = shown.group(1);
        assertThat(get("/v2/team/app/manifests/latest", basic("ops", key)).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "POST", "/auth/", List.of(auth), "action=create&label=forged&lifetime=7".getBytes(StandardCharsets.UTF_8))
                .status()).as("a form without the page's token").isEqualTo(403);

        String id = key.substring(4, key.indexOf('_', 4));
        RawHttp.Response revoked = RawHttp.send(port, "POST", "/auth/", List.of(auth),
                ("csrf=" + csrf.group(1) + "&action=revoke&id=" + id).getBytes(StandardCharsets.UTF_8));
        assertThat(revoked.status()).isEqualTo(303);
        assertThat(revoked.header("Location")).isEqualTo("/auth/?notice=revoked");
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", key)));
        assertThat(keys.list("ops")).hasSize(1);
    }

    @Test
    void oidcLoginGivesASessionThatPushesMintsAKeyAndLogsOut() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String external = "https://registry.example.com";
            OidcLogin login = OidcLogin.builder().externalUrl(external)
                    .sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true))
                    .provider(OidcProviderSettings.of("corp", idp.issuerUrl("corp").toString(), "registry", "secret")).build();
            serve(b -> b.oidc(login));
            idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-7", "JWT", List.of("registry"),
                    Map.of("email", "erin@example.com", "email_verified", true, "groups", List.of("artifact-workloads")), 3600));

            RawHttp.Response start = get("/auth/login?provider=corp&callback_ui=/ui/keys");
            assertThat(start.status()).isEqualTo(302);
            String loginCookie = cookie(start, "__Host-portcullis_login");
            RawHttp.Response done = get(providerRoundTrip(start.header("Location"), external), "Cookie: " + loginCookie);
            assertThat(done.status()).as(done.body()).isEqualTo(302);
            assertThat(done.header("Location")).isEqualTo("/ui/keys");
            assertThat(done.headers().get("set-cookie")).as("the login cookie cleared and the session set: two headers").hasSize(2);
            String session = "Cookie: " + cookie(done, "__Host-portcullis_session");

            assertThat(send("PUT", "/v2/team/app/manifests/from-browser", session, "Origin: https://elsewhere.example").status())
                    .as("a session write from another page").isEqualTo(403);
            RawHttp.Response push = send("PUT", "/v2/team/app/manifests/from-browser", session, "X-Portcullis-Csrf: 1");
            assertThat(push.status()).isEqualTo(201);
            assertThat(push.body()).isEqualTo("user=erin@example.com mountsDenied=");
            assertThat(send("DELETE", "/v2/team/app/manifests/from-browser", session, "X-Portcullis-Csrf: 1").status()).isEqualTo(403);

            assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(session, "Origin: https://evil.example"), "{}".getBytes(StandardCharsets.UTF_8))
                    .status()).as("cross-site").isEqualTo(403);
            RawHttp.Response minted = RawHttp.send(port, "POST", "/auth/apikey", List.of(session, "X-Portcullis-Csrf: 1"),
                    "{\"label\": \"laptop\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(minted.status()).as(minted.body()).isEqualTo(201);
            String key = JSON.readTree(minted.body()).get("apiKey").asText();
            assertThat(send("PUT", "/v2/team/app/manifests/from-key", basic("erin@example.com", key)).status())
                    .as("the key carries the groups recorded at login").isEqualTo(201);

            RawHttp.Response out = send("POST", "/auth/logout", session, "X-Portcullis-Csrf: 1");
            assertThat(out.status()).isEqualTo(200);
            assertThat(JSON.readTree(out.body()).get("endSessionUrl").asText()).startsWith(idp.issuerUrl("corp").toString());
            assertThat(out.header("Set-Cookie")).startsWith("__Host-portcullis_session=;").contains("Max-Age=0");
        } finally {
            idp.shutdown();
        }
    }

    /** zot's rule, over HTTP: a callback_ui whose path holds an encoded backslash or slash sends the browser to '/'. */
    @ParameterizedTest
    @ValueSource(strings = {"/%5Cevil.example", "/%5cevil.example", "/%2Fevil.example", "/%2fevil.example"})
    void anEncodedSeparatorInCallbackUiSendsTheBrowserHome(String callbackUi) throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String external = "https://registry.example.com";
            OidcLogin login = OidcLogin.builder().externalUrl(external)
                    .sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true))
                    .provider(OidcProviderSettings.of("corp", idp.issuerUrl("corp").toString(), "registry", "secret")).build();
            serve(b -> b.oidc(login));
            idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-7", "JWT", List.of("registry"),
                    Map.of("email", "erin@example.com", "email_verified", true), 3600));
            RawHttp.Response start = get("/auth/login?provider=corp&callback_ui=" + java.net.URLEncoder.encode(callbackUi, StandardCharsets.UTF_8));
            assertThat(start.status()).isEqualTo(302);
            RawHttp.Response done = get(providerRoundTrip(start.header("Location"), external), "Cookie: " + cookie(start, "__Host-portcullis_login"));
            assertThat(done.status()).as(done.body()).isEqualTo(302);
            assertThat(done.header("Location")).isEqualTo("/");
        } finally {
            idp.shutdown();
        }
    }

    /** A session or login cookie that does not open (garbled, forged, planted) is no cookie: anonymous, never an error. */
    @ParameterizedTest
    @ValueSource(strings = {"e30.a.b.c.d", "e30....", "bnVsbA.a.b.c.d", "W10.a.b.c.d", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoxfQ.a.b.c.d",
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiWm1oNnJmaGkifQ..AAAAAAAAAAAAAAAA.AAAA.AA", "....."})
    void aCookieThatDoesNotOpenIsNoSessionNeverAnError(String garbled) throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            OidcLogin login = OidcLogin.builder().externalUrl("http://127.0.0.1")
                    .sessions(new SessionCookies(SessionKeyRing.of(List.of(new byte[32])), Duration.ofHours(2), false))
                    .provider(OidcProviderSettings.of("corp", idp.issuerUrl("corp").toString(), "registry", "secret")).build();
            serve(b -> b.oidc(login));
            String session = "Cookie: portcullis_session=" + garbled;
            RawHttp.Response pull = get("/v2/team/app/manifests/latest", session);
            assertThat(pull.status()).isEqualTo(200);
            assertThat(pull.body()).isEqualTo("user=anonymous mountsDenied=");
            assertUnauthorized(send("PUT", "/v2/team/app/manifests/v1", session, "X-Portcullis-Csrf: 1"));
            assertThat(get("/auth/", session).status()).as("the self-service page, logged out").isEqualTo(200);
            assertThat(send("POST", "/auth/logout", session, "X-Portcullis-Csrf: 1").status()).isEqualTo(200);
            RawHttp.Response callback = get("/auth/callback/corp?code=c&state=s", "Cookie: portcullis_login=" + garbled);
            assertThat(callback.status()).as(callback.body()).isEqualTo(401);
        } finally {
            idp.shutdown();
        }
    }

    @Test
    void aBearerJwtFromATrustedIssuerAuthenticatesAndAnyOtherGets401() throws Exception {
        MockOAuth2Server ci = new MockOAuth2Server();
        ci.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String issuer = ci.issuerUrl("ci").toString();
            serve(b -> b.bearerJwt(new BearerJwt(List.of(new BearerJwt.TrustedIssuer(issuer, List.of("registry"), "claims.sub", "groups", null, Map.of())))));
            String job = ci.issueToken("ci", "job", new DefaultOAuth2TokenCallback("ci", "pipeline-42", "JWT", List.of("registry"),
                    Map.of("groups", List.of("artifact-workloads")), 300)).serialize();
            RawHttp.Response r = send("PUT", "/v2/team/app/manifests/from-ci", "Authorization: Bearer " + job);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.body()).isEqualTo("user=pipeline-42 mountsDenied=");
            String foreign = ci.issueToken("ci", "job", new DefaultOAuth2TokenCallback("ci", "pipeline-42", "JWT", List.of("another-service"),
                    Map.of(), 300)).serialize();
            assertUnauthorized(send("PUT", "/v2/team/app/manifests/from-ci", "Authorization: Bearer " + foreign));
        } finally {
            ci.shutdown();
        }
    }
}
