package dev.portcullis.auth.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, verifies and revokes API keys. Thread-safe; one per node, closed on shutdown.
 *
 * <pre>{@code
 * ApiKeyService keys = ApiKeyService.builder(JdbcApiKeyStore.open("data/keys.db")).build();
 * ApiKeyService.CreatedKey created = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"),
 *         "github actions", List.of(Scope.parse("team/**:read,create")), null, "portcullis-keys"));
 * System.out.println(created.token());                 // shown once, never stored
 * KeyVerification v = keys.verify(created.token());   // Valid(...)
 * }</pre>
 *
 * <p>Verification, cheapest first: the token's shape and checksum (no store access); a
 * negative cache of tokens that just failed; the verified-token cache (keyed by the SHA-256 of
 * the token, never the token); an in-memory index of known key ids; then one Argon2id
 * verification, at most {@code maxConcurrentHashes} at a time, one per token however many requests
 * present it at once, and only for a secret that fits its key's fingerprint (see {@link Argon2Hasher}): a flood of
 * wrong secrets for a key's public id costs no Argon2 and never holds back the owner's right one. Revocations and
 * expiry take effect at once on this node and, through the store's event feed polled every
 * {@code eventPollInterval}, on every node sharing the store.
 * If the feed cannot be read for {@code 5 × eventPollInterval}, cached verifications are no longer
 * trusted and every key goes back to the store (failing closed when it is down).
 */
