package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.policy.AccessPolicy;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workload identity: CI job tokens from trusted issuers, through the whole pipeline. */
class BearerJwtTest {
    static final String POLICY = """
            {"repositories": {"team/**": {"policies": [{"users": ["%s/repo:team/app"], "actions": ["read", "create"]},
                                                       {"groups": ["deployers"], "actions": ["read", "create", "update"]}]}}}
            """;
    MockOAuth2Server ci;
    Portcullis portcullis;
    String issuer;

    @BeforeEach
    void start() throws Exception {
        ci = new MockOAuth2Server();
        ci.start(InetAddress.getByName("127.0.0.1"), 0);
        issuer = ci.issuerUrl("ci").toString();
        BearerJwt jwt = new BearerJwt(List.of(
                new BearerJwt.TrustedIssuer(issuer, List.of("registry.example.com"), null, "groups", null, Map.of())),
                Duration.ofSeconds(5), Duration.ofMillis(1), Clock.systemUTC());
        portcullis = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY.formatted(issuer))).bearerJwt(jwt).existence((r, t) -> false).build();
    }

    @AfterEach
    void stop() {
        ci.shutdown();
    }

    String token(String issuerId, String subject, String audience, Map<String, Object> claims, long expiry) {
        return ci.issueToken(issuerId, "ci-client", new DefaultOAuth2TokenCallback(issuerId, subject, "JWT", List.of(audience), claims, expiry))
                .serialize();
    }

    Outcome push(String token) {
        return portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", "Authorization: Bearer " + token));
    }

    @Test
    void aTokenFromATrustedIssuerIsAUserNamedIssuerSlashSubject() {
        Outcome out = push(token("ci", "repo:team/app", "registry.example.com", Map.of(), 300));
        assertThat(out).isInstanceOf(Outcome.Proceed.class);
        Identity who = ((Outcome.Proceed) out).identity();
        assertThat(who.name()).isEqualTo(issuer + "/repo:team/app");
        assertThat(who.method()).isEqualTo(Identity.AuthMethod.BEARER);
    }

    @Test
    void groupsComeFromTheConfiguredClaimAndThePolicyDecides() {
        String withGroup = token("ci", "repo:other", "registry.example.com", Map.of("groups", List.of("deployers")), 300);
        assertThat(push(withGroup)).isInstanceOf(Outcome.Proceed.class);
        Outcome noGroup = push(token("ci", "repo:other", "registry.example.com", Map.of(), 300));
        assertThat(((Outcome.Respond) noGroup).status()).as("authenticated, not allowed").isEqualTo(403);
    }

    @Test
    void wrongAudienceUnknownIssuerExpiredAndGarbageAre401() {
        assertThat(status(push(token("ci", "repo:team/app", "another-service", Map.of(), 300)))).isEqualTo(401);
        assertThat(status(push(token("elsewhere", "repo:team/app", "registry.example.com", Map.of(), 300)))).isEqualTo(401);
        assertThat(status(push(token("ci", "repo:team/app", "registry.example.com", Map.of(), -120)))).isEqualTo(401);
        assertThat(status(push("not.a.jwt"))).isEqualTo(401);
        String valid = token("ci", "repo:team/app", "registry.example.com", Map.of(), 300);
        String[] parts = valid.split("\\.");
        assertThat(status(push(parts[0] + "." + parts[1] + ".AAAA"))).as("bad signature").isEqualTo(401);
    }

    @Test
    void aVerifiedTokenIsDecidedWithoutBlockingUntilItExpires() {
        String t = token("ci", "repo:team/app", "registry.example.com", Map.of(), 300);
        TestRequest request = TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + t);
        assertThat(portcullis.handleWithoutBlocking(request)).as("first time: keys must be fetched").isEmpty();
        assertThat(portcullis.handle(request)).isInstanceOf(Outcome.Proceed.class);
        assertThat(portcullis.handleWithoutBlocking(request)).get().isInstanceOf(Outcome.Proceed.class);
    }

    @Test
    void anIssuerThatCannotBeReachedGives503NotAnonymous() {
        ci.shutdown();
        String t = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiIiLCJzdWIiOiJ4In0.AAAA".replace("eyJpc3MiOiIiLCJzdWIiOiJ4In0",
                com.nimbusds.jose.util.Base64URL.encode("{\"iss\":\"" + issuer + "\",\"sub\":\"x\"}").toString());
        assertThat(status(push(t))).isEqualTo(503);
    }

    @Test
    void requiredClaimsAdmitOnlyTheirOwnersAndABearerTokenCannotMintKeys() {
        BearerJwt strict = new BearerJwt(List.of(BearerJwt.TrustedIssuer.of(issuer, List.of("registry.example.com"), Map.of("repository_owner", List.of("my-org")))));
        Portcullis p = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY.formatted(issuer))).bearerJwt(strict)
                .existence((repository, tag) -> false).build();
        String mine = token("ci", "repo:team/app", "registry.example.com", Map.of("repository_owner", "my-org"), 300);
        String theirs = token("ci", "repo:team/app", "registry.example.com", Map.of("repository_owner", "someone-else"), 300);
        assertThat(p.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + mine))).isInstanceOf(Outcome.Proceed.class);
        assertThat(status(p.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + theirs)))).isEqualTo(401);

        dev.portcullis.auth.apikey.ApiKeyService keys = dev.portcullis.auth.apikey.ApiKeyService.builder(
                new dev.portcullis.auth.apikey.InMemoryApiKeyStore()).build();
        try {
            Portcullis withKeys = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY.formatted(issuer))).bearerJwt(strict).apiKeys(keys)
                    .existence((repository, tag) -> false).build();
            Outcome.Respond mint = (Outcome.Respond) withKeys.handle(TestRequest.of("POST", "/auth/apikey", "Authorization: Bearer " + mine));
            assertThat(mint.status()).isEqualTo(403);
            assertThat(mint.bodyText()).contains("cannot manage API keys");
        } finally {
            keys.close();
        }
    }

    @Test
    void sharedIssuersNeedRequiredClaimsAndKeysComeOverHttps() {
        assertThatThrownBy(() -> BearerJwt.TrustedIssuer.of("https://token.actions.githubusercontent.com", "registry.example.com"))
                .hasMessageContaining("gives anyone a token for any audience").hasMessageContaining("requiredClaims");
        assertThat(BearerJwt.TrustedIssuer.of("https://token.actions.githubusercontent.com", List.of("registry.example.com"),
                Map.of("repository_owner", List.of("my-org"))).requiredClaims()).containsEntry("repository_owner", List.of("my-org"));
        assertThatThrownBy(() -> BearerJwt.TrustedIssuer.of("http://ci.example.com", "r")).hasMessageContaining("must be https");
        assertThatThrownBy(() -> OidcProviderSettings.of("corp", "http://sso.example.com", "c", "s")).hasMessageContaining("must be https");
        assertThat(BearerJwt.TrustedIssuer.of("http://127.0.0.1:8080/ci", "r").issuer()).as("this machine may use http").isNotNull();
        assertThatThrownBy(() -> new BearerJwt.TrustedIssuer("https://ci.example.com", List.of("r"), null, "size(claims.groups) > 0", null, Map.of()))
                .hasMessageContaining("not a claim path");
    }

    @Test
    void userNameExpressionsAreClaimPathsAndLiterals() {
        BearerJwt.UserNameTemplate t = BearerJwt.UserNameTemplate.parse("'gitlab:' + claims.project_path + ':' + ref");
        assertThat(t.apply(Map.of("project_path", "team/app", "ref", "main"))).contains("gitlab:team/app:main");
        assertThat(t.apply(Map.of("project_path", "team/app"))).as("a missing claim: no user").isEmpty();
        assertThatThrownBy(() -> BearerJwt.UserNameTemplate.parse("claims.sub.startsWith('x')")).hasMessageContaining("not a claim path");
        assertThatThrownBy(() -> BearerJwt.UserNameTemplate.parse("claims.iss + ")).hasMessageContaining("ends where");
        assertThatThrownBy(() -> new BearerJwt.TrustedIssuer("https://ci.example", List.of(), null, null, null, Map.of()))
                .hasMessageContaining("at least one audience");
    }

    private static int status(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Respond.class);
        return ((Outcome.Respond) o).status();
    }
}
