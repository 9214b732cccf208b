package dev.portcullis.auth.apikey;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A store in memory, for tests and single-process experiments; everything is lost on exit. */
public final class InMemoryApiKeyStore implements ApiKeyStore {
    private final Map<String, StoredApiKey> keys = new ConcurrentHashMap<>();
    private final Map<String, List<String>> groups = new ConcurrentHashMap<>();
    /** "+id" for a creation, "-id" for a revocation. */
    private final List<String> events = new ArrayList<>();

    @Override
    public synchronized boolean insert(ApiKey key, String hash) {
        if (keys.putIfAbsent(key.id(), new StoredApiKey(key, hash)) != null) {
            return false;
        }
        events.add("+" + key.id());
        return true;
    }

    @Override
    public Optional<StoredApiKey> find(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public List<ApiKey> listByOwner(String owner) {
        return keys.values().stream().map(StoredApiKey::key).filter(k -> k.owner().equals(owner))
                .sorted(Comparator.comparing(ApiKey::createdAt).reversed().thenComparing(ApiKey::id)).toList();
    }

    @Override
    public synchronized boolean revoke(String id) {
        StoredApiKey before = keys.get(id);
        if (before == null || before.key().revoked()) {
            return false;
        }
        keys.put(id, new StoredApiKey(before.key().withRevoked(), before.hash()));
        events.add("-" + id);
        return true;
    }

    @Override
    public synchronized int revokeAll(String owner) {
        int n = 0;
        for (ApiKey k : listByOwner(owner)) {
            n += revoke(k.id()) ? 1 : 0;
        }
        return n;
    }

    @Override
    public void replaceHash(String id, String hash) {
        keys.computeIfPresent(id, (k, v) -> new StoredApiKey(v.key(), hash));
    }

    @Override
    public void recordLastUsed(Map<String, Instant> lastUsed) {
        lastUsed.forEach((id, at) -> keys.computeIfPresent(id, (k, v) -> v.key().lastUsed() != null && !at.isAfter(v.key().lastUsed())
                ? v : new StoredApiKey(v.key().withLastUsed(at), v.hash())));
    }

    @Override
    public void recordUserGroups(String user, List<String> userGroups) {
        groups.put(user, List.copyOf(userGroups));
    }

    @Override
    public Optional<List<String>> userGroups(String user) {
        return Optional.ofNullable(groups.get(user));
    }

    /** The cursor is the number of events seen. */
    @Override
    public synchronized KeyEvents eventsSince(long cursor) {
        if (cursor < 0) {
            return new KeyEvents(events.size(), List.copyOf(keys.keySet()), List.of());
        }
        List<String> created = new ArrayList<>();
        List<String> revoked = new ArrayList<>();
        for (String e : events.subList((int) Math.min(cursor, events.size()), events.size())) {
            (e.charAt(0) == '+' ? created : revoked).add(e.substring(1));
        }
        return new KeyEvents(events.size(), created, revoked);
    }

    @Override
    public void close() {
    }
}