public final class ApiKeyService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyService.class);

    /** What to do with a key requested without expiry or beyond the maximum lifetime. */
    public enum OverlongKeys { CLAMP_TO_MAXIMUM, REFUSE }

    /**
     * A request for a new key.
     *
     * @param expiresAt {@code null} for no expiry (subject to the maximum lifetime)
     */
    public record KeyRequest(String owner, List<String> ownerGroups, String label, List<Scope> scopes, Instant expiresAt, String creator) {
        public KeyRequest {
            if (owner == null || owner.isEmpty()) {
                throw new IllegalArgumentException("a key needs an owner user name");
            }
            ownerGroups = List.copyOf(ownerGroups);
            scopes = List.copyOf(scopes);
        }
    }

    /** A new key and its token; the token is shown this once and stored nowhere. */
    public record CreatedKey(ApiKey key, String token) {
        @Override
        public String toString() {
            return "CreatedKey[" + key + "]";
        }
    }

    private final ApiKeyStore store;
    private final KeyFormat format;
    private final Argon2Hasher hasher;
    private final Clock clock;
    private final Duration maxLifetime;
    private final OverlongKeys overlong;
    /**
     * Verified tokens by their SHA-256, and the SHA-256 of whole texts that carried one (an {@code Authorization} value, which
     * always holds a space, and so is never a token) to the token's entry: a client sending the same text again is
     * spared decoding it. Expired by {@link #trusted}, not by Caffeine: one clock read per hit serves both the TTL and
     * the event feed's freshness.
     */
    private final Cache<TokenDigest, Verified> verified;
    private final long verifiedTtlNanos;
    private final Cache<TokenDigest, Boolean> recentlyFailed;
    /** Tokens that verified within a day: never a credential by itself, only a pass past per-address limits. */
    private final Cache<TokenDigest, Boolean> verifiedToday;
    /**
     * Wrong secrets per key id, counted only for keys whose stored hash has no fingerprint yet (stored before
     * fingerprints): the only keys that a flood of wrong secrets for their public id can hold back.
     */
    private final Cache<String, Integer> failuresById;
    /** The fingerprints of keys' secrets by key id ({@link Argon2Hasher}): which secrets are certainly wrong, without Argon2. */
    private final Cache<String, Argon2Hasher.Fingerprint> fingerprints;
    private final int maxFailuresPerId;
    private final Semaphore hashing;
    private final long hashWaitMillis;
    private final Set<String> knownIds = ConcurrentHashMap.newKeySet();
    private final Cache<String, Boolean> unknownIds;
    private final RateLimit unknownIdLookups;
    private final Map<String, Instant> pendingLastUsed = new ConcurrentHashMap<>();
    /** How many flushes removed uses from {@link #pendingLastUsed}: a cached key's use is noted once per flush. */
    private final AtomicLong lastUsedFlushes = new AtomicLong();
    private final Map<TokenDigest, CompletableFuture<KeyVerification>> inFlight = new ConcurrentHashMap<>();
    /** How many withdrawals from {@link #verified} have begun, and when each key id ("id:…") and owner ("owner:…") last had one. */
    private final AtomicLong withdrawals = new AtomicLong();
    private final Cache<String, Long> lastWithdrawal = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();
    private final LongAdder argon2Computations = new LongAdder();
    /** The key of the tags in {@link PresentationMemory}: random, and never out of this process. */
    private final SipHash tags = SipHash.randomKey();
    private final ScheduledExecutorService maintenance;
    private final long staleAfterNanos;
    private final AtomicLong lastEventPoll = new AtomicLong();
    private volatile long eventCursor = -1;

    private ApiKeyService(Builder b) {
        this.store = b.store;
        this.format = new KeyFormat(b.prefix);
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.maxLifetime = b.maxLifetime;
        this.overlong = b.overlong;
        this.verified = Caffeine.newBuilder().maximumSize(2 * b.verifiedCacheSize).build(); // a token and its presentation
        this.verifiedTtlNanos = b.verifiedCacheTtl.toNanos();
        this.recentlyFailed = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(b.negativeCacheTtl).build();
        this.verifiedToday = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofDays(1)).build();
        this.failuresById = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(b.failureWindow).build();
        this.fingerprints = Caffeine.newBuilder().maximumSize(100_000).build();
        this.maxFailuresPerId = b.maxFailuresPerId;
        this.hashing = new Semaphore(b.maxConcurrentHashes, true);
        this.hashWaitMillis = b.hashWait.toMillis();
        this.unknownIds = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(b.eventPollInterval).build();
        this.unknownIdLookups = new RateLimit(b.unknownIdLookupsPerSecond);
        this.staleAfterNanos = b.eventPollInterval.toNanos() * 5;
        pollEvents(); // the known-id index must be complete before the first verification
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-apikey-maintenance");
            t.setDaemon(true);
            return t;
        });
        long poll = b.eventPollInterval.toMillis();
        maintenance.scheduleWithFixedDelay(this::pollEventsQuietly, poll, poll, TimeUnit.MILLISECONDS);
        long flush = b.lastUsedFlushInterval.toMillis();
        maintenance.scheduleWithFixedDelay(this::flushLastUsedQuietly, flush, flush, TimeUnit.MILLISECONDS);
    }

    public static Builder builder(ApiKeyStore store) {
        return new Builder(store);
    }

    // ------------------------------------------------------------------ lifecycle of keys

    /**
     * Creates a key; the returned token is the only copy of its secret.
     *
     * @throws IllegalArgumentException for an expiry in the past, or beyond the maximum lifetime when that is refused
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public CreatedKey create(KeyRequest request) {
        Instant now = clock.instant();
        Instant expiresAt = request.expiresAt();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new IllegalArgumentException("expiration " + expiresAt + " is in the past; give a future time");
        }
        if (maxLifetime != null) {
            Instant limit = now.plus(maxLifetime);
            if (expiresAt == null || expiresAt.isAfter(limit)) {
                if (overlong == OverlongKeys.REFUSE) {
                    throw new IllegalArgumentException((expiresAt == null ? "a key without expiry" : "expiration " + expiresAt)
                            + " exceeds the maximum key lifetime of " + maxLifetime + "; expire it by " + limit);
                }
                expiresAt = limit;
            }
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            KeyFormat.Token token = format.generate();
            ApiKey key = new ApiKey(token.id(), request.owner(), request.ownerGroups(), request.label(), request.scopes(), now, expiresAt,
                    null, request.creator(), false);
            if (store.insert(key, hash(token.secret()))) {
                knownIds.add(key.id());
                unknownIds.invalidate(key.id());
                return new CreatedKey(key, token.value());
            }
        }
        throw new IllegalStateException("three random key ids in a row were taken; the random source is broken");
    }

    /** The owner's keys, newest first, with last-use times not yet written merged in. */
    public List<ApiKey> list(String owner) {
        return store.listByOwner(owner).stream().map(k -> {
            Instant pending = pendingLastUsed.get(k.id());
            return pending != null && (k.lastUsed() == null || pending.isAfter(k.lastUsed())) ? k.withLastUsed(pending) : k;
        }).toList();
    }

    public Optional<ApiKey> find(String keyId) {
        return store.find(keyId).map(ApiKeyStore.StoredApiKey::key);
    }

    /** Revokes a key; effective at once here, and on other nodes within the event poll interval. */
    public boolean revoke(String keyId) {
        boolean revoked = store.revoke(keyId);
        forget(keyId);
        return revoked;
    }

    /** Revokes all of a user's keys (an admin action); returns how many. */
    public int revokeAll(String owner) {
        int n = store.revokeAll(owner);
        withdraw("owner:" + owner, v -> v.valid().key().owner().equals(owner));
        return n;
    }

    /** The longest a key may live, if a maximum is configured. */
    public Optional<Duration> maxLifetime() {
        return Optional.ofNullable(maxLifetime);
    }

    /** Records the groups a user had at login; their keys carry these groups from now on. */
    public void recordLogin(String user, List<String> groups) {
        store.recordUserGroups(user, groups);
        withdraw("owner:" + user, v -> v.valid().key().owner().equals(user));
    }

    private void forget(String keyId) {
        withdraw("id:" + keyId, v -> v.valid().key().id().equals(keyId));
    }

    /**
     * Every removal from {@link #verified} that must end trust in an entry goes through here. The entry is marked before
     * it is removed: a presentation pointed at it meanwhile, or under a key not yet removed, finds it withdrawn.
     */
    private void withdraw(String what, Predicate<Verified> which) {
        // noted before the scan: a verification of that key caching meanwhile sees the one or the other
        lastWithdrawal.put(what, withdrawals.incrementAndGet());
        verified.asMap().values().removeIf(v -> {
            if (!which.test(v)) {
                return false;
            }
            v.withdrawn = true;
            return true;
        });
        // and after: a presentation memory that looked its entry up meanwhile (one evicted before the scan reached it,
        // say) sees a change, and looks again
        withdrawals.incrementAndGet();
    }

    // ------------------------------------------------------------------ verification

    /** Whether {@code what} (a key id or an owner) had a withdrawal after the count {@code before}. */
    private boolean withdrawnSince(long before, String what) {
        Long at = lastWithdrawal.getIfPresent(what);
        return at != null && at > before;
    }

    /** The token prefix, e.g. {@code pck_}. */
    public String prefix() {
        return format.prefix();
    }

    /**
     * The verification of a token in the verified cache, or empty when it is not cached (or the
     * event feed is stale): no store access, no hashing, never blocks. An expired key is rejected.
     */
    public Optional<KeyVerification> verifyCached(String presented) {
        if (!format.hasShape(presented)) {
            return Optional.empty(); // a hit below means this exact token passed every check before
        }
        return cachedUnder(presented);
    }

    /**
     * The cached verification of the token that {@code presentation} — the whole text a client sent it in, such as a
     * Basic {@code Authorization} value — carried when it was {@linkplain #rememberPresentation remembered}, or empty:
     * then decode the presentation and ask {@link #verifyCached(String)}. The answer is that of the token's cache entry,
     * with its TTL, revocation and expiry; asking by the presentation only spares decoding it.
     */
    public Optional<KeyVerification> verifyCachedPresentation(String presentation) {
        return cachedUnder(presentation);
    }

    /**
     * {@link #verifyCachedPresentation(String)} for a client connection that may present the same text again, with
     * {@code memory} kept for that connection: when the text is the one its last answer was for, the SHA-256 and the
     * cache lookup are spared, and the remembered entry decides as it would have (withdrawal, TTL, the event feed's
     * freshness, the key's expiry). The memory holds the entry and a {@link SipHash} tag of the text under a key of
     * this service, never the text. Any withdrawal from the cache since the entry was looked up (a revocation here or
     * through the event feed, any owner's new groups at login, even another key's) makes it look again: rare next to
     * requests, and safe also for an entry the cache evicted before the withdrawal could find it.
     */
    public Optional<KeyVerification> verifyCachedPresentation(String presentation, PresentationMemory memory) {
        PresentationMemory.Remembered last = memory.last;
        long withdrawalsBefore = withdrawals.get();
        byte[] text = null;
        long tag = 0;
        if (last != null && last.withdrawals == withdrawalsBefore) {
            text = presentation.getBytes(StandardCharsets.ISO_8859_1); // what a header value is
            tag = tags.hash(text);
            if (tag == last.tag) {
                Optional<KeyVerification> answer = verifyCached(last.digest, last.entry);
                if (answer.isPresent()) {
                    if (!(answer.get() instanceof KeyVerification.Valid)) {
                        memory.last = null; // the key expired
                    }
                    return answer;
                }
            }
        }
        memory.last = null;
        TokenDigest digest = sha256(presentation);
        Verified entry = verified.getIfPresent(digest);
        Optional<KeyVerification> answer = verifyCached(digest, entry);
        if (answer.isPresent() && answer.get() instanceof KeyVerification.Valid) {
            if (text == null) {
                text = presentation.getBytes(StandardCharsets.ISO_8859_1);
                tag = tags.hash(text);
            }
            if (!hasQuestionMark(text)) {
                memory.last = new PresentationMemory.Remembered(tag, digest, entry, withdrawalsBefore);
            }
        }
        return answer;
    }

    /**
     * Whether ISO-8859-1 bytes hold a '?', which is also what every character outside ISO-8859-1 becomes: a text whose
     * bytes hold none is the only text with those bytes, and may be remembered by them.
     */
    private static boolean hasQuestionMark(byte[] text) {
        for (byte b : text) {
            if (b == '?') {
                return true;
            }
        }
        return false;
    }

    /** A new, empty {@link PresentationMemory} for one client connection. */
    public PresentationMemory presentationMemory() {
        return new PresentationMemory();
    }

    /**
     * What {@link #verifyCachedPresentation(String, PresentationMemory)} remembers for one client connection: the
     * verified-cache entry of the last text that carried a valid key, and a tag of that text, not the text. For one
     * connection's requests, one at a time; what it remembers is replaced whole, never in part.
     */
    public static final class PresentationMemory {
        private volatile Remembered last;

        private PresentationMemory() {
        }

        private record Remembered(long tag, TokenDigest digest, Verified entry, long withdrawals) {
        }
    }

    /** The verification in the cache under the SHA-256 of {@code text}, a token or a presentation. */
    private Optional<KeyVerification> cachedUnder(String text) {
        TokenDigest digest = sha256(text);
        return verifyCached(digest, verified.getIfPresent(digest));
    }

    /**
     * Remembers that {@code presentation}, every part of which the caller has checked, carries {@code token}, a valid
     * key in the verified cache: only their SHA-256 digests are kept, and the presentation holds as long as the token's
     * entry does (a new entry, after a withdrawal or the TTL, is remembered anew).
     */
    public void rememberPresentation(String presentation, String token) {
        Verified v = verified.getIfPresent(sha256(token));
        if (v != null && !v.withdrawn) {
            verified.put(sha256(presentation), v);
        }
    }

    /** The verification of the token with this digest, from its entry {@code v} in the verified cache (null: none). */
    private Optional<KeyVerification> verifyCached(TokenDigest digest, Verified v) {
        KeyVerification.Valid hit = trusted(digest, v);
        if (hit == null) {
            return Optional.empty();
        }
        ApiKey key = hit.key();
        Instant now = key.expiresAt() == null ? null : clock.instant();
        if (now != null && key.isExpired(now)) {
            verified.invalidate(digest);
            verifiedToday.invalidate(digest);
            return Optional.of(new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED));
        }
        long round = lastUsedFlushes.get();
        if (v.usedInRound != round) { // to the flush interval, the first use is the last
            pendingLastUsed.putIfAbsent(key.id(), now != null ? now : clock.instant());
            v.usedInRound = round;
        }
        return v.answer;
    }

    /**
     * Whether this exact token verified within the last day, and was not found revoked or expired since. It
     * authenticates nothing — the token is still verified (and a revoked key refused) — but a caller who holds a real
     * key can be let past a per-address failure limit that an attacker on the same address (or NAT) tripped, also
     * after the key dropped out of the verified cache.
     */
    public boolean verifiedBefore(String presented) {
        return format.hasShape(presented) && verifiedToday.getIfPresent(sha256(presented)) != null;
    }

    /**
     * Whether the token's secret has its key's fingerprint, as far as this service has seen the key's stored hash. It
     * authenticates nothing — the token is still verified — but a random guess fits one time in 16.7 million, so a
     * caller whose token fits may be let past a per-address failure limit that others on the same address tripped.
     * Never blocks.
     */
    public boolean fitsFingerprint(String presented) {
        Optional<KeyFormat.Token> token = format.parse(presented);
        Argon2Hasher.Fingerprint fp = token.isEmpty() ? null : fingerprints.getIfPresent(token.get().id());
        return fp != null && fp.admits(token.get().secret());
    }

    /** Checks a presented token (the Basic-auth password or the Bearer token). Never throws for a bad token. */
    public KeyVerification verify(String presented) {
        Optional<KeyFormat.Token> parsed = format.parse(presented);
        if (parsed.isEmpty()) {
            return new KeyVerification.Rejected(KeyVerification.Reason.MALFORMED);
        }
        KeyFormat.Token token = parsed.get();
        TokenDigest digest = sha256(presented);
        Instant now = clock.instant();
        KeyVerification.Valid hit = trusted(digest, verified.getIfPresent(digest));
        if (hit != null) {
            if (hit.key().isExpired(now)) {
                verified.invalidate(digest);
                verifiedToday.invalidate(digest);
                return new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED);
            }
            pendingLastUsed.put(hit.key().id(), now);
            return hit;
        }
        if (recentlyFailed.getIfPresent(digest) != null) {
            return new KeyVerification.Rejected(KeyVerification.Reason.RECENTLY_FAILED);
        }
        if (!knownIds.contains(token.id())
                && (unknownIds.getIfPresent(token.id()) != null || !unknownIdLookups.tryAcquire())) {
            return new KeyVerification.Rejected(KeyVerification.Reason.UNKNOWN_KEY);
        }
        Argon2Hasher.Fingerprint fingerprint = fingerprints.getIfPresent(token.id());
        if (fingerprint != null && !fingerprint.admits(token.secret())) {
            // certainly wrong, told without the store or Argon2: a flood of wrong secrets for the key's public id costs
            // next to nothing, and the owner's right secret, which always fits, is never held back by it
            recentlyFailed.put(digest, Boolean.TRUE);
            return new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET);
        }
        Integer failures = failuresById.getIfPresent(token.id());
        // counted only for a key whose hash has no fingerprint yet (it gets one when it next verifies): the right secret of
        // such a key is held back too, which is why a key is never stored without one now
        if (failures != null && failures >= maxFailuresPerId) {
            return new KeyVerification.Rejected(KeyVerification.Reason.THROTTLED);
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
        long withdrawalsBefore = withdrawals.get();
        Optional<ApiKeyStore.StoredApiKey> stored = store.find(token.id());
        if (stored.isEmpty()) {
            unknownIds.put(token.id(), Boolean.TRUE);
            return new KeyVerification.Rejected(KeyVerification.Reason.UNKNOWN_KEY);
        }
        knownIds.add(token.id());
        ApiKey key = stored.get().key();
        if (key.revoked() || key.isExpired(now)) {
            // no longer a real key: its holder is held to the failure limit again, which bounds the store look-ups
            verifiedToday.invalidate(digest);
            return new KeyVerification.Rejected(key.revoked() ? KeyVerification.Reason.REVOKED : KeyVerification.Reason.EXPIRED);
        }
        Argon2Hasher.Fingerprint fingerprint = Argon2Hasher.fingerprint(stored.get().hash());
        if (fingerprint != null) {
            fingerprints.put(key.id(), fingerprint);
            if (!fingerprint.admits(token.secret())) {
                recentlyFailed.put(digest, Boolean.TRUE);
                return new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET);
            }
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
            matches = hasher.verify(stored.get().hash(), token.secret());
        } finally {
            hashing.release();
        }
        if (!matches) {
            recentlyFailed.put(digest, Boolean.TRUE);
            if (fingerprint == null) {
                // each failure is a write, so the cool-down window restarts at the latest one
                failuresById.asMap().merge(token.id(), 1, Integer::sum);
            }
            return new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET);
        }
        if (hasher.needsRehash(stored.get().hash())) {
            // under the current parameters, and with a fingerprint if it had none: from now on it cannot be locked out
            String rehashed = hash(token.secret());
            store.replaceHash(key.id(), rehashed);
            fingerprints.put(key.id(), Argon2Hasher.fingerprint(rehashed));
            failuresById.invalidate(key.id());
        }
        List<String> groups = store.userGroups(key.owner()).orElse(key.ownerGroups());
        KeyVerification.Valid valid = new KeyVerification.Valid(key, groups);
        Verified entry = new Verified(valid, System.nanoTime());
        verified.put(digest, entry);
        if (withdrawnSince(withdrawalsBefore, "id:" + key.id()) || withdrawnSince(withdrawalsBefore, "owner:" + key.owner())) {
            // a revocation of this key (or a change of its owner's groups) since it was read, whose withdrawal may have
            // scanned the cache before this entry was in it: this answer stands, but is not kept for later requests
            entry.withdrawn = true;
            verified.asMap().remove(digest, entry);
        }
        verifiedToday.put(digest, Boolean.TRUE);
        pendingLastUsed.put(key.id(), now);
        return valid;
    }

    /**
     * A verification in the cache, when it was made ({@link System#nanoTime}), in which of the flushes of
     * {@code lastUsed} its use was last noted (so a hit need not ask the map of pending uses), and whether it was
     * {@linkplain #withdraw withdrawn}.
     */
    private static final class Verified {
        private final KeyVerification.Valid valid;
        private final Optional<KeyVerification> answer; // what a hit answers, made once instead of on every hit
        private final long atNanos;
        volatile long usedInRound = -1;
        volatile boolean withdrawn;

        Verified(KeyVerification.Valid valid, long atNanos) {
            this.valid = valid;
            this.answer = Optional.of(valid);
            this.atNanos = atNanos;
        }

        KeyVerification.Valid valid() {
            return valid;
        }

        long atNanos() {
            return atNanos;
        }
    }

    /**
     * The cached verification {@code v} of the token (or presentation) with this digest (null: none), unless it was
     * withdrawn, is older than the cache's TTL, or the event feed is stale.
     */
    private KeyVerification.Valid trusted(TokenDigest digest, Verified v) {
        if (v == null) {
            return null;
        }
        long now = System.nanoTime();
        if (v.withdrawn || now - v.atNanos() >= verifiedTtlNanos) {
            verified.asMap().remove(digest, v);
            return null;
        }
        return now - lastEventPoll.get() < staleAfterNanos ? v.valid() : null;
    }

    private String hash(String secret) {
        argon2Computations.increment();
        return hasher.hash(secret);
    }

    /** Argon2id hashes and verifications computed so far (a metric, and how tests prove the cheap paths cheap). */
    public long argon2Computations() {
        return argon2Computations.sum();
    }

    /**
     * One SHA-256 per thread, reset after each use (digest resets it): this is the per-request hot path, and a lookup of the
     * algorithm or a clone of its state per call allocated more than the rest of the verification. The value is of the
     * JDK's classes, never of this library's: a servlet container's pool threads keep it after a web application is
     * undeployed, and a class of the application's would keep its class loader alive (Tomcat reports such ThreadLocals);
     * the ThreadLocal itself is held weakly.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * The SHA-256 of a presented token: what the caches are keyed by (never the token itself). Equality and hash are
     * written out: a record's are bound at run time through method handles, which showed in the event loop's profile.
     */
    private record TokenDigest(long a, long b, long c, long d) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TokenDigest t && a == t.a && b == t.b && c == t.c && d == t.d;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(a); // 64 bits of a SHA-256 output: as evenly spread as any mix of all four
        }
    }

    private static TokenDigest sha256(String token) {
        MessageDigest sha = SHA256.get();
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        sha.update(bytes);
        byte[] h = bytes.length >= 32 ? bytes : new byte[32]; // the input, once read, holds the output: no array more per call
        try {
            sha.digest(h, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
        }
        return new TokenDigest((long) LONGS.get(h, 0), (long) LONGS.get(h, 8), (long) LONGS.get(h, 16), (long) LONGS.get(h, 24));
    }

    // ------------------------------------------------------------------ maintenance

    /** Reads the store's key events: new ids join the index, revoked ones leave the cache. */
    void pollEvents() {
        ApiKeyStore.KeyEvents events = store.eventsSince(eventCursor);
        knownIds.addAll(events.created());
        events.created().forEach(unknownIds::invalidate);
        for (String id : events.revoked()) {
            forget(id);
        }
        eventCursor = events.cursor();
        lastEventPoll.set(System.nanoTime());
    }

    private void pollEventsQuietly() {
        try {
            pollEvents();
        } catch (RuntimeException e) {
            LOG.warn("cannot read API key events from the store ({}); cached keys are trusted for at most {} ms more",
                    e.getMessage(), TimeUnit.NANOSECONDS.toMillis(staleAfterNanos));
        }
    }

    /** Writes the batched last-use times. */
    void flushLastUsed() {
        if (pendingLastUsed.isEmpty()) {
            return;
        }
        Map<String, Instant> batch = Map.copyOf(pendingLastUsed);
        store.recordLastUsed(batch);
        batch.forEach(pendingLastUsed::remove);
        lastUsedFlushes.incrementAndGet(); // after the removal: a use noted meanwhile is noted again
    }

    private void flushLastUsedQuietly() {
        try {
            flushLastUsed();
        } catch (RuntimeException e) {
            LOG.warn("cannot record API key use ({}); will retry", e.getMessage());
        }
    }

    /**
     * Stops the maintenance thread, waiting for it to end, and writes pending last-use times; the store stays open (its owner
     * closes it).
     */
    @Override
    public void close() {
        maintenance.shutdownNow();
        try {
            // a poll or flush under way ends first: it would race the flush below, and a servlet container that undeploys
            // the application reports a thread of it still alive right after
            if (!maintenance.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the API key maintenance thread is still in the key store after 10 s; closing without it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushLastUsedQuietly();
    }

    /**
     * For a web application being undeployed, after its services and stores are closed: lets go of what the API keys'
     * libraries in its {@code WEB-INF/lib}, loaded by {@code loader}, hold JVM-wide, and with it the loader and every class
     * it loaded (Tomcat reports both): the key store's JDBC drivers in DriverManager, and the cleaner thread of JNA (which
     * Argon2 runs on). Those copies of the libraries are unusable afterwards; copies of other class loaders are not touched.
     * {@code PortcullisFilter} does this when it is destroyed.
     */
    public static void releaseLibraries(ClassLoader loader) {
        JdbcApiKeyStore.deregisterDrivers(loader);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            // it waits for the native library to be collected, which its own class keeps from happening; JNA takes an
            // interrupt for a shutdown
            if (t.getClass().getName().equals("com.sun.jna.internal.Cleaner$CleanerThread") && t.getClass().getClassLoader() == loader) {
                t.interrupt();
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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

    /** Settings; every default is stated. */
    public static final class Builder {
        private final ApiKeyStore store;
        private String prefix = "pck_";
        private Argon2Hasher hasher = Argon2Hasher.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Duration verifiedCacheTtl = Duration.ofMinutes(5);
        private long verifiedCacheSize = 10_000;
        private Duration negativeCacheTtl = Duration.ofSeconds(30);
        private int maxFailuresPerId = 5;
        private Duration failureWindow = Duration.ofMinutes(1);
        private int maxConcurrentHashes = Runtime.getRuntime().availableProcessors();
        private Duration hashWait = Duration.ofSeconds(5);
        private int unknownIdLookupsPerSecond = 50;
        private Duration eventPollInterval = Duration.ofSeconds(1);
        private Duration lastUsedFlushInterval = Duration.ofSeconds(10);
        private Duration maxLifetime;
        private OverlongKeys overlong = OverlongKeys.CLAMP_TO_MAXIMUM;

        private Builder(ApiKeyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Token prefix, default {@code pck_}. */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** Argon2id parameters, default m=19 MiB, t=2, p=1. */
        public Builder hasher(Argon2Hasher hasher) {
            this.hasher = hasher;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** How long a verified token is trusted without the store, default 5 minutes, bounded to 10,000 tokens. */
        public Builder verifiedCache(Duration ttl, long maximumSize) {
            this.verifiedCacheTtl = ttl;
            this.verifiedCacheSize = maximumSize;
            return this;
        }

        /** A failed token is rejected without work for this long, default 30 s. */
        public Builder negativeCacheTtl(Duration ttl) {
            this.negativeCacheTtl = ttl;
            return this;
        }

        /**
         * For a key stored before fingerprints (whose hash gets one when it next verifies): after {@code failures} wrong
         * secrets for its id within {@code window}, the id is not hashed until the window passes (default 5 per minute).
         * Keys with a fingerprint need no such limit.
         */
        public Builder failureLimit(int failures, Duration window) {
            this.maxFailuresPerId = failures;
            this.failureWindow = window;
            return this;
        }

        /** At most this many Argon2id computations at once (default: the number of cores), waiting at most {@code wait} for a slot. */
        public Builder maxConcurrentHashes(int max, Duration wait) {
            this.maxConcurrentHashes = max;
            this.hashWait = wait;
            return this;
        }

        /** Store look-ups per second for key ids not (yet) in the index, default 50. */
        public Builder unknownIdLookupsPerSecond(int perSecond) {
            this.unknownIdLookupsPerSecond = perSecond;
            return this;
        }

        /** How often the store's key events are read: the bound for revocations made on other nodes. Default 1 s. */
        public Builder eventPollInterval(Duration interval) {
            this.eventPollInterval = interval;
            return this;
        }

        /** How often last-use times are written, in one batch. Default 10 s. */
        public Builder lastUsedFlushInterval(Duration interval) {
            this.lastUsedFlushInterval = interval;
            return this;
        }

        /** Keys live at most this long; keys requested without expiry or beyond it are clamped or refused. Default: no maximum. */
        public Builder maxLifetime(Duration max, OverlongKeys handling) {
            this.maxLifetime = max;
            this.overlong = handling;
            return this;
        }

        /** @throws ApiKeyStoreException if the store cannot be read for the initial key-id index */
        public ApiKeyService build() {
            return new ApiKeyService(this);
        }
    }
}
