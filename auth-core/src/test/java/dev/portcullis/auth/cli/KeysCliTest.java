package dev.portcullis.auth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.EmbeddedPostgres;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.apikey.KeyVerification;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** portcullis-keys end to end, against a SQLite file and a real PostgreSQL. */
class KeysCliTest {
    @RegisterExtension
    static final EmbeddedPostgres POSTGRES = new EmbeddedPostgres();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        String lastLine() {
            String[] lines = out.split("\n");
            return lines[lines.length - 1];
        }
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KeysCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private String store(String kind) throws Exception {
        return kind.equals("sqlite") ? dir.resolve("data/keys.db").toString() : POSTGRES.newDatabase();
    }

    @org.junit.jupiter.api.Test
    void theStoreMayComeFromAFileSoThatItsPasswordStaysOffTheCommandLine() throws Exception {
        String url = POSTGRES.newDatabase();
        java.nio.file.Files.writeString(dir.resolve("store-url"), url + "\n");
        String storeFile = "file:" + dir.resolve("store-url");
        Run created = cli("create", "--store", storeFile, "--user", "ci", "--label", "from a file");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(cli("list", "--store", url, "--user", "ci").out()).contains("from a file");
        java.nio.file.Files.writeString(dir.resolve("libpq-url"), "postgres://registry:S3cretPw@db.internal:5432/registry\n");
        Run libpq = cli("list", "--store", "file:" + dir.resolve("libpq-url"), "--user", "ci");
        assertThat(libpq.code()).isNotZero();
        assertThat(libpq.err()).contains("the key store is a postgres:// URL, not a JDBC one").doesNotContain("S3cretPw");
        Run unset = cli("list", "--store", "env:PORTCULLIS_TEST_NO_SUCH_VARIABLE", "--user", "ci");
        assertThat(unset.code()).isNotZero();
        assertThat(unset.err()).contains("--store: environment variable PORTCULLIS_TEST_NO_SUCH_VARIABLE is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void createListRevokeAndRevokeAll(String kind) throws Exception {
        String store = store(kind);
        Run created = cli("create", "--store", store, "--user", "ci", "--groups", "artifact-workloads,builders", "--label", "github",
                "--expires", "2030-01-01T00:00:00Z", "--scope", "team/**:read,create");
        assertThat(created.code()).isZero();
        String token = created.lastLine();
        assertThat(token).matches("pck_[0-9A-Za-z]{11}_[0-9A-Za-z]{39}");
        String id = token.substring(4, 15);
        assertThat(created.out()).startsWith("created key " + id + " for ci, expires 2030-01-01T00:00:00Z, scopes [team/**:read,create]\n");

        try (JdbcApiKeyStore s = JdbcApiKeyStore.open(store); ApiKeyService keys = ApiKeyService.builder(s).build()) {
            KeyVerification.Valid v = (KeyVerification.Valid) keys.verify(token);
            assertThat(v.groups()).containsExactly("artifact-workloads", "builders");
        }

        Run list = cli("list", "--store", store, "--user", "ci");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains(id, "github", "[team/**:read,create]", "2030-01-01T00:00:00Z", " no").doesNotContain(token.substring(16));

        assertThat(cli("revoke", "--store", store, id)).isEqualTo(new Run(0, "revoked key " + id + "\n", ""));
        assertThat(cli("revoke", "--store", store, id)).isEqualTo(new Run(1, "", "error: key " + id + " was already revoked\n"));
        assertThat(cli("revoke", "--store", store, "nosuchkey00")).isEqualTo(new Run(1, "", "error: no key with id nosuchkey00\n"));

        cli("create", "--store", store, "--user", "ci");
        cli("create", "--store", store, "--user", "ci");
        assertThat(cli("revoke-all", "--store", store, "--user", "ci").out()).isEqualTo("revoked 2 key(s) of ci\n");
        try (JdbcApiKeyStore s = JdbcApiKeyStore.open(store)) {
            assertThat(s.listByOwner("ci")).hasSize(3).allMatch(ApiKey::revoked);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--expires=yesterday", "--scope=team/**:write", "--scope=team/[:read"})
    void badInputIsOneLineAndNonZero(String option) throws Exception {
        Run r = cli("create", "--store", store("sqlite"), "--user", "ci", option);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ").endsWith("\n");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    /** A registry configuration whose keys live at most 30 days, in data/keys.db beside it. */
    private Path config(String apiKeys) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, """
                {"http": {"auth": {"apikey": true}, "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}},
                 "portcullis": {"apiKeys": %s}}
                """.formatted(apiKeys));
        return file;
    }

    private static Instant expiry(Run created) {
        Matcher m = Pattern.compile("expires (\\S+?)[, (\n]").matcher(created.out());
        assertThat(m.find()).as(created.out()).isTrue();
        return Instant.parse(m.group(1));
    }

    @org.junit.jupiter.api.Test
    void anExpiryBeyondTheConfiguredMaximumIsRefusedNamingTheLimit() throws Exception {
        Path config = config("{\"maxLifetimeDays\": 30}");
        Instant before = Instant.now();
        Run refused = cli("create", "--config", config.toString(), "--user", "ci", "--expires", before.plus(Duration.ofDays(31)).toString());

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        Matcher m = Pattern.compile("error: --expires \\S+ is beyond the maximum key lifetime of 30 days \\(portcullis.apiKeys.maxLifetimeDays in "
                + Pattern.quote(config.toString()) + "\\); give a time no later than (\\S+)\n").matcher(refused.err());
        assertThat(m.matches()).as(refused.err()).isTrue();
        assertThat(Instant.parse(m.group(1))).isBetween(before.plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS),
                Instant.now().plus(Duration.ofDays(30)));
        assertThat(cli("list", "--config", config.toString(), "--user", "ci").out()).startsWith("no keys for ci\n");

        Instant within = before.plus(Duration.ofDays(29)).truncatedTo(ChronoUnit.SECONDS);
        Run created = cli("create", "--config", config.toString(), "--user", "ci", "--expires", within.toString());
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(expiry(created)).isEqualTo(within);
        try (JdbcApiKeyStore s = JdbcApiKeyStore.open(dir.resolve("data/keys.db").toString())) {   // the configuration's store
            assertThat(s.listByOwner("ci")).extracting(ApiKey::expiresAt).containsExactly(within);
        }
    }

