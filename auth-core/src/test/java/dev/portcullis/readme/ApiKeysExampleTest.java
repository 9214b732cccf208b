package dev.portcullis.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.apikey.KeyVerification;
import dev.portcullis.auth.apikey.Scope;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/api-keys.md's example of the key service in code, run as a program in a directory of its own. */
class ApiKeysExampleTest {
    /** The example, word for word; the test reads what it made from the store. */
    public static final class CreateAndVerify {
        public static void main(String[] args) {
            try (JdbcApiKeyStore store = JdbcApiKeyStore.open("data/keys.db");
                 ApiKeyService keys = ApiKeyService.builder(store).maxLifetime(Duration.ofDays(90), ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM).build()) {
                ApiKeyService.CreatedKey created = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"),
                        "github actions", List.of(Scope.parse("team/**:read,create")), null, "my-registry"));
                String token = created.token();            // show once; it is stored nowhere
                KeyVerification v = keys.verify(token);    // Valid(key, groups) | Rejected(reason) | Unavailable(reason)
            }
        }
    }

    @Test
    void theKeyIsCreatedInTheStoreAndVerifies(@TempDir Path dir) throws Exception {
        ExampleProcess.Result run = ExampleProcess.run(CreateAndVerify.class, dir);
        assertThat(run.exitCode()).as(run.output()).isZero();
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(dir.resolve("data/keys.db").toString())) {
            List<ApiKey> made = store.listByOwner("ci");
            assertThat(made).singleElement().satisfies(key -> {
                assertThat(key.scopes()).containsExactly(Scope.parse("team/**:read,create"));
                assertThat(key.expiresAt()).as("held to the 90-day maximum")
                        .isBetween(Instant.now().plus(Duration.ofDays(89)), Instant.now().plus(Duration.ofDays(90)));
            });
        }
    }
}
