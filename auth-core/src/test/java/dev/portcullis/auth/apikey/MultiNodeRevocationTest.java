package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two registry nodes, each with its own store connection pool, on one real PostgreSQL. */
class MultiNodeRevocationTest {
    private static final Duration POLL = Duration.ofMillis(250);
    @RegisterExtension
    static final EmbeddedPostgres POSTGRES = new EmbeddedPostgres();

    private static ApiKeyService node(JdbcApiKeyStore store) {
        return ApiKeyService.builder(store).hasher(ApiKeyServiceTest.FAST).eventPollInterval(POLL).build();
    }

    @Test
    void aKeyRevokedOnOneNodeIsRejectedByTheOtherWithinThePollInterval() throws Exception {
        String url = POSTGRES.newDatabase();
        try (JdbcApiKeyStore storeA = JdbcApiKeyStore.open(url); JdbcApiKeyStore storeB = JdbcApiKeyStore.open(url);
             ApiKeyService a = node(storeA); ApiKeyService b = node(storeB)) {
            ApiKeyService.CreatedKey created = a.create(new ApiKeyService.KeyRequest("ci", List.of(), "", List.of(), null, "test"));
            assertThat(b.verify(created.token())).isInstanceOf(KeyVerification.Valid.class); // now cached on b
            long revokedAt = System.nanoTime();
            a.revoke(created.key().id());
            assertThat(a.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
            KeyVerification onB = b.verify(created.token());
            long deadline = revokedAt + TimeUnit.SECONDS.toNanos(5);
            while (onB instanceof KeyVerification.Valid && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling the observable outcome, not synchronizing on a guess
                onB = b.verify(created.token());
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
            System.out.println("cross-node revocation took " + elapsedMs + " ms with a " + POLL.toMillis() + " ms poll interval");
            assertThat(onB).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
            assertThat(elapsedMs).isLessThanOrEqualTo(2 * POLL.toMillis() + 250);
        }
    }

    @Test
    void keysCreatedConcurrentlyOnBothNodesNeverCollideAndWorkOnBoth() throws Exception {
        String url = POSTGRES.newDatabase();
        try (JdbcApiKeyStore storeA = JdbcApiKeyStore.open(url); JdbcApiKeyStore storeB = JdbcApiKeyStore.open(url);
             ApiKeyService a = node(storeA); ApiKeyService b = node(storeB)) {
            Set<String> tokens = ConcurrentHashMap.newKeySet();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < 4; t++) {
                ApiKeyService node = t % 2 == 0 ? a : b;
                pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 25; i++) {
                        tokens.add(node.create(new ApiKeyService.KeyRequest("ci", List.of(), "", List.of(), null, "test")).token());
                    }
                    return null;
                });
            }
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            assertThat(tokens).hasSize(100);
            assertThat(storeA.listByOwner("ci")).hasSize(100);
            for (String token : tokens) {
                assertThat(a.verify(token)).isInstanceOf(KeyVerification.Valid.class);
                assertThat(b.verify(token)).isInstanceOf(KeyVerification.Valid.class);
            }
        }
    }

    @Test
    void aStoreThatGoesDownFailsClosedAndRecoversWithoutARestart() throws Exception {
        String url = POSTGRES.newDatabase();
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(url); ApiKeyService keys = node(store)) {
            ApiKeyService.CreatedKey created = keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "", List.of(), null, "test"));
            try (var c = java.sql.DriverManager.getConnection(url); var st = c.createStatement()) {
                st.execute("ALTER TABLE portcullis_api_keys RENAME TO portcullis_api_keys_away");
            }
            assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Unavailable.class);
            try (var c = java.sql.DriverManager.getConnection(url); var st = c.createStatement()) {
                st.execute("ALTER TABLE portcullis_api_keys_away RENAME TO portcullis_api_keys");
            }
            assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        }
    }
}
