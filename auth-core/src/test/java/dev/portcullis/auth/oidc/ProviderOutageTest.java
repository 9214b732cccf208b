package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real oidc-provider taken down after its keys were fetched: ID tokens it signed keep verifying as bearer
 * credentials from the keys already held, and an issuer never reached is 503, not an identity. Runs in the {@code e2e}
 * profile (needs the npm install that {@code .ci/run} does).
 */
@Tag("e2e")
class ProviderOutageTest {
    static final OidcProviderProcess.Client WORKLOAD = new OidcProviderProcess.Client("workload", "workload-secret", "client_secret_post",
            List.of("http://127.0.0.1:1/callback"), List.of("http://127.0.0.1:1/"));
    static final OidcProviderProcess.Account JOB = new OidcProviderProcess.Account("job-sub", "job@example.test", "job", List.of("deployers"),
            "job-password");

    @Test
    void tokensKeepVerifyingFromTheKeysHeldAfterTheProviderIsDown() throws Exception {
        String first;
        String second;
        String issuer;
        BearerJwt afterwards;
        try (OidcProviderProcess op = OidcProviderProcess.start(List.of(WORKLOAD), List.of(JOB))) {
            issuer = op.issuer();
            first = op.idToken(WORKLOAD, "job", "job-password");
            second = op.idToken(WORKLOAD, "job", "job-password");
            BearerJwt.TrustedIssuer trusted = new BearerJwt.TrustedIssuer(issuer, List.of(WORKLOAD.id()), "claims.sub", "groups", null, Map.of());
            afterwards = new BearerJwt(List.of(trusted), Duration.ofSeconds(2), Duration.ofSeconds(30), Clock.systemUTC());
            assertThat(afterwards.verify(first)).isInstanceOf(BearerJwt.Result.Valid.class);
        }
        try (BearerJwt held = afterwards;
                BearerJwt neverReached = new BearerJwt(held.trusted(), Duration.ofSeconds(2), Duration.ofSeconds(30), Clock.systemUTC())) {
            BearerJwt.Result valid = held.verify(second);
            assertThat(valid).as("a token not seen before, checked with the keys held").isInstanceOf(BearerJwt.Result.Valid.class);
            assertThat(((BearerJwt.Result.Valid) valid).user()).isEqualTo("job-sub");
            assertThat(((BearerJwt.Result.Valid) valid).groups()).containsExactly("deployers");
            BearerJwt.Result unreachable = neverReached.verify(second);
            assertThat(unreachable).isInstanceOf(BearerJwt.Result.Unavailable.class);
            assertThat(((BearerJwt.Result.Unavailable) unreachable).reason()).isEqualTo("cannot check the bearer token's signature: the keys of " + issuer + " cannot be fetched now");
        }
    }
}
