package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-address failure limit must not lock out a real key that shares the attacker's address. */
class FailureLimitTest {
    static String basic(String user, String token) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    static int status(Outcome o) {
        return o instanceof Outcome.Respond r ? r.status() : 200;
    }

    @Test
    void aKeyThatVerifiedBeforePassesALimitAnAttackerTrippedEvenAfterItLeftTheCache() {
        // a 1 ms verified cache: every later request needs a full verification, as after the usual 5 minutes
        try (ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1))
                .verifiedCache(Duration.ofMillis(1), 10).build()) {
            String token = keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "ci", List.of(), null, "test")).token();
            Portcullis p = Portcullis.builder().policy(AccessPolicy.fromZotJson("{\"repositories\": {\"**\": {\"defaultPolicy\": [\"read\"]}}}"))
                    .apiKeys(keys).failureLimit(3, Duration.ofMinutes(1)).listener(e -> { }).build();
            String path = "/v2/team/app/manifests/v1";
            assertThat(status(p.handle(TestRequest.of("GET", path, basic("ci", token))))).isEqualTo(200);
            String wrong = token.substring(0, token.length() - 8) + (token.charAt(token.length() - 8) == 'a' ? 'b' : 'a') + token.substring(token.length() - 7);
            for (int i = 0; i < 5; i++) {
                p.handle(TestRequest.of("GET", path, basic("ci", wrong)));
            }
            Outcome limited = p.handle(TestRequest.of("GET", path, basic("ci", wrong)));
            assertThat(status(limited)).as("the attacker is held back").isEqualTo(429);
            assertThat(((Outcome.Respond) limited).delay()).as("and waits for it (the default limitedDelay)").isEqualTo(Duration.ofSeconds(1));
            assertThat(status(p.handle(TestRequest.of("GET", path, basic("someone", "pck_guess"))))).isEqualTo(429);
            Outcome real = p.handle(TestRequest.of("GET", path, basic("ci", token)));
            assertThat(status(real)).as("the real key is not").isEqualTo(200);
            keys.revoke(token.substring(4, 15));
            assertThat(status(p.handle(TestRequest.of("GET", path, basic("ci", token))))).as("and is still verified: revoked means refused")
                    .isIn(401, 429);
        }
    }
}
