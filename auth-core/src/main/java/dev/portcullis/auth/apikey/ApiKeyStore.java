package dev.portcullis.auth.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where API keys live: records and Argon2id hashes (never secrets), the groups users had at
 * their latest login, and a feed of revocations for the other nodes sharing the store.
 * Every method may throw {@link ApiKeyStoreException} when the store is unavailable.
 *
 * <p>Built in: {@link JdbcApiKeyStore} (SQLite as the embedded default, PostgreSQL for several
 * nodes) and {@link InMemoryApiKeyStore} for tests.
 */
public interface ApiKeyStore extends AutoCloseable {

    /** A key with its hash. */
    record StoredApiKey(ApiKey key, String hash) {
    }

    /**
     * Keys created and revoked (by any node) after a cursor, and the cursor to ask from next time.
     * For the cursor {@code -1}: every key id in the store as "created", and the current cursor.
     */
    record KeyEvents(long cursor, List<String> created, List<String> revoked) {
    }

    /** @return false if the id is already taken (the caller picks another id) */
    boolean insert(ApiKey key, String hash);

    Optional<StoredApiKey> find(String id);

    /** The user's keys, newest first, revoked ones included. */
    List<ApiKey> listByOwner(String owner);

    /** @return true if the key existed and was not yet revoked */
    boolean revoke(String id);

    /** Revokes every key of the owner; returns how many were revoked. */
    int revokeAll(String owner);

    /** Replaces a key's hash after a re-hash with new parameters. */
    void replaceHash(String id, String hash);

    /** Records last-use times, in one batch. */
    void recordLastUsed(Map<String, Instant> lastUsed);

    /** Records the groups a user had at login; API keys of the user carry them. */
    void recordUserGroups(String user, List<String> groups);

    Optional<List<String>> userGroups(String user);

    /** Key creations and revocations made (by any node) after {@code cursor}; start with {@code -1}. */
    KeyEvents eventsSince(long cursor);

    @Override
    void close();
}
