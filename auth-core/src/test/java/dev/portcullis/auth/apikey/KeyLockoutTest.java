package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key ids are public (inside every token and log line): nobody who knows one can lock its owner out, also after a
 * restart and for a key never used before, from another address or from the owner's own (a shared NAT).
 */
class KeyLockoutTest {
    private static final String PATH = "/v2/team/app/manifests/v1";

    @TempDir
    Path dir;

    private static String basic(String user, String token) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** A request from {@code client}, as the trusted proxy in front reports it. */
    private static TestRequest from(String client, String token) {
        return TestRequest.of("GET", PATH, basic("ci", token), "X-Forwarded-For: " + client);
    }

    private static int status(Outcome o) {
        return o instanceof Outcome.Respond r ? r.status() : 200;
    }

    /** A node of the registry over the key store at {@code url}: its own ApiKeyService and pipeline, nothing cached. */
    private record Node(JdbcApiKeyStore store, ApiKeyService keys, Portcullis pipeline) implements AutoCloseable {
        static Node start(String url) {
            JdbcApiKeyStore store = JdbcApiKeyStore.open(url);
            ApiKeyService keys = ApiKeyService.builder(store).hasher(new Argon2Hasher(256, 1, 1)).build();
            Portcullis pipeline = Portcullis.builder()
                    .policy(AccessPolicy.fromZotJson("{\"repositories\": {\"**\": {\"defaultPolicy\": [\"read\"]}}}"))
                    .apiKeys(keys).trustedProxies(List.of("127.0.0.1")).limitedDelay(Duration.ZERO).listener(e -> { }).build();
            return new Node(store, keys, pipeline);
        }

        @Override
        public void close() {
            pipeline.close();
            keys.close();
            store.close();
        }
    }

    @Test
    void wrongSecretsForANeverUsedKeysIdAfterARestartLockNobodyOut() {
        String url = dir.resolve("keys.db").toString();
        String token;
        try (Node before = Node.start(url)) {
            token = before.keys().create(new ApiKeyService.KeyRequest("ci", List.of(), "weekly ci", List.of(), null, "test")).token();
        }
        try (Node node = Node.start(url)) {
            KeyFormat format = new KeyFormat("pck_");
            String id = token.substring(4, 15);
            for (int i = 0; i < 10; i++) {
                assertThat(status(node.pipeline().handle(from("203.0.113.7", ApiKeyServiceTest.forge(format, id))))).isEqualTo(401);
            }
            assertThat(node.keys().argon2Computations()).as("the wrong secrets cost no Argon2").isZero();
            assertThat(status(node.pipeline().handle(from("198.51.100.2", token)))).as("the owner from another address").isEqualTo(200);
            assertThat(status(node.pipeline().handle(from("203.0.113.7", token)))).as("and from the attacker's (a shared NAT)").isEqualTo(200);
        }
    }

    /** Past the per-address limit too: a right secret fits its key's fingerprint, which a guess almost never does. */
    @Test
    void theOwnerOnAnAddressOverItsFailureLimitStillGetsIn() {
        String url = dir.resolve("keys.db").toString();
        try (Node node = Node.start(url)) {
            String token = node.keys().create(new ApiKeyService.KeyRequest("ci", List.of(), "ci", List.of(), null, "test")).token();
            KeyFormat format = new KeyFormat("pck_");
            for (int i = 0; i < 30; i++) {
                node.pipeline().handle(from("203.0.113.7", ApiKeyServiceTest.forge(format, token.substring(4, 15))));
            }
            assertThat(status(node.pipeline().handle(from("203.0.113.7", ApiKeyServiceTest.forge(format, token.substring(4, 15))))))
                    .as("the address is over its limit").isEqualTo(429);
            assertThat(status(node.pipeline().handle(from("203.0.113.7", token)))).as("the owner behind it is not").isEqualTo(200);
        }
    }
}
