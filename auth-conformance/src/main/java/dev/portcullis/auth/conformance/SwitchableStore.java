package dev.portcullis.auth.conformance;

import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyStore;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** A real store that a test can take down and bring back. */
public final class SwitchableStore implements ApiKeyStore {
    private final ApiKeyStore delegate;
    private final AtomicBoolean down = new AtomicBoolean();

    /**
     * A store that is up until {@link #down(boolean) down(true)}.
     *
     * @param delegate the real store that every call goes to while this one is up
     */
    public SwitchableStore(ApiKeyStore delegate) {
        this.delegate = delegate;
    }

    /**
     * Takes the store down or brings it back. While down, every call but {@link #close()} throws
     * {@link ApiKeyStoreException}, as a store whose database refuses connections would.
     *
     * @param isDown true to take it down, false to bring it back
     */
    public void down(boolean isDown) {
        down.set(isDown);
    }

    private ApiKeyStore up() {
        if (down.get()) {
            throw new ApiKeyStoreException("connection refused (test)", null);
        }
        return delegate;
    }

    @Override
    public boolean insert(ApiKey key, String hash) {
        return up().insert(key, hash);
    }

    @Override
    public Optional<StoredApiKey> find(String id) {
        return up().find(id);
    }

    @Override
    public List<ApiKey> listByOwner(String owner) {
        return up().listByOwner(owner);
    }

    @Override
    public boolean revoke(String id) {
        return up().revoke(id);
    }

    @Override
    public int revokeAll(String owner) {
        return up().revokeAll(owner);
    }

    @Override
    public void replaceHash(String id, String hash) {
        up().replaceHash(id, hash);
    }

    @Override
    public void recordLastUsed(Map<String, Instant> lastUsed) {
        up().recordLastUsed(lastUsed);
    }

    @Override
    public void recordUserGroups(String user, List<String> groups) {
        up().recordUserGroups(user, groups);
    }

    @Override
    public Optional<List<String>> userGroups(String user) {
        return up().userGroups(user);
    }

    @Override
    public KeyEvents eventsSince(long cursor) {
        return up().eventsSince(cursor);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
