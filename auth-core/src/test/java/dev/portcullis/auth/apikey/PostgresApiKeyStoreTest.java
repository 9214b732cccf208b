package dev.portcullis.auth.apikey;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresApiKeyStoreTest extends ApiKeyStoreContract {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = new EmbeddedPostgres();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Override
    protected ApiKeyStore newStore() throws Exception {
        return JdbcApiKeyStore.open(postgres.newDatabase());
    }
}
