package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.ProviderCalls;
import dev.portcullis.policy.AccessPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;

/** The Micrometer meters count what the pipeline did: decisions, credential methods, the key cache, Argon2, providers. */
class PortcullisMetricsTest {
    private static final AccessPolicy POLICY = AccessPolicy.parse("""
            repo "team/**" {
              user ci: read, create, update
              anonymous: read
            }
            """);

    private static double counter(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void decisionsMethodsTheKeyCacheAndArgon2AreCounted() {
        ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
        Portcullis portcullis = Portcullis.builder().policy(POLICY).apiKeys(keys).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new PortcullisMetrics(portcullis).bindTo(registry);
        String token = keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "ci", List.of(), null, "test")).token();

        portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1"));
        portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1"));
        for (int i = 0; i < 3; i++) {
            assertThat(portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", "Authorization: Bearer " + token)))
                    .isInstanceOf(Outcome.Proceed.class);
        }

        assertThat(counter(registry, "portcullis.decisions", "outcome", "allowed", "granted.by", "anonymous")).isEqualTo(1);
        assertThat(counter(registry, "portcullis.decisions", "outcome", "challenged", "granted.by", "none")).isEqualTo(1);
        assertThat(counter(registry, "portcullis.decisions", "outcome", "allowed", "granted.by", "user")).isEqualTo(3);
        assertThat(counter(registry, "portcullis.authentications", "method", "api_key")).isEqualTo(3);
        assertThat(counter(registry, "portcullis.authentications", "method", "anonymous")).isEqualTo(2);
        assertThat(counter(registry, "portcullis.apikey.cache", "result", "miss")).as("the first use goes to the store").isEqualTo(1);
        assertThat(counter(registry, "portcullis.apikey.cache", "result", "hit")).isEqualTo(2);
        assertThat(registry.get("portcullis.argon2").functionTimer().count()).as("the key's hash, then its one verification")
                .isEqualTo(2);
        assertThat(registry.get("portcullis.argon2").functionTimer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get("portcullis.argon2.active").gauge().value()).isZero();
        assertThat(registry.get("portcullis.argon2.waiting").gauge().value()).isZero();
    }

    @Test
    void callsToIdentityProvidersAreTimedAndTheirFailuresCounted() throws Exception {
        MockOAuth2Server provider = new MockOAuth2Server();
        provider.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String issuer = provider.issuerUrl("ci").toString();
            long discoveries = ProviderCalls.count(ProviderCalls.Call.DISCOVERY, false);
            long jwks = ProviderCalls.count(ProviderCalls.Call.JWKS, false);
            BearerJwt jwt = new BearerJwt(List.of(new BearerJwt.TrustedIssuer(issuer, List.of("registry.example.com"), null, null, null,
                    Map.of())), Duration.ofSeconds(5), Duration.ofMillis(1), Clock.systemUTC());
            Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.parse("repo \"**\" {\n  authenticated: read\n}\n"))
                    .bearerJwt(jwt).build();
            String token = provider.issueToken("ci", "ci-client", new DefaultOAuth2TokenCallback("ci", "job", "JWT",
                    List.of("registry.example.com"), Map.of(), 300)).serialize();
            assertThat(portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + token)))
                    .isInstanceOf(Outcome.Proceed.class);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new PortcullisMetrics(portcullis).bindTo(registry);
            assertThat(ProviderCalls.count(ProviderCalls.Call.DISCOVERY, false)).isEqualTo(discoveries + 1);
            assertThat(ProviderCalls.count(ProviderCalls.Call.JWKS, false)).isGreaterThan(jwks);
            assertThat(registry.get("portcullis.idp.requests").tags("call", "discovery", "outcome", "success").functionTimer()
                    .count()).isGreaterThanOrEqualTo(1);
        } finally {
            provider.shutdown();
        }

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort(); // nobody listens there once it is closed
        }
        long failures = ProviderCalls.count(ProviderCalls.Call.DISCOVERY, true);
        BearerJwt down = new BearerJwt(List.of(new BearerJwt.TrustedIssuer("http://127.0.0.1:" + closed + "/ci",
                List.of("registry.example.com"), null, null, null, Map.of())), Duration.ofSeconds(2), Duration.ofMillis(1), Clock.systemUTC());
        Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.parse("repo \"**\" {\n  authenticated: read\n}\n"))
                .bearerJwt(down).build();
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String unverifiable = b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + b64.encodeToString(("{\"iss\":\"http://127.0.0.1:" + closed + "/ci\",\"aud\":\"registry.example.com\",\"sub\":\"job\","
                        + "\"exp\":" + (System.currentTimeMillis() / 1000 + 300) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + b64.encodeToString(new byte[256]);
        Outcome o = portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + unverifiable));
        assertThat(o).isInstanceOf(Outcome.Respond.class);
        assertThat(((Outcome.Respond) o).status()).as("the issuer cannot be reached: fail closed").isEqualTo(503);
        assertThat(ProviderCalls.count(ProviderCalls.Call.DISCOVERY, true)).isEqualTo(failures + 1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new PortcullisMetrics(portcullis).bindTo(registry);
        assertThat(registry.get("portcullis.idp.requests").tags("call", "discovery", "outcome", "error").functionTimer().count())
                .as("the failed discovery, as a meter").isEqualTo(failures + 1);
    }

    @Test
    void theLimitersTripsAreCountedApart() {
        ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
        Portcullis portcullis = Portcullis.builder().policy(POLICY).apiKeys(keys).failureLimit(1, Duration.ofMinutes(1))
                .limitedDelay(Duration.ZERO).rateLimit("DELETE", 1).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new PortcullisMetrics(portcullis).bindTo(registry);
        for (int i = 0; i < 3; i++) {
            portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Basic " + java.util.Base64.getEncoder()
                    .encodeToString(("ci:pck_wrong" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        for (int i = 0; i < 10; i++) { // the bucket holds one DELETE and refills in a second: ten in a row meet it
            portcullis.handle(TestRequest.of("DELETE", "/v2/team/app/manifests/v1"));
        }
        assertThat(counter(registry, "portcullis.limiter.trips", "limiter", "failures")).as("the second and third wrong key").isEqualTo(2);
        double rate = counter(registry, "portcullis.limiter.trips", "limiter", "rate");
        assertThat(rate).isBetween(1.0, 9.0);
        assertThat(counter(registry, "portcullis.decisions", "outcome", "throttled", "granted.by", "-")).isEqualTo(2 + rate);
    }
}
