package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.Action;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ApiKeyStore} must do; run against memory, SQLite and PostgreSQL. */
abstract class ApiKeyStoreContract {
    protected ApiKeyStore store;

    protected abstract ApiKeyStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static ApiKey key(String id, String owner, long createdAtSeconds) {
        return new ApiKey(id, owner, List.of("ci", "devs"), "label " + id, List.of(Scope.parse("team/**:read,create")),
                Instant.ofEpochSecond(createdAtSeconds), Instant.ofEpochSecond(createdAtSeconds + 3600), null, "test", false);
    }

    @Test
    void aKeyIsStoredWithEveryFieldAndItsHash() {
        ApiKey k = key("id000000001", "alice", 1_000);
        assertThat(store.insert(k, "$argon2id$hash")).isTrue();
        ApiKeyStore.StoredApiKey found = store.find("id000000001").orElseThrow();
        assertThat(found.key()).isEqualTo(k);
        assertThat(found.hash()).isEqualTo("$argon2id$hash");
        assertThat(found.key().permits("team/app", Action.CREATE)).isTrue();
        assertThat(store.find("nope0000000")).isEmpty();
    }

    @Test
    void aTakenIdIsRefusedNotOverwritten() {
        assertThat(store.insert(key("id000000001", "alice", 1), "h1")).isTrue();
        assertThat(store.insert(key("id000000001", "mallory", 2), "h2")).isFalse();
        assertThat(store.find("id000000001").orElseThrow().key().owner()).isEqualTo("alice");
    }

    @Test
    void keysAreListedPerOwnerNewestFirst() {
        store.insert(key("a0000000001", "alice", 10), "h");
        store.insert(key("a0000000002", "alice", 30), "h");
        store.insert(key("a0000000003", "alice", 20), "h");
        store.insert(key("b0000000001", "bob", 40), "h");
        assertThat(store.listByOwner("alice")).extracting(ApiKey::id).containsExactly("a0000000002", "a0000000003", "a0000000001");
        assertThat(store.listByOwner("carol")).isEmpty();
    }

    @Test
    void revocationIsRecordedOnceAndAppearsInTheEventFeed() {
        long start = store.eventsSince(-1).cursor();
        store.insert(key("a0000000001", "alice", 10), "h");
        store.insert(key("a0000000002", "alice", 20), "h");
        store.insert(key("b0000000001", "bob", 20), "h");
        assertThat(store.revoke("a0000000001")).isTrue();
        assertThat(store.revoke("a0000000001")).isFalse();
        assertThat(store.revoke("unknown0000")).isFalse();
        assertThat(store.find("a0000000001").orElseThrow().key().revoked()).isTrue();
        assertThat(store.revokeAll("alice")).isEqualTo(1);
        assertThat(store.listByOwner("alice")).allMatch(ApiKey::revoked);
        assertThat(store.find("b0000000001").orElseThrow().key().revoked()).isFalse();
        ApiKeyStore.KeyEvents events = store.eventsSince(start);
        assertThat(events.created()).containsExactly("a0000000001", "a0000000002", "b0000000001");
        assertThat(events.revoked()).containsExactly("a0000000001", "a0000000002");
        assertThat(events.cursor()).isGreaterThan(start);
        assertThat(store.eventsSince(-1).created()).containsExactlyInAnyOrder("a0000000001", "a0000000002", "b0000000001");
    }

    @Test
    void hashesCanBeReplacedAndLastUseOnlyMovesForward() {
        store.insert(key("a0000000001", "alice", 10), "old");
        store.replaceHash("a0000000001", "new");
        assertThat(store.find("a0000000001").orElseThrow().hash()).isEqualTo("new");
        store.recordLastUsed(Map.of("a0000000001", Instant.ofEpochSecond(500)));
        store.recordLastUsed(Map.of("a0000000001", Instant.ofEpochSecond(400), "missing0000", Instant.ofEpochSecond(1)));
        assertThat(store.find("a0000000001").orElseThrow().key().lastUsed()).isEqualTo(Instant.ofEpochSecond(500));
    }

    @Test
    void theGroupsOfAUsersLatestLoginReplaceEarlierOnes() {
        assertThat(store.userGroups("alice")).isEmpty();
        store.recordUserGroups("alice", List.of("a", "b"));
        store.recordUserGroups("alice", List.of("c"));
        assertThat(store.userGroups("alice")).contains(List.of("c"));
    }

    @Test
    void concurrentWritersNeverLoseOrDuplicateAKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Set<String> inserted = ConcurrentHashMap.newKeySet();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    String id = String.format("t%dk%08d", thread, i);
                    if (store.insert(key(id, "owner" + thread, i), "h")) {
                        inserted.add(id);
                    }
                    if (i % 5 == 0) {
                        store.revoke(id);
                    }
                    store.find(id).orElseThrow();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(inserted).hasSize(200);
        for (int t = 0; t < 8; t++) {
            assertThat(store.listByOwner("owner" + t)).hasSize(25).filteredOn(ApiKey::revoked).hasSize(5);
        }
    }
}
