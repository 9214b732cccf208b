package dev.portcullis.auth.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What is refused before a key's store record or Argon2 is consulted: a token that just failed, an id no key has (looked
 * up at a bounded rate), a secret outside its key's fingerprint, and — only for a key stored before fingerprints — an id
 * with too many wrong secrets lately. Thread-safe.
 */
final class SecretScreen {
    private final Cache<TokenDigest, Boolean> recentlyFailed;
    /**
     * Wrong secrets per key id, counted only for keys whose stored hash has no fingerprint yet (stored before
     * fingerprints): the only keys that a flood of wrong secrets for their public id can hold back.
     */
    private final Cache<String, Integer> failuresById;
    private final int maxFailuresPerId;
    /** The fingerprints of keys' secrets by key id ({@link Argon2Hasher}): which secrets are certainly wrong, without Argon2. */
    private final Cache<String, Argon2Hasher.Fingerprint> fingerprints = Caffeine.newBuilder().maximumSize(100_000).build();
    private final Set<String> knownIds = ConcurrentHashMap.newKeySet();
    private final Cache<String, Boolean> unknownIds;
    private final RateLimit unknownIdLookups;

    SecretScreen(Duration negativeCacheTtl, int maxFailuresPerId, Duration failureWindow, Duration unknownIdTtl, int unknownIdLookupsPerSecond) {
        this.recentlyFailed = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(negativeCacheTtl).build();
        this.failuresById = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(failureWindow).build();
        this.maxFailuresPerId = maxFailuresPerId;
        this.unknownIds = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(unknownIdTtl).build();
        this.unknownIdLookups = new RateLimit(unknownIdLookupsPerSecond);
    }

    /** Why the token is refused without the store, or null when the store must be asked. */
    KeyVerification.@Nullable Reason refusal(KeyFormat.Token token, TokenDigest digest) {
        if (recentlyFailed.getIfPresent(digest) != null) {
            return KeyVerification.Reason.RECENTLY_FAILED;
        }
        if (!knownIds.contains(token.id()) && (unknownIds.getIfPresent(token.id()) != null || !unknownIdLookups.tryAcquire())) {
            return KeyVerification.Reason.UNKNOWN_KEY;
        }
        Argon2Hasher.Fingerprint fingerprint = fingerprints.getIfPresent(token.id());
        if (fingerprint != null && !fingerprint.admits(token.secret())) {
            // certainly wrong, told without the store or Argon2: a flood of wrong secrets for the key's public id costs
            // next to nothing, and the owner's right secret, which always fits, is never held back by it
            recentlyFailed.put(digest, Boolean.TRUE);
            return KeyVerification.Reason.WRONG_SECRET;
        }
        Integer failures = failuresById.getIfPresent(token.id());
        // counted only for a key whose hash has no fingerprint yet (it gets one when it next verifies): the right secret of
        // such a key is held back too, which is why a key is never stored without one now
        return failures != null && failures >= maxFailuresPerId ? KeyVerification.Reason.THROTTLED : null;
    }

    /** Whether the token's secret fits its key's fingerprint, as far as the fingerprint is known here. */
    boolean fits(KeyFormat.Token token) {
        Argon2Hasher.Fingerprint fp = fingerprints.getIfPresent(token.id());
        return fp != null && fp.admits(token.secret());
    }

    /** The key's stored hash was read: its fingerprint, if it has one, screens later secrets. */
    void fingerprint(String keyId, Argon2Hasher.@Nullable Fingerprint fingerprint) {
        if (fingerprint != null) {
            fingerprints.put(keyId, fingerprint);
            failuresById.invalidate(keyId);
        }
    }

    /** A wrong secret; counted against its id only for a key without a fingerprint. */
    void failed(KeyFormat.Token token, TokenDigest digest, boolean fingerprinted) {
        recentlyFailed.put(digest, Boolean.TRUE);
        if (!fingerprinted) {
            // each failure is a write, so the cool-down window restarts at the latest one
            failuresById.asMap().merge(token.id(), 1, Integer::sum);
        }
    }

    void known(Collection<String> ids) {
        knownIds.addAll(ids);
        ids.forEach(unknownIds::invalidate);
    }

    void known(String id) {
        knownIds.add(id);
        unknownIds.invalidate(id);
    }

    void unknown(String id) {
        unknownIds.put(id, Boolean.TRUE);
    }

    /** A token bucket refilled continuously; lock-free enough for its rare use (unknown ids). */
    private static final class RateLimit {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last = System.nanoTime();

        RateLimit(int perSecond) {
            this.perNano = perSecond / 1e9;
            this.capacity = Math.max(1, perSecond);
            this.tokens = capacity;
        }

        synchronized boolean tryAcquire() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
