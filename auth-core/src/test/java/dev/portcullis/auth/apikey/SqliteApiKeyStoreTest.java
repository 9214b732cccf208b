package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteApiKeyStoreTest extends ApiKeyStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ApiKeyStore newStore() {
        return JdbcApiKeyStore.open(dir.resolve("data/keys.db").toString());
    }

    @Test
    void keysSurviveReopeningAndTheSchemaIsNotRecreated() {
        store.insert(key("a0000000001", "alice", 1), "h");
        store.close();
        store = JdbcApiKeyStore.open("jdbc:sqlite:" + dir.resolve("data/keys.db"));
        assertThat(store.find("a0000000001")).isPresent();
    }

    @Test
    void anUnsupportedUrlIsNamedWithoutItsPassword() {
        assertThatThrownBy(() -> JdbcApiKeyStore.open("jdbc:mysql://db/x?user=u&password=secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported key store 'jdbc:mysql://db/x?user=u&password=***': give a SQLite file path, jdbc:sqlite:FILE"
                        + " or jdbc:postgresql://HOST/DB");
    }
}
