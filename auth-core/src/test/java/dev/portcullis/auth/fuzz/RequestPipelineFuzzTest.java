package dev.portcullis.auth.fuzz;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the whole request pipeline, as an adapter calls it: method, request target (OCI route
 * paths, query), {@code Authorization} headers (raw, Basic, Bearer, API-key shaped), {@code Cookie}
 * headers (raw, session and login cookies) and a body (the key endpoint, the self-service page).
 * No input may throw, be answered 500, authenticate anyone, or be let through to a repository the
 * policy keeps from anonymous callers. Replays its seeds in every build; fuzzes with {@code mvn -Pfuzz}.
 */
class RequestPipelineFuzzTest {
    /** Anonymous callers may only read public/**; everything else needs credentials the fuzzer cannot know. */
    private static final AccessPolicy POLICY = AccessPolicy.fromZotJson("""
            {"groups": {"admins": {"users": ["ops"]}},
             "repositories": {
               "public/**": {"anonymousPolicy": ["read"], "defaultPolicy": ["read"]},
               "**": {"policies": [{"groups": ["ci"], "actions": ["read", "create"]}]}},
             "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
             "metrics": {"users": ["ops"]}}
            """);
    private static final List<String> METHODS = List.of("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE", "get", "");
    private static final Portcullis PORTCULLIS = pipeline();

    private static Portcullis pipeline() {
        try {
            Path htpasswd = Files.createTempFile("fuzz", ".htpasswd");
            htpasswd.toFile().deleteOnExit();
            Files.writeString(htpasswd, "ops:" + BCrypt.withDefaults().hashToString(4, "a password no input carries 5Qm2".toCharArray()) + "\n");
            ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
            keys.create(new ApiKeyService.KeyRequest("ci", List.of("ci"), "ci", List.of(), null, "fuzz"));
            return Portcullis.builder().policy(POLICY).realm("fuzz").htpasswd(htpasswd).apiKeys(keys)
                    .sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(1), false))
                    .existence((repository, tag) -> tag.hashCode() % 2 == 0).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void noRequestFailsOrGetsInWithoutCredentials(FuzzedDataProvider data) {
        String method = data.pickValue(METHODS);
        String target = data.consumeString(300);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int authorizations = data.consumeInt(0, 2);
        for (int i = 0; i < authorizations; i++) {
            headers.computeIfAbsent("authorization", k -> new ArrayList<>()).add(switch (data.consumeInt(0, 3)) {
                case 0 -> data.consumeString(200);
                case 1 -> "Basic " + Base64.getEncoder().encodeToString(data.consumeBytes(120));
                case 2 -> "Bearer " + data.consumeString(200);
                default -> "Basic " + Base64.getEncoder().encodeToString(("ci:pck_" + data.consumeString(60)).getBytes(StandardCharsets.UTF_8));
            });
        }
        if (data.consumeBoolean()) {
            String name = data.pickValue(List.of(SessionCookies.SESSION_COOKIE, SessionCookies.LOGIN_COOKIE, ""));
            headers.put("cookie", List.of(name + (name.isEmpty() ? "" : "=") + data.consumeString(500)));
        }
        if (data.consumeBoolean()) {
            headers.put("content-type", List.of(data.pickValue(List.of("application/json", "application/x-www-form-urlencoded", "text/plain"))));
        }
        TestRequest request = new TestRequest(method, target, headers, data.consumeRemainingAsBytes());

        Outcome outcome = PORTCULLIS.handle(request);

        if (outcome instanceof Outcome.Respond r) {
            if (r.status() >= 500) {
                throw new AssertionError("answered " + r.status() + ": " + new String(r.body(), StandardCharsets.UTF_8));
            }
            return;
        }
        Outcome.Proceed proceed = (Outcome.Proceed) outcome;
        if (proceed.identity() != null) {
            throw new AssertionError("authenticated " + proceed.identity().name() + " without credentials");
        }
        RequestPaths.Checked checked = RequestPaths.check(request.rawPath());
        if (!checked.ok() || method.equals("OPTIONS")) {
            return; // refused paths never proceed, so this one is outside the registry or OPTIONS
        }
        String path = checked.path();
        boolean read = method.equals("GET") || method.equals("HEAD");
        boolean registry = path.regionMatches(true, 0, "/v2", 0, 3) && (path.length() == 3 || path.charAt(3) == '/');
        boolean anonymousMay = registry
                ? path.equals("/v2") || path.equals("/v2/") || read && (path.startsWith("/v2/public/") || path.equals("/v2/_catalog"))
                : !path.equals("/metrics");
        if (!anonymousMay) {
            throw new AssertionError(method + " " + target + " let through anonymously");
        }
    }
}
