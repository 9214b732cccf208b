package dev.portcullis.auth.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a presented token, cheapest first: its shape and checksum; the verified cache; the {@link SecretScreen}
 * (a token that just failed, an unknown id, a secret outside its key's fingerprint); then the store and one Argon2id
 * computation, at most {@code maxConcurrentHashes} at a time and one per token however many requests present it at
 * once. A store that is down fails closed. Thread-safe.
 */
final class KeyVerifier {
    private static final Logger LOG = LoggerFactory.getLogger("dev.portcullis.auth.apikey.ApiKeyService"); // the service's log, as before
    private final ApiKeyStore store;
    private final KeyFormat format;
    private final Argon2Hasher hasher;
    private final Clock clock;
    private final VerifiedCache cache;
    private final SecretScreen screen;
    private final Semaphore hashing;
    private final long hashWaitMillis;
    private final Map<TokenDigest, CompletableFuture<KeyVerification>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder argon2Computations = new LongAdder();
    private final LongAdder argon2Nanos = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder storeLookups = new LongAdder();
    private final int maxConcurrentHashes;

    KeyVerifier(ApiKeyStore store, KeyFormat format, Argon2Hasher hasher, Clock clock, VerifiedCache cache, SecretScreen screen,
                int maxConcurrentHashes, Duration hashWait) {
        this.store = store;
        this.format = format;
        this.hasher = hasher;
        this.clock = clock;
        this.cache = cache;
        this.screen = screen;
        this.hashing = new Semaphore(maxConcurrentHashes, true);
        this.maxConcurrentHashes = maxConcurrentHashes;
        this.hashWaitMillis = hashWait.toMillis();
    }

    /** Checks a presented token (the Basic-auth password or the Bearer token). Never throws for a bad token. */
    KeyVerification verify(String presented) {
        Optional<KeyFormat.Token> parsed = format.parse(presented);
        if (parsed.isEmpty()) {
            return new KeyVerification.Rejected(KeyVerification.Reason.MALFORMED);
        }
        KeyFormat.Token token = parsed.get();
        TokenDigest digest = TokenDigest.of(presented);
        Instant now = clock.instant();
        KeyVerification.Valid hit = cache.trusted(digest);
        if (hit != null) {
            if (hit.key().isExpired(now)) {
                cache.expired(digest);
                return new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED);
            }
            cache.used(hit.key().id(), now);
            cacheHits.increment();
            return hit;
        }
        KeyVerification.Reason refused = screen.refusal(token, digest);
        if (refused != null) {
            return new KeyVerification.Rejected(refused);
        }
        // one verification per token at a time: when a cached key's entry expires, the client's parallel connections
        // would otherwise each spend an Argon2 on it, queueing behind the slots for up to a second
        CompletableFuture<KeyVerification> mine = new CompletableFuture<>();
        CompletableFuture<KeyVerification> running = inFlight.putIfAbsent(digest, mine);
        if (running != null) {
            return awaitSameToken(running);
        }
        try {
            KeyVerification v = verifyFailingClosed(token, digest, now);
            mine.complete(v);
            return v;
        } finally {
            inFlight.remove(digest, mine);
            mine.complete(new KeyVerification.Unavailable("the verification failed")); // no-op unless it threw
        }
    }

    private KeyVerification verifyFailingClosed(KeyFormat.Token token, TokenDigest digest, Instant now) {
        try {
            return verifyWithStore(token, digest, now);
        } catch (ApiKeyStoreException e) {
            LOG.warn("API key {} not verified: {}", token.id(), e.getMessage());
            return new KeyVerification.Unavailable("the key store is unavailable");
        }
    }

    /** The outcome of the same token's verification, which another thread is running. */
    private static KeyVerification awaitSameToken(CompletableFuture<KeyVerification> running) {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new KeyVerification.Unavailable("interrupted while waiting to verify");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a verification in flight is only ever completed with a result", e);
        }
    }

    private KeyVerification verifyWithStore(KeyFormat.Token token, TokenDigest digest, Instant now) {
        long withdrawalsBefore = cache.withdrawals();
        storeLookups.increment();
        Optional<ApiKeyStore.StoredApiKey> stored = store.find(token.id());
        if (stored.isEmpty()) {
            screen.unknown(token.id());
            return new KeyVerification.Rejected(KeyVerification.Reason.UNKNOWN_KEY);
        }
        screen.known(token.id());
        ApiKey key = stored.get().key();
        if (key.revoked() || key.isExpired(now)) {
            // no longer a real key: its holder is held to the failure limit again, which bounds the store look-ups
            cache.notToday(digest);
            return new KeyVerification.Rejected(key.revoked() ? KeyVerification.Reason.REVOKED : KeyVerification.Reason.EXPIRED);
        }
        Argon2Hasher.Fingerprint fingerprint = Argon2Hasher.fingerprint(stored.get().hash());
        screen.fingerprint(key.id(), fingerprint);
        if (fingerprint != null && !fingerprint.admits(token.secret())) {
            screen.failed(token, digest, true);
            return new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET);
        }
        boolean matches;
        try {
            if (!hashing.tryAcquire(hashWaitMillis, TimeUnit.MILLISECONDS)) {
                return new KeyVerification.Unavailable("every Argon2 slot stayed busy for " + hashWaitMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new KeyVerification.Unavailable("interrupted while waiting to verify");
        }
        try {
            argon2Computations.increment();
            long start = System.nanoTime();
            try {
                matches = hasher.verify(stored.get().hash(), token.secret());
            } finally {
                argon2Nanos.add(System.nanoTime() - start);
            }
        } finally {
            hashing.release();
        }
        if (!matches) {
            screen.failed(token, digest, fingerprint != null);
            return new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET);
        }
        if (hasher.needsRehash(stored.get().hash())) {
            // under the current parameters, and with a fingerprint if it had none: from now on it cannot be locked out
            String rehashed = hash(token.secret());
            store.replaceHash(key.id(), rehashed);
            screen.fingerprint(key.id(), Argon2Hasher.fingerprint(rehashed));
        }
        List<String> groups = store.userGroups(key.owner()).orElse(key.ownerGroups());
        KeyVerification.Valid valid = new KeyVerification.Valid(key, groups);
        cache.put(digest, valid, withdrawalsBefore);
        cache.used(key.id(), now);
        return valid;
    }

    /** The stored form of a new key's secret (an Argon2id computation, counted). */
    String hash(String secret) {
        argon2Computations.increment();
        long start = System.nanoTime();
        try {
            return hasher.hash(secret);
        } finally {
            argon2Nanos.add(System.nanoTime() - start);
        }
    }

    /** Verifications answered from the verified cache (here or by the service's never-blocking lookups). */
    void countCacheHit() {
        cacheHits.increment();
    }

    long cacheHits() {
        return cacheHits.sum();
    }

    /** Verifications that went to the key store: the verified cache did not have the token. */
    long storeLookups() {
        return storeLookups.sum();
    }

    /** Time spent computing Argon2id, in nanoseconds. */
    long argon2Nanos() {
        return argon2Nanos.sum();
    }

    /** Threads waiting for an Argon2 slot now. */
    int argon2Waiting() {
        return hashing.getQueueLength();
    }

    /** Argon2 slots in use now. */
    int argon2Active() {
        return maxConcurrentHashes - hashing.availablePermits();
    }

    /** Argon2id hashes and verifications computed so far (a metric, and how tests prove the cheap paths cheap). */
    long argon2Computations() {
        return argon2Computations.sum();
    }
}