    @org.junit.jupiter.api.Test
    void withoutAnExpiryAKeyGetsTheMaximumAsFromTheKeyEndpoints() throws Exception {
        Path config = config("{\"maxLifetimeDays\": 30}");   // "overlong" is "clamp" by default
        Instant before = Instant.now();
        Run created = cli("create", "--config", config.toString(), "--user", "ci", "--label", "no expiry asked");
        Instant after = Instant.now();

        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).contains(" (the maximum key lifetime, 30 days)\n");
        assertThat(expiry(created)).isBetween(before.plus(Duration.ofDays(30)), after.plus(Duration.ofDays(30)));
        // without the configuration nothing limits the key, as before
        Run unlimited = cli("create", "--store", dir.resolve("data/keys.db").toString(), "--user", "ci");
        assertThat(unlimited.out()).startsWith("created key ").contains(" for ci, no expiry\n");
        // another mistake is reported as itself, not as a lifetime refusal that "clamp" never makes
        Run nobody = cli("create", "--config", config.toString(), "--user", "");
        assertThat(nobody.code()).isEqualTo(1);
        assertThat(nobody.err()).isEqualTo("error: a key needs an owner user name\n");
    }

    @org.junit.jupiter.api.Test
    void underOverlongRefuseAKeyWithoutExpiryIsRefusedAsTheKeyEndpointsRefuseIt() throws Exception {
        Path config = config("{\"maxLifetimeDays\": 30, \"overlong\": \"refuse\"}");
        Run refused = cli("create", "--config", config.toString(), "--user", "ci");

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("error: no --expires given, and " + config + " refuses keys that outlive its maximum key lifetime"
                + " of 30 days (portcullis.apiKeys.overlong \"refuse\"); give --expires no later than ");
        assertThat(refused.err().strip().lines().count()).isEqualTo(1);
        Run created = cli("create", "--config", config.toString(), "--user", "ci", "--expires", Instant.now().plus(Duration.ofDays(7)).toString());
        assertThat(created.code()).as(created.err()).isZero();
    }

    @org.junit.jupiter.api.Test
    void theConfigurationsKeySettingsApplyToAStoreGivenOnTheCommandLine() throws Exception {
        Path config = config("{\"maxLifetimeDays\": 30, \"prefix\": \"acme_\"}");
        String other = dir.resolve("other/keys.db").toString();
        Run refused = cli("create", "--config", config.toString(), "--store", other, "--user", "ci", "--expires", "2099-01-01T00:00:00Z");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("error: --expires 2099-01-01T00:00:00Z is beyond the maximum key lifetime of 30 days");

        Run created = cli("create", "--config", config.toString(), "--store", other, "--user", "ci");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.lastLine()).startsWith("acme_");   // the registry's prefix: its endpoints accept the token
        try (JdbcApiKeyStore s = JdbcApiKeyStore.open(other)) {
            assertThat(s.listByOwner("ci")).hasSize(1);
        }
    }

    @org.junit.jupiter.api.Test
    void aStoreOrAConfigurationIsRequiredAndABrokenConfigurationIsReported() throws Exception {
        Run neither = cli("create", "--user", "ci");
        assertThat(neither.code()).isEqualTo(2);
        assertThat(neither.err()).startsWith("name the key store: --store STORE, or --config FILE (the registry's config.json, whose key"
                + " store and key settings then apply)\n");

        Path config = config("{\"maxLifetimeDays\": \"thirty\"}");
        Run broken = cli("list", "--config", config.toString(), "--user", "ci");
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.err()).startsWith("error: " + config + ": ").contains("portcullis.apiKeys.maxLifetimeDays");
        assertThat(broken.err().strip().lines().count()).isEqualTo(1);
    }

    @org.junit.jupiter.api.Test
    void anUnreachableStoreIsReported() {
        Run r = cli("list", "--store", "jdbc:postgresql://127.0.0.1:1/none?user=x&password=hunter2", "--user", "ci");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot open the key store jdbc:postgresql://127.0.0.1:1/none?user=x&password=***")
                .doesNotContain("hunter2");
        assertThat(List.of(r.out())).containsExactly("");
    }
}
