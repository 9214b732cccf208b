package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.routes.MavenRoutes;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry token flow on the pipeline, without a server: the challenge, the token service's GET and OAuth2 POST,
 * what a token grants, and what it never does (outlive its key, grant beyond its scope, pass on another ring, mint
 * another token). The same flow over real servers is in the conformance cases; with Docker itself in the examples' e2e.
 */
class RegistryTokenFlowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final AccessPolicy POLICY = AccessPolicy.fromZotJson("""
            {"http": {"accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"], "defaultPolicy": ["read"],
              "policies": [{"groups": ["ci"], "actions": ["read", "create"]}]}},
              "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]}}}}
            """);
    static final String HOST = "Host: reg.test:5000";

    final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
    final ApiKeyService keys = ApiKeyService.builder(store).hasher(new Argon2Hasher(256, 1, 1)).build();
    final SessionKeyRing ring = SessionKeyRing.generate();
    final Portcullis portcullis = Portcullis.builder().policy(POLICY).realm("reg").apiKeys(keys).registryTokens(ring, Duration.ofMinutes(5))
            .existence((repository, tag) -> tag.equals("v1")).build();
    final String ciKey = keys.create(new ApiKeyService.KeyRequest("ci", List.of("ci"), "ci", List.of(), null, "test")).token();

    @AfterEach
    void close() {
        keys.close();
    }

    Outcome handle(TestRequest r) {
        return portcullis.handle(r);
    }

    Outcome.Respond respond(TestRequest r) {
        return (Outcome.Respond) handle(r);
    }

    static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(Outcome.Respond r) throws Exception {
        return JSON.readTree(r.body());
    }

    String token(String query, String... headers) throws Exception {
        Outcome.Respond r = respond(TestRequest.of("GET", "/auth/token?" + query, headers));
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("access_token").asText()).isEqualTo(body.get("token").asText());
        return body.get("token").asText();
    }

    @Test
    void theRegistryApiChallengesWithTheTokenServiceAndTheScopeOfTheRefusedRequest() {
        Outcome.Respond ping = respond(TestRequest.of("GET", "/v2/", HOST));
        assertThat(ping.status()).isEqualTo(401);
        assertThat(ping.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"http://reg.test:5000/auth/token\",service=\"reg\"");

        Outcome.Respond push = respond(TestRequest.of("PUT", "/v2/team/app/manifests/v2", HOST));
        assertThat(push.status()).isEqualTo(401);
        assertThat(push.headers()).containsEntry("WWW-Authenticate",
                "Bearer realm=\"http://reg.test:5000/auth/token\",service=\"reg\",scope=\"repository:team/app:pull,push\"");
        // a Host that could not name the token service gets the Basic challenge, which still works
        assertThat(respond(TestRequest.of("GET", "/v2/", "Host: evil\",x=\"y")).headers()).containsEntry("WWW-Authenticate", "Basic realm=\"reg\"");
        // an anonymous read is still served without a token (curl -I)
        assertThat(handle(TestRequest.of("HEAD", "/v2/team/app/manifests/v1", HOST))).isInstanceOf(Outcome.Proceed.class);
    }

    @Test
    void anAnonymousTokenPullsAndPushesNothing() throws Exception {
        String token = token("service=reg&scope=repository:team/app:pull,push");
        String bearer = "Authorization: Bearer " + token;
        assertThat(handle(TestRequest.of("GET", "/v2/", bearer))).isInstanceOf(Outcome.Proceed.class);
        Outcome pull = handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", bearer));
        assertThat(pull).isInstanceOf(Outcome.Proceed.class);
        assertThat(((Outcome.Proceed) pull).identity()).isNull();
        assertThat(respond(TestRequest.of("PUT", "/v2/team/app/manifests/v2", bearer, HOST)).status()).isEqualTo(401);
    }

    @Test
    void aKeyHoldersTokenGrantsWhatWasAskedAndThePolicyAllowsAndNoMore() throws Exception {
        String token = token("service=reg&scope=repository:team/app:pull,push,delete&account=ci", basic("ci", ciKey));
        String bearer = "Authorization: Bearer " + token;
        Outcome push = handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2", bearer));
        assertThat(push).isInstanceOf(Outcome.Proceed.class);
        Identity id = ((Outcome.Proceed) push).identity();
        assertThat(id).isNotNull();
        assertThat(id.name()).isEqualTo("ci");
        assertThat(id.method()).isEqualTo(Identity.AuthMethod.REGISTRY_TOKEN);
        // push grants create or update, but each write is decided: ci may not overwrite
        Outcome.Respond overwrite = respond(TestRequest.of("PUT", "/v2/team/app/manifests/v1", bearer));
        assertThat(overwrite.status()).isEqualTo(403);
        // delete was asked, but the policy does not allow it: not granted
        assertThat(respond(TestRequest.of("DELETE", "/v2/team/app/manifests/v2", bearer)).status()).isEqualTo(403);
        // another repository: the policy would allow it, the token does not
        Outcome.Respond elsewhere = respond(TestRequest.of("PUT", "/v2/team/other/manifests/v2", bearer));
        assertThat(elsewhere.status()).isEqualTo(403);
        assertThat(new String(elsewhere.body(), StandardCharsets.UTF_8)).contains("may not create 'team/other'");
        // Basic credentials keep working on registry requests
        assertThat(handle(TestRequest.of("PUT", "/v2/team/other/manifests/v2", basic("ci", ciKey)))).isInstanceOf(Outcome.Proceed.class);
    }

    @Test
    void wrongCredentialsGetNoTokenAndATokenCannotMintAnother() throws Exception {
        assertThat(respond(TestRequest.of("GET", "/auth/token?service=reg&scope=repository:team/app:pull", basic("ci", "pck_wrong"))).status())
                .isEqualTo(401);
        String token = token("service=reg&scope=repository:team/app:pull", basic("ci", ciKey));
        assertThat(respond(TestRequest.of("GET", "/auth/token?service=reg&scope=repository:team/app:pull,push", "Authorization: Bearer " + token))
                .status()).isEqualTo(400);
        assertThat(respond(TestRequest.of("GET", "/auth/token?service=elsewhere&scope=repository:team/app:pull")).status()).isEqualTo(400);
        assertThat(respond(TestRequest.of("GET", "/auth/token?account=root", basic("ci", ciKey))).status()).isEqualTo(400);
    }

    @Test
    void aTokenStopsWorkingWhenItsKeyIsRevoked() throws Exception {
        String bearer = "Authorization: Bearer " + token("service=reg&scope=repository:team/app:pull,push", basic("ci", ciKey));
        assertThat(handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2", bearer))).isInstanceOf(Outcome.Proceed.class);
        keys.revoke(ciKey.substring(4, ciKey.indexOf('_', 4)));
        Outcome.Respond after = respond(TestRequest.of("PUT", "/v2/team/app/manifests/v2", bearer));
        assertThat(after.status()).isEqualTo(401);
    }

    @Test
    void aForgedTokenOrOneOfAnotherRingIsRefused() throws Exception {
        String token = token("service=reg&scope=repository:team/app:pull,push", basic("ci", ciKey));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"ci\"", "\"root\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(respond(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + forged)).status()).isEqualTo(401);

        Portcullis replica = Portcullis.builder().policy(POLICY).realm("reg").apiKeys(keys).registryTokens(SessionKeyRing.generate(), Duration.ofMinutes(5))
                .existence((repository, tag) -> false).build();
        assertThat(((Outcome.Respond) replica.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + token))).status())
                .isEqualTo(401);
        Portcullis sharing = Portcullis.builder().policy(POLICY).realm("reg").apiKeys(keys).registryTokens(ring.rotate(), Duration.ofMinutes(5))
                .existence((repository, tag) -> false).build();
        assertThat(sharing.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2", "Authorization: Bearer " + token)))
                .isInstanceOf(Outcome.Proceed.class);
    }

    @Test
    void aTokenExpires() {
        Instant start = Instant.parse("2026-12-07T10:00:00Z");
        RegistryTokens at = new RegistryTokens(ring, "reg", "reg", Duration.ofMinutes(5), Duration.ofDays(1), Clock.fixed(start, ZoneOffset.UTC));
        String token = at.mint(RegistryTokens.ACCESS, null, List.of(), start.plus(Duration.ofMinutes(5)));
        assertThat(at.verifyAccess(token)).isNotNull();
        RegistryTokens later = new RegistryTokens(ring, "reg", "reg", Duration.ofMinutes(5), Duration.ofDays(1),
                Clock.fixed(start.plus(Duration.ofMinutes(5)), ZoneOffset.UTC));
        assertThat(later.verifyAccess(token)).isNull();
        RegistryTokens otherService = new RegistryTokens(ring, "reg", "other", Duration.ofMinutes(5), Duration.ofDays(1), Clock.fixed(start, ZoneOffset.UTC));
        assertThat(otherService.verifyAccess(token)).isNull();
        assertThat(at.verify(token, RegistryTokens.REFRESH)).as("an access token is no refresh token").isNull();
    }

    @Test
    void theOAuth2FormGrantsByPasswordAndByARefreshTokenThatEndsWithTheKey() throws Exception {
        String form = "grant_type=password&service=reg&client_id=docker&access_type=offline&username=ci&password="
                + URLEncoder.encode(ciKey, StandardCharsets.UTF_8) + "&scope=" + URLEncoder.encode("repository:team/app:pull,push", StandardCharsets.UTF_8);
        Outcome.Respond r = respond(TestRequest.of("POST", "/auth/token", "Content-Type: application/x-www-form-urlencoded").withBody(form));
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("expires_in").asInt()).isEqualTo(300);
        String refresh = body.get("refresh_token").asText();
        assertThat(handle(TestRequest.of("PUT", "/v2/team/app/manifests/v2", "Authorization: Bearer " + body.get("access_token").asText())))
                .isInstanceOf(Outcome.Proceed.class);

        String again = "grant_type=refresh_token&service=reg&client_id=docker&refresh_token=" + refresh + "&scope=repository:team/app:pull";
        Outcome.Respond renewed = respond(TestRequest.of("POST", "/auth/token").withBody(again));
        assertThat(renewed.status()).isEqualTo(200);
        // a refresh token is no access token
        assertThat(respond(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + refresh)).status()).isEqualTo(401);

        String wrong = form.replace(URLEncoder.encode(ciKey, StandardCharsets.UTF_8), "pck_nope");
        assertThat(respond(TestRequest.of("POST", "/auth/token").withBody(wrong)).status()).isEqualTo(401);
        assertThat(respond(TestRequest.of("POST", "/auth/token").withBody("grant_type=client_credentials")).status()).isEqualTo(400);

        keys.revoke(ciKey.substring(4, ciKey.indexOf('_', 4)));
        Outcome.Respond refused = respond(TestRequest.of("POST", "/auth/token").withBody(again));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(json(refused).get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void otherRoutesKeepTheBasicChallengeUnlessTheFlowIsAsked() {
        Portcullis maven = Portcullis.builder().policy(POLICY).realm("reg").apiKeys(keys).routes(MavenRoutes.under("/maven"))
                .existence((repository, tag) -> false).build();
        Outcome.Respond r = (Outcome.Respond) maven.handle(TestRequest.of("PUT", "/maven/com/example/app/1.0/app-1.0.jar", HOST));
        assertThat(r.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"reg\"");
        Portcullis off = Portcullis.builder().policy(POLICY).realm("reg").apiKeys(keys).withoutRegistryTokens().existence((repository, tag) -> false).build();
        Outcome.Respond ping = (Outcome.Respond) off.handle(TestRequest.of("GET", "/v2/", HOST, "User-Agent: docker/20.10.24"));
        assertThat(ping.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"reg\"");
    }
}
