package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.AuthEvent;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The suite's deployment: the server the adapter starts, its users, keys and audit log, and the requests the cases send. */
abstract class ConformanceFixture {
    /** The Basic realm the suite's pipeline announces in {@code WWW-Authenticate}. */
    public static final String REALM = "conformance";
    /** Every repository the suite's application holds; {@code GET /v2/_catalog} answers the caller's part of it. */
    public static final List<String> CATALOG = List.of("team/app", "infra/dns", "library/base");
    static final String POLICY = """
            {"groups": {"admins": {"users": ["ops"]}},
             "repositories": {
               "**": {"policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}], "anonymousPolicy": ["read"]},
               "infra/**": {"policies": [{"users": ["alice"], "actions": ["read"]}]}},
             "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
             "metrics": {"users": ["ops"], "anonymousPolicy": ["read"]}}
            """;
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Starts the adapter's server with this pipeline on 127.0.0.1 and an ephemeral port; returns the port. Called
     * before each case, and again whenever a case restarts the server with another pipeline (after {@link #stop()}).
     *
     * @param portcullis the pipeline to put in front of an {@link EchoApplication} built over {@link #tags()}
     * @return the port the server listens on
     * @throws Exception if the server cannot start; the case fails
     */
    protected abstract int start(Portcullis portcullis) throws Exception;

    /**
     * Stops the server {@link #start} started, releasing its port. Called after each case and before a restart.
     *
     * @throws Exception if the server cannot stop; the case fails
     */
    protected abstract void stop() throws Exception;

    @TempDir
    Path dir;
    /** The port of the running server, as {@link #start} answered it. */
    protected int port;
    /**
     * The htpasswd file of the users {@code ops} (a policy admin), {@code alice} and {@code bob}; each one's password
     * is {@code NAME-password}.
     */
    protected Path htpasswd;
    /** The API-key store, which a case can take down to see the pipeline fail closed. */
    protected SwitchableStore store;
    /** The API-key service over {@link #store}. */
    protected ApiKeyService keys;
    /**
     * The token of an unscoped API key for user {@code ci} in group {@code artifact-workloads}: the policy lets it read
     * and create.
     */
    protected String ciKey;
    /** Every decision the pipeline audited during the case, in order; see {@link #awaitEvent}. */
    protected final List<AuthEvent> events = new CopyOnWriteArrayList<>();
    private final Tags tags = new Tags();
    private @Nullable Portcullis portcullis;

    /**
     * The application's tags, for the adapter's application (see the class comment).
     *
     * @return the tags, the same object for the whole case
     */
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

    /**
     * (Re)starts the server with the standard pipeline, adjusted by {@code customize}.
     *
     * @param customize changes to the standard builder (policy, realm, keys, htpasswd, existence, audit listener)
     * @throws Exception if the adapter cannot stop or start its server
     */
    protected void serve(Consumer<Portcullis.Builder> customize) throws Exception {
        if (portcullis != null) {
            stop();
        }
        // zot's challenge (Basic), which most cases hold the adapter to; TokenFlowCases turn the registry token flow on
        Portcullis.Builder b = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).realm(REALM).apiKeys(keys).htpasswd(htpasswd)
                .existence(tags::exists).listener(this::record).withoutRegistryTokens();
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

    /**
     * Waits (at most 30 s) until the pipeline has audited a decision like this one.
     *
     * @param which picks the decision looked for
     * @return the first audited decision it picks
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws AssertionError if no such decision is audited within 30 s, listing those that were
     */
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

    /**
     * A Basic {@code Authorization} header line, for {@link #get} and {@link #send}.
     *
     * @param user the user name
     * @param password the password
     * @return {@code Authorization: Basic …} with the credentials encoded as UTF-8
     */
    protected static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends a {@code GET} to the running server on a connection of its own.
     *
     * @param target the request target exactly as sent, e.g. {@code /v2/team/app/tags/list}
     * @param headers header lines, each {@code Name: value}
     * @return the response
     * @throws Exception if the connection fails or the server does not answer within 30 s
     */
    protected RawHttp.Response get(String target, String... headers) throws Exception {
        return RawHttp.send(port, "GET", target, headers);
    }

    /**
     * Sends a request without a body to the running server on a connection of its own.
     *
     * @param method the method exactly as sent
     * @param target the request target exactly as sent
     * @param headers header lines, each {@code Name: value}
     * @return the response
     * @throws Exception if the connection fails or the server does not answer within 30 s
     */
    protected RawHttp.Response send(String method, String target, String... headers) throws Exception {
        return RawHttp.send(port, method, target, headers);
    }

    static void assertUnauthorized(RawHttp.Response r) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"" + REALM + "\"");
    }

    /**
     * The corpus attacks this adapter's container answers by itself, before Portcullis sees the
     * request (attack name, as passed to {@link #expect}, to the status it answers). Anything not
     * listed must get Portcullis' own answer.
     *
     * @return attack name to status; empty (the default) when the container passes every request on
     */
    protected Map<String, Integer> containerAnswers() {
        return Map.of();
    }

    /** The status expected for an attack: the container's own answer if it has one, else Portcullis'. */
    int expect(String attack, int portcullisAnswer) {
        return containerAnswers().getOrDefault(attack, portcullisAnswer);
    }

    /** One raw request on its own connection; asserts exactly one response. */
    RawHttp.Response raw(String request) throws Exception {
        List<RawHttp.Response> responses = RawHttp.exchange(port, request);
        assertThat(responses).as("responses to %s", request).hasSize(1);
        return responses.get(0);
    }

    String authorization(String user, String password) {
        return basic(user, password).substring("Authorization: ".length());
    }

}
