package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQLite key store on a full or a read-only disk: changes are refused with an error that names the store, the cause
 * and what to do; existing keys keep working; nothing is half written. The faults come from SQLite itself: a page
 * limit ({@code max_page_count}) fails writes with SQLITE_FULL as a full disk does, and a read-only open
 * ({@code mode=ro}) fails them with SQLITE_READONLY as a read-only mount does. Both were checked against a real full
 * tmpfs and a real read-only remount, which the build cannot create everywhere; the messages are the same.
 */
class SqliteDiskFaultsTest {
    @TempDir
    Path dir;
    Path file;
    String existing;

    @BeforeEach
    void aStoreWithOneKey() {
        file = dir.resolve("keys.db");
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(file.toString()); ApiKeyService keys = service(store)) {
            existing = keys.create(request("before the fault")).token();
        }
    }

    @Test
    void aFullDiskRefusesNewKeysWithAClearErrorWhileExistingKeysKeepWorking() throws Exception {
        List<String> created = new ArrayList<>();
        ApiKeyStoreException refused = null;
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open("jdbc:sqlite:" + file + "?max_page_count=" + pages());
             ApiKeyService keys = service(store)) {
            for (int i = 0; i < 1000 && refused == null; i++) { // until the pages it has are used up
                try {
                    created.add(keys.create(request("on a full disk " + i)).token());
                } catch (ApiKeyStoreException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("the disk filled up").isNotNull();
            assertThat(refused.getMessage()).contains("key store jdbc:sqlite:" + file, "cannot store a new key", "SQLITE_FULL",
                    "the disk holding the key store is full: free space there");
            assertThat(keys.verify(existing)).isInstanceOf(KeyVerification.Valid.class);
            for (String token : created) {
                assertThat(keys.verify(token)).isInstanceOf(KeyVerification.Valid.class);
            }

            Portcullis portcullis = Portcullis.builder()
                    .policy(AccessPolicy.fromZotJson("{\"repositories\": {\"**\": {\"policies\": [{\"users\": [\"ci\"], \"actions\": [\"read\"]}]}}}"))
                    .apiKeys(keys).build();
            Outcome minted = portcullis.handle(TestRequest.of("POST", "/auth/apikey", basic(existing), "Content-Type: application/json")
                    .withBody("{\"label\": \"one more\"}"));
            assertThat(minted).isInstanceOfSatisfying(Outcome.Respond.class, r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("the API key store is unavailable").doesNotContain("SQLITE");
            });
            assertThat(portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", basic(existing))))
                    .as("pulls with the key go on").isInstanceOf(Outcome.Proceed.class);
        }

        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(file.toString()); ApiKeyService keys = service(store)) { // space freed
            assertThat(keys.list("ci")).as("exactly the keys handed out, nothing half written").hasSize(created.size() + 1);
            for (String token : created) {
                assertThat(keys.verify(token)).isInstanceOf(KeyVerification.Valid.class);
            }
            assertThat(keys.verify(keys.create(request("after")).token())).isInstanceOf(KeyVerification.Valid.class);
        }
    }

    @Test
    void aReadOnlyStoreVerifiesKeysButRefusesChangesWithAClearError() {
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open("jdbc:sqlite:file:" + file + "?mode=ro"); ApiKeyService keys = service(store)) {
            assertThat(keys.verify(existing)).isInstanceOf(KeyVerification.Valid.class);
            assertThatThrownBy(() -> keys.create(request("read-only"))).isInstanceOf(ApiKeyStoreException.class)
                    .hasMessageContaining("cannot store a new key").hasMessageContaining("SQLITE_READONLY")
                    .hasMessageContaining("make the database (for SQLite, the file and its directory) writable");
            String id = existing.substring(4, existing.indexOf('_', 4));
            assertThatThrownBy(() -> keys.revoke(id)).isInstanceOf(ApiKeyStoreException.class).hasMessageContaining("read-only");
            assertThat(keys.verify(existing)).as("a revocation that failed, and said so, changed nothing").isInstanceOf(KeyVerification.Valid.class);
            assertThat(keys.list("ci")).hasSize(1);
        }
    }

    private static ApiKeyService service(ApiKeyStore store) {
        return ApiKeyService.builder(store).hasher(new Argon2Hasher(256, 1, 1)).build();
    }

    private static ApiKeyService.KeyRequest request(String label) {
        return new ApiKeyService.KeyRequest("ci", List.of("builders"), label, List.of(), null, "test");
    }

    private static String basic(String token) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString(("ci:" + token).getBytes(StandardCharsets.UTF_8));
    }

    private int pages() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); ResultSet r = c.createStatement().executeQuery("PRAGMA page_count")) {
            return r.getInt(1);
        }
    }
}
