package dev.portcullis.auth.apikey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys in a SQL database: SQLite (a file in the data directory; the embedded default, one
 * node) or PostgreSQL (several nodes sharing keys). One code path for both; the schema is created
 * and migrated on open, with a version table; every change runs in a transaction.
 *
 * <pre>{@code
 * try (JdbcApiKeyStore store = JdbcApiKeyStore.open("data/keys.db")) { ... }                 // SQLite file
 * JdbcApiKeyStore shared = JdbcApiKeyStore.open("jdbc:postgresql://db/registry?user=portcullis&password=...");
 * }</pre>
 *
 * Creations and revocations are also written to an event table that every node polls (see
 * {@link #eventsSince(long)}), which is how a revocation on one node reaches the others.
 */
public final class JdbcApiKeyStore implements ApiKeyStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcApiKeyStore.class);
    static final int SCHEMA_VERSION = 1;
    /** PostgreSQL sequence values may commit out of order; re-reading this many recent events catches late commits. */
    private static final int EVENT_LOOKBACK = 256;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final HikariDataSource pool;
    private final JdbcDialect dialect;
    private final String description;

    private JdbcApiKeyStore(HikariDataSource pool, JdbcDialect dialect, String description) {
        this.pool = pool;
        this.dialect = dialect;
        this.description = description;
    }

    private static final java.util.regex.Pattern URL_SCHEME = java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");

    /**
     * Refuses a store given as a URL that is not a JDBC one (a libpq {@code postgres://user:password@host/db}), which
     * would otherwise be taken for a SQLite file of that name. The message names only the scheme: the rest may hold a
     * password.
     *
     * @param store the store setting as given: a JDBC URL, a file path, or the mistake
     * @param what names the setting in the message, e.g. {@code portcullis.keyStore}
     * @throws IllegalArgumentException for such a URL
     */
    public static void refuseOtherUrl(String store, String what) {
        java.util.regex.Matcher url = URL_SCHEME.matcher(store);
        if (!store.startsWith("jdbc:") && url.find()) {
            throw new IllegalArgumentException(what + " is a " + url.group(1) + ":// URL, not a JDBC one; write"
                    + " jdbc:postgresql://HOST:PORT/DATABASE?user=…&password=… (or jdbc:sqlite:PATH), or the path of a SQLite file");
        }
    }

    /**
     * Opens (creating or migrating the schema) a store given as a JDBC URL ({@code jdbc:sqlite:…}
     * or {@code jdbc:postgresql:…}) or as the path of a SQLite file.
     *
     * @param store a JDBC URL, or the path of a SQLite file; a file that does not exist yet is created owner-only
     *     (0600)
     * @return the open store; close it on shutdown
     * @throws IllegalArgumentException for an unsupported URL
     * @throws ApiKeyStoreException when the database cannot be reached or migrated, or its driver is not on the class
     *     path
     */
    public static JdbcApiKeyStore open(String store) {
        String url;
        if (store.startsWith("jdbc:")) {
            url = store;
        } else {
            refuseOtherUrl(store, "the key store");
            Path file = Path.of(store).toAbsolutePath();
            SqliteFiles.createOwnerOnly(file);
            SqliteFiles.sharedAccess(file).forEach(LOG::warn);
            url = "jdbc:sqlite:" + file;
        }
        JdbcDialect dialect = JdbcDialect.of(url);
        if (dialect == null) {
            throw new IllegalArgumentException("unsupported key store '" + redact(url) + "': give a SQLite file path, jdbc:sqlite:FILE"
                    + " or jdbc:postgresql://HOST/DB");
        }
        dialect.requireLibraries();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(2_000);
        config.setPoolName("portcullis-keys");
        config.setAutoCommit(true);
        dialect.configure(config);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new ApiKeyStoreException("cannot open the key store " + redact(url) + ": " + rootMessage(e), e);
        }
        JdbcApiKeyStore s = new JdbcApiKeyStore(pool, dialect, redact(url));
        try {
            s.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return s;
    }

    /** The URL without credentials, for messages. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    private static @Nullable String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction; any database failure becomes {@link ApiKeyStoreException}. */
    private <T> T transaction(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    // SQLite rolls back by itself after SQLITE_FULL and the like, and the driver is left out of step: the
                    // first error is the one to report, and the connection is never handed out again (it failed every
                    // later transaction, so one refused write on a full disk used to make key verification fail too)
                    e.addSuppressed(rollback);
                    pool.evictConnection(c);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new ApiKeyStoreException("key store " + description + ": cannot " + what + ": " + e.getMessage() + dialect.advice(e), e);
        } catch (RuntimeException e) {
            if (e instanceof ApiKeyStoreException) {
                throw e;
            }
            throw new ApiKeyStoreException("key store " + description + ": cannot " + what + ": " + rootMessage(e), e);
        }
    }

    private void migrate() {
        transaction("create or migrate the schema", c -> {
            try (Statement st = c.createStatement()) {
                if (dialect == JdbcDialect.POSTGRESQL) {
                    st.execute("SELECT pg_advisory_xact_lock(7071962)"); // one node migrates at a time
                }
                // only read when the schema is current, so that a read-only database still opens to verify keys
                int version = 0;
                try (ResultSet tables = c.getMetaData().getTables(null, null, "portcullis_schema", null)) {
                    if (tables.next()) {
                        try (ResultSet r = st.executeQuery("SELECT MAX(version) FROM portcullis_schema")) {
                            version = r.next() ? r.getInt(1) : 0;
                        }
                    }
                }
                if (version > SCHEMA_VERSION) {
                    throw new SQLException("the schema is at version " + version + ", newer than this Portcullis (" + SCHEMA_VERSION
                            + "); upgrade Portcullis");
                }
                if (version < 1) {
                    st.execute("CREATE TABLE IF NOT EXISTS portcullis_schema (version INTEGER NOT NULL)");
                    String serial = dialect == JdbcDialect.POSTGRESQL ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
                    st.execute("CREATE TABLE portcullis_api_keys (id VARCHAR(32) PRIMARY KEY, owner VARCHAR(512) NOT NULL,"
                            + " owner_groups TEXT NOT NULL, label VARCHAR(512) NOT NULL, scopes TEXT NOT NULL, created_at BIGINT NOT NULL,"
                            + " expires_at BIGINT, last_used BIGINT, creator VARCHAR(512) NOT NULL, revoked_at BIGINT, hash VARCHAR(512) NOT NULL)");
                    st.execute("CREATE INDEX portcullis_api_keys_owner ON portcullis_api_keys (owner)");
                    st.execute("CREATE TABLE portcullis_users (name VARCHAR(512) PRIMARY KEY, groups TEXT NOT NULL, updated_at BIGINT NOT NULL)");
                    st.execute("CREATE TABLE portcullis_api_key_events (seq " + serial + ", key_id VARCHAR(32) NOT NULL,"
                            + " kind VARCHAR(8) NOT NULL, at BIGINT NOT NULL)");
                    st.execute("INSERT INTO portcullis_schema (version) VALUES (1)");
                }
            }
            return SCHEMA_VERSION;
        });
    }

    @Override
    public boolean insert(ApiKey key, String hash) {
        try {
            return transaction("store a new key", c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO portcullis_api_keys (id, owner, owner_groups, label, scopes,"
                        + " created_at, expires_at, last_used, creator, revoked_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, key.id());
                    ps.setString(2, key.owner());
                    ps.setString(3, json(key.ownerGroups()));
                    ps.setString(4, key.label());
                    ps.setString(5, json(key.scopes().stream().map(Scope::toString).toList()));
                    ps.setLong(6, key.createdAt().toEpochMilli());
                    setInstant(ps, 7, key.expiresAt());
                    setInstant(ps, 8, key.lastUsed());
                    ps.setString(9, key.creator());
                    setInstant(ps, 10, key.revoked() ? key.createdAt() : null);
                    ps.setString(11, hash);
                    ps.executeUpdate();
                }
                event(c, key.id(), "created", key.createdAt().toEpochMilli());
                return true;
            });
        } catch (ApiKeyStoreException e) {
            if (e.getCause() instanceof SQLException sql && isDuplicate(sql)) {
                return false;
            }
            throw e;
        }
    }

    private static boolean isDuplicate(SQLException e) {
        String state = e.getSQLState();
        String message = String.valueOf(e.getMessage());
        return (state != null && state.startsWith("23")) || message.contains("UNIQUE constraint failed")
                || message.contains("SQLITE_CONSTRAINT_PRIMARYKEY");
    }

    @Override
    public Optional<StoredApiKey> find(String id) {
        return transaction("look up a key", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM portcullis_api_keys WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet r = ps.executeQuery()) {
                    return r.next() ? Optional.of(new StoredApiKey(key(r), r.getString("hash"))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ApiKey> listByOwner(String owner) {
        return transaction("list keys", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM portcullis_api_keys WHERE owner = ? ORDER BY created_at DESC, id")) {
                ps.setString(1, owner);
                List<ApiKey> out = new ArrayList<>();
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        out.add(key(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean revoke(String id) {
        return transaction("revoke a key", c -> revoke(c, id, System.currentTimeMillis()));
    }

    private boolean revoke(Connection c, String id, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE portcullis_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, id);
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        event(c, id, "revoked", now);
        return true;
    }

    private static void event(Connection c, String id, String kind, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO portcullis_api_key_events (key_id, kind, at) VALUES (?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, kind);
            ps.setLong(3, at);
            ps.executeUpdate();
        }
    }

    @Override
    public int revokeAll(String owner) {
        return transaction("revoke a user's keys", c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM portcullis_api_keys WHERE owner = ? AND revoked_at IS NULL")) {
                ps.setString(1, owner);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getString(1));
                    }
                }
            }
            long now = System.currentTimeMillis();
            int n = 0;
            for (String id : ids) {
                n += revoke(c, id, now) ? 1 : 0;
            }
            return n;
        });
    }

    @Override
    public void replaceHash(String id, String hash) {
        transaction("store a re-hashed key", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE portcullis_api_keys SET hash = ? WHERE id = ?")) {
                ps.setString(1, hash);
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void recordLastUsed(Map<String, Instant> lastUsed) {
        if (lastUsed.isEmpty()) {
            return;
        }
        transaction("record key use", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE portcullis_api_keys SET last_used = ? WHERE id = ? AND (last_used IS NULL OR last_used < ?)")) {
                for (Map.Entry<String, Instant> e : lastUsed.entrySet()) {
                    ps.setLong(1, e.getValue().toEpochMilli());
                    ps.setString(2, e.getKey());
                    ps.setLong(3, e.getValue().toEpochMilli());
                    ps.addBatch();
                }
                return ps.executeBatch().length;
            }
        });
    }

    @Override
    public void recordUserGroups(String user, List<String> groups) {
        transaction("record a user's groups", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO portcullis_users (name, groups, updated_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (name) DO UPDATE SET groups = excluded.groups, updated_at = excluded.updated_at")) {
                ps.setString(1, user);
                ps.setString(2, json(groups));
                ps.setLong(3, System.currentTimeMillis());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<List<String>> userGroups(String user) {
        return transaction("read a user's groups", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT groups FROM portcullis_users WHERE name = ?")) {
                ps.setString(1, user);
                try (ResultSet r = ps.executeQuery()) {
                    return r.next() ? Optional.of(strings(r.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public KeyEvents eventsSince(long cursor) {
        return transaction("read key events", c -> {
            List<String> created = new ArrayList<>();
            List<String> revoked = new ArrayList<>();
            if (cursor < 0) {
                long max;
                try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM portcullis_api_key_events")) {
                    r.next();
                    max = r.getLong(1);
                }
                try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT id FROM portcullis_api_keys")) {
                    while (r.next()) {
                        created.add(r.getString(1));
                    }
                }
                return new KeyEvents(max, created, revoked);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, key_id, kind FROM portcullis_api_key_events WHERE seq > ? ORDER BY seq")) {
                ps.setLong(1, cursor - EVENT_LOOKBACK);
                long max = cursor;
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        max = Math.max(max, r.getLong(1));
                        (r.getString(3).equals("revoked") ? revoked : created).add(r.getString(2));
                    }
                }
                return new KeyEvents(max, created, revoked);
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "JdbcApiKeyStore[" + description + "]";
    }

    private static ApiKey key(ResultSet r) throws SQLException {
        List<Scope> scopes = Scope.parseAll(strings(r.getString("scopes")));
        return new ApiKey(r.getString("id"), r.getString("owner"), strings(r.getString("owner_groups")), r.getString("label"), scopes,
                Instant.ofEpochMilli(r.getLong("created_at")), instant(r, "expires_at"), instant(r, "last_used"), r.getString("creator"),
                r.getObject("revoked_at") != null);
    }

    private static @Nullable Instant instant(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static void setInstant(PreparedStatement ps, int index, @Nullable Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    private static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(String json) throws SQLException {
        try {
            return JSON.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new SQLException("corrupt list in the key store: " + e.getOriginalMessage(), e);
        }
    }
}
