package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.auth.AuthEvent;
import dev.portcullis.auth.apikey.ApiKeyService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Failures, limits and outages; the API key endpoints with zot's JSON. */
abstract class LimitAndKeyEndpointCases extends HostileInputCases {
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

    /**
     * zot's {@code http.ratelimit}: a bucket per client and path, and one per limited method, asked before credentials
     * are. With one request per second, ten in a row to one path meet the limit unless they take nine seconds.
     */
    @Test
    void aRateLimitAnswers429WithRetryAfterPerClientAndPathBeforeAnyCredentialIsChecked() throws Exception {
        serve(b -> b.rateLimit(1));
        RawHttp.Response limited = firstLimited("GET", "/v2/team/app/manifests/latest", basic("ci", "pck_wrong"));
        assertThat(limited.header("Retry-After")).isEqualTo("1");
        assertThat(limited.body()).contains("TOOMANYREQUESTS");
        assertThat(events.get(events.size() - 1).status()).isEqualTo(429);
        assertThat(get("/v2/team/other/manifests/latest").status()).as("another path has a bucket of its own").isEqualTo(200);

        serve(b -> b.rateLimit(1_000).rateLimit("PUT", 1));
        firstLimited("PUT", "/v2/team/app/manifests/new", basic("ci", ciKey));
        for (int i = 0; i < 5; i++) {
            assertThat(get("/v2/team/app/manifests/new").status()).as("GETs of the same path are under the higher limit").isEqualTo(200);
        }
    }

    /** Sends the request up to ten times: the first 429, which must not be the first answer. */
    private RawHttp.Response firstLimited(String method, String path, String... headers) throws Exception {
        for (int i = 0; i < 10; i++) {
            RawHttp.Response r = RawHttp.send(port, method, path, List.of(headers), new byte[0]);
            if (r.status() == 429) {
                assertThat(i).as("the bucket holds one request").isPositive();
                return r;
            }
        }
        throw new AssertionError("ten " + method + " " + path + " in a row never met a limit of one per second");
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

}
