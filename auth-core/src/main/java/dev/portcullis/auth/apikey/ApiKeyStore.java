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

    /**
     * A key with its hash.
     *
     * @param key the key's record
     * @param hash the Argon2id hash of the secret, as {@link Argon2Hasher} wrote it
     */
    record StoredApiKey(ApiKey key, String hash) {
    }

    /**
     * Keys created and revoked (by any node) after a cursor, and the cursor to ask from next time.
     * For the cursor {@code -1}: every key id in the store as "created", and the current cursor.
     *
     * @param cursor what to pass to {@link #eventsSince} next time
     * @param created the ids of keys created
     * @param revoked the ids of keys revoked
     */
    record KeyEvents(long cursor, List<String> created, List<String> revoked) {
    }

    /**
     * Stores a new key, and records its creation in the event feed.
     *
     * @param key the key's record
     * @param hash the Argon2id hash of its secret
     * @return false if the id is already taken (the caller picks another id)
     */
    boolean insert(ApiKey key, String hash);

    /**
     * A key and its hash by id.
     *
     * @param id the public key id
     * @return the key, revoked or expired ones included; empty when no key has that id
     */
    Optional<StoredApiKey> find(String id);

    /**
     * The user's keys, newest first, revoked ones included.
     *
     * @param owner the user name
     * @return the keys; empty when the user has none
     */
    List<ApiKey> listByOwner(String owner);

    /**
     * Marks a key revoked, and records the revocation in the event feed. The record stays.
     *
     * @param id the public key id
     * @return true if the key existed and was not yet revoked
     */
    boolean revoke(String id);

    /**
     * Revokes every key of the owner; returns how many were revoked.
     *
     * @param owner the user name
     * @return how many keys were revoked now, not counting those revoked before
     */
    int revokeAll(String owner);

    /**
     * Replaces a key's hash after a re-hash with new parameters. Does nothing for an unknown id.
     *
     * @param id the public key id
     * @param hash the new hash of the same secret
     */
    void replaceHash(String id, String hash);

    /**
     * Records last-use times, in one batch. A time earlier than the one stored is ignored; unknown ids are skipped.
     *
     * @param lastUsed key id to when it was last used
     */
    void recordLastUsed(Map<String, Instant> lastUsed);

    /**
     * Records the groups a user had at login; API keys of the user carry them. Replaces what was recorded before.
     *
     * @param user the user name
     * @param groups the groups the identity provider reported
     */
    void recordUserGroups(String user, List<String> groups);

    /**
     * The groups a user had at their latest login.
     *
     * @param user the user name
     * @return the groups, possibly an empty list; empty when no login of the user was recorded
     */
    Optional<List<String>> userGroups(String user);

    /**
     * Key creations and revocations made (by any node) after {@code cursor}; start with {@code -1}. An event may be
     * reported again in a later answer (a database store reads back a little to catch late commits): handling one twice
     * must be harmless.
     *
     * @param cursor {@code -1} the first time, then the {@link KeyEvents#cursor()} of the last answer
     * @return the events, and the cursor to ask from next time
     */
    KeyEvents eventsSince(long cursor);

    /** Closes the store's connections; a store that holds none does nothing. */
    @Override
    void close();
}
