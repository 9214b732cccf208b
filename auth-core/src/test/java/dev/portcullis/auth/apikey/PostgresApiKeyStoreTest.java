package dev.portcullis.auth.apikey;

import org.junit.jupiter.api.extension.RegisterExtension;


class PostgresApiKeyStoreTest extends ApiKeyStoreContract {
    @RegisterExtension
    static final EmbeddedPostgres POSTGRES = new EmbeddedPostgres();

    @Override
    protected ApiKeyStore newStore() throws Exception {
        return JdbcApiKeyStore.open(POSTGRES.newDatabase());
    }
}
