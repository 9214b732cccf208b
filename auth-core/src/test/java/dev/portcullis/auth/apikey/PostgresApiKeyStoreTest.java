package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


class PostgresApiKeyStoreTest extends ApiKeyStoreContract {
    @RegisterExtension
    static final EmbeddedPostgres POSTGRES = new EmbeddedPostgres();

    @Override
    protected ApiKeyStore newStore() throws Exception {
        return JdbcApiKeyStore.open(POSTGRES.newDatabase());
    }

    /** As after a failover to a read-only standby: the store opens, keys verify, changes are refused saying why. */
    @Test
    void aReadOnlyDatabaseVerifiesKeysButRefusesChangesWithAClearError() throws Exception {
        String url = POSTGRES.newDatabase();
        String token;
        try (JdbcApiKeyStore writable = JdbcApiKeyStore.open(url); ApiKeyService keys = ApiKeyService.builder(writable).hasher(new Argon2Hasher(256, 1, 1)).build()) {
            token = keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "ci", List.of(), null, "test")).token();
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + c.getCatalog() + " SET default_transaction_read_only = on");
        }
        try (JdbcApiKeyStore readOnly = JdbcApiKeyStore.open(url); ApiKeyService keys = ApiKeyService.builder(readOnly).hasher(new Argon2Hasher(256, 1, 1)).build()) {
            assertThat(keys.verify(token)).isInstanceOf(KeyVerification.Valid.class);
            assertThatThrownBy(() -> keys.create(new ApiKeyService.KeyRequest("ci", List.of(), "more", List.of(), null, "test")))
                    .isInstanceOf(ApiKeyStoreException.class).hasMessageContaining("cannot store a new key")
                    .hasMessageContaining("read-only transaction").hasMessageContaining("the key store is read-only: make the database");
            assertThatThrownBy(() -> keys.revoke(token.substring(4, token.indexOf('_', 4)))).isInstanceOf(ApiKeyStoreException.class);
            assertThat(keys.verify(token)).isInstanceOf(KeyVerification.Valid.class);
        }
    }
}
