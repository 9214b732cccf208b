package dev.portcullis.auth.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
    public enum OverlongKeys {
        /** Create the key anyway, expiring when the maximum lifetime ends. */
        CLAMP_TO_MAXIMUM,
        /** Refuse the request: {@link #create} throws, naming the latest expiry allowed. */
        REFUSE
    }

    /**
     * A request for a new key.
     *
     * @param owner the user the key authenticates as; never empty
     * @param ownerGroups the owner's groups now, which the key carries until the owner's next login replaces them
     * @param label the owner's name for the key, e.g. {@code github actions}; may be empty
     * @param scopes what the key may be used for; empty for everything the owner may do
     * @param expiresAt {@code null} for no expiry (subject to the maximum lifetime)
     * @param creator who or what asks, e.g. a user agent or {@code portcullis-keys}; kept with the key
     */
    public record KeyRequest(String owner, List<String> ownerGroups, String label, List<Scope> scopes, @Nullable Instant expiresAt,
                             String creator) {
        /**
         * Checks the owner and copies the lists.
         *
         * @param owner the user the key authenticates as
         * @param ownerGroups the owner's groups now
         * @param label the owner's name for the key
         * @param scopes what the key may be used for; empty for everything the owner may do
         * @param expiresAt when the key expires, or {@code null} for no expiry
         * @param creator who or what asks
         * @throws IllegalArgumentException if the owner is null or empty
         */
        public KeyRequest {
            if (owner == null || owner.isEmpty()) {
                throw new IllegalArgumentException("a key needs an owner user name");
            }
            ownerGroups = List.copyOf(ownerGroups);
            scopes = List.copyOf(scopes);
        }
    }

    /**
     * A new key and its token; the token is shown this once and stored nowhere.
     *
     * @param key the key's record as stored
     * @param token the whole token to hand to the owner, e.g. {@code pck_…}; {@link #toString()} leaves it out
     */
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
    private final @Nullable Duration maxLifetime;
    private final OverlongKeys overlong;
    private final VerifiedCache cache;
    private final SecretScreen screen;
    private final KeyVerifier verifier;
    private final ScheduledExecutorService maintenance;
    /** Keys found revoked here or through the event feed, for the tokens minted from them (which outlive no day). */
    private final Cache<String, Boolean> revokedIds = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofDays(1)).build();
    /** When each owner's keys were all revoked here. */
    private final Cache<String, Instant> ownersRevokedAt = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofDays(1)).build();
    private volatile long eventCursor = -1;

    private ApiKeyService(Builder b) {
        this.store = b.store;
        this.format = new KeyFormat(b.prefix);
        this.hasher = b.hasher;
        this.clock = b.clock;
        this.maxLifetime = b.maxLifetime;
        this.overlong = b.overlong;
        this.cache = new VerifiedCache(b.verifiedCacheSize, b.verifiedCacheTtl, b.eventPollInterval.multipliedBy(5), b.clock);
        this.screen = new SecretScreen(b.negativeCacheTtl, b.maxFailuresPerId, b.failureWindow, b.eventPollInterval, b.unknownIdLookupsPerSecond);
        this.verifier = new KeyVerifier(store, format, hasher, clock, cache, screen, b.maxConcurrentHashes, b.hashWait);
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

    /**
     * Starts the settings of a service over a store.
     *
     * @param store where the keys live; the service does not close it
     * @return a builder with every default in place
     * @throws NullPointerException if {@code store} is null
     */
    public static Builder builder(ApiKeyStore store) {
        return new Builder(store);
    }

    // ------------------------------------------------------------------ lifecycle of keys

    /**
     * Creates a key; the returned token is the only copy of its secret.
     *
     * @param request the owner, groups, label, scopes, expiry and creator of the new key
     * @return the key as stored (its expiry clamped to the maximum lifetime, if that is the setting) and its token
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
            if (store.insert(key, verifier.hash(token.secret()))) {
                screen.known(key.id());
                return new CreatedKey(key, token.value());
            }
        }
        throw new IllegalStateException("three random key ids in a row were taken; the random source is broken");
    }

    /**
     * The owner's keys, newest first, with last-use times not yet written merged in.
     *
     * @param owner the user name
     * @return every key of the owner, revoked and expired ones included; empty when the owner has none
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public List<ApiKey> list(String owner) {
        return store.listByOwner(owner).stream().map(k -> {
            Instant pending = cache.pendingUse(k.id());
            return pending != null && (k.lastUsed() == null || pending.isAfter(k.lastUsed())) ? k.withLastUsed(pending) : k;
        }).toList();
    }

    /**
     * A key's record by its public id.
     *
     * @param keyId the id, the part of a token between the prefix and the {@code _}
     * @return the record, revoked or expired ones included; empty when no key has that id
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public Optional<ApiKey> find(String keyId) {
        return store.find(keyId).map(ApiKeyStore.StoredApiKey::key);
    }

    /**
     * Revokes a key; effective at once here, and on other nodes within the event poll interval.
     *
     * @param keyId the key's public id
     * @return true if the key existed and was not yet revoked
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public boolean revoke(String keyId) {
        boolean revoked = store.revoke(keyId);
        forget(keyId);
        return revoked;
    }

    /**
     * Revokes all of a user's keys (an admin action); returns how many.
     *
     * @param owner the user name
     * @return how many keys were revoked now, not counting those revoked before
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public int revokeAll(String owner) {
        ownersRevokedAt.put(owner, clock.instant());
        int n = store.revokeAll(owner);
        cache.withdraw("owner:" + owner, v -> v.key().owner().equals(owner));
        return n;
    }

    /**
     * Whether a key asked to outlive {@link #maxLifetime()} (or to live forever while a maximum is set) is refused,
     * rather than held to the maximum.
     *
     * @return true under {@code OverlongKeys.REFUSE}
     */
    public boolean refusesOverlongKeys() {
        return overlong == OverlongKeys.REFUSE;
    }

    /**
     * The longest a key may live, if a maximum is configured.
     *
     * @return the maximum lifetime, or empty when keys may live for ever
     */
    public Optional<Duration> maxLifetime() {
        return Optional.ofNullable(maxLifetime);
    }

    /**
     * Records the groups a user had at login; their keys carry these groups from now on.
     *
     * @param user the user name
     * @param groups the groups the identity provider reported at this login
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public void recordLogin(String user, List<String> groups) {
        store.recordUserGroups(user, groups);
        cache.withdraw("owner:" + user, v -> v.key().owner().equals(user));
    }

    private void forget(String keyId) {
        revokedIds.put(keyId, Boolean.TRUE);
        cache.withdraw("id:" + keyId, v -> v.key().id().equals(keyId));
    }

    // ------------------------------------------------------------------ verification

    /**
     * The token prefix, e.g. {@code pck_}.
     *
     * @return the prefix every token of this service starts with
     */
    public String prefix() {
        return format.prefix();
    }

    /**
     * The key store, as its {@code toString()} describes it (a JDBC store: its URL without credentials), for the line
     * {@code Portcullis} logs at its start.
     *
     * @return a description that names no secret
     */
    public String storeDescription() {
        // a store of the application's own could print anything, a password included
        return store instanceof JdbcApiKeyStore ? store.toString() : store.getClass().getSimpleName();
    }

    /**
     * The verification of a token in the verified cache, or empty when it is not cached (or the
     * event feed is stale): no store access, no hashing, never blocks. An expired key is rejected.
     *
     * @param presented the token as the client sent it
     * @return a {@link KeyVerification.Valid}, a {@link KeyVerification.Rejected} for an expired key, or empty: then
     *     call {@link #verify(String)}
     */
    public Optional<KeyVerification> verifyCached(String presented) {
        if (!format.hasShape(presented)) {
            return Optional.empty(); // a hit below means this exact token passed every check before
        }
        return counted(cache.cached(presented));
    }

    private Optional<KeyVerification> counted(Optional<KeyVerification> cached) {
        if (cached.isPresent()) {
            verifier.countCacheHit();
        }
        return cached;
    }

    /**
     * The cached verification of the token that {@code presentation} — the whole text a client sent it in, such as a
     * Basic {@code Authorization} value — carried when it was {@linkplain #rememberPresentation remembered}, or empty:
     * then decode the presentation and ask {@link #verifyCached(String)}. The answer is that of the token's cache entry,
     * with its TTL, revocation and expiry; asking by the presentation only spares decoding it. For request pipelines.
     *
     * @param presentation the whole text the client sent, exactly as received
     * @return as {@link #verifyCached(String)}: valid, rejected for an expired key, or empty
     */
    public Optional<KeyVerification> verifyCachedPresentation(String presentation) {
        return counted(cache.cached(presentation));
    }

    /**
     * {@link #verifyCachedPresentation(String)} for a client connection that may present the same text again, with
     * {@code memory} kept for that connection: when the text is the one its last answer was for, the SHA-256 and the
     * cache lookup are spared, and the remembered entry decides as it would have (withdrawal, TTL, the event feed's
     * freshness, the key's expiry). The memory holds the entry and a {@link SipHash} tag of the text under a key of
     * this service, never the text. Any withdrawal from the cache since the entry was looked up (a revocation here or
     * through the event feed, any owner's new groups at login, even another key's) makes it look again: rare next to
     * requests, and safe also for an entry the cache evicted before the withdrawal could find it.
     *
     * @param presentation the whole text the client sent, exactly as received
     * @param memory the connection's memory, from {@link #presentationMemory()}
     * @return as {@link #verifyCached(String)}: valid, rejected for an expired key, or empty
     */
    public Optional<KeyVerification> verifyCachedPresentation(String presentation, PresentationMemory memory) {
        return counted(cache.cached(presentation, memory.slot));
    }

    /**
     * A new, empty {@link PresentationMemory} for one client connection.
     *
     * @return a memory that remembers nothing yet
     */
    public PresentationMemory presentationMemory() {
        return new PresentationMemory();
    }

    /**
     * What {@link #verifyCachedPresentation(String, PresentationMemory)} remembers for one client connection: the
     * verified-cache entry of the last text that carried a valid key, and a tag of that text, not the text. For one
     * connection's requests, one at a time; what it remembers is replaced whole, never in part.
     */
    public static final class PresentationMemory {
        final VerifiedCache.Slot slot = new VerifiedCache.Slot();

        private PresentationMemory() {
        }
    }

    /**
     * Remembers that {@code presentation}, every part of which the caller has checked, carries {@code token}, a valid
     * key in the verified cache: only their SHA-256 digests are kept, and the presentation holds as long as the token's
     * entry does (a new entry, after a withdrawal or the TTL, is remembered anew).
     *
     * @param presentation the whole text the client sent, exactly as received
     * @param token the token decoded from it, just verified as valid; nothing is remembered if it is not in the cache
     */
    public void rememberPresentation(String presentation, String token) {
        cache.remember(presentation, token);
    }

    /**
     * Whether this exact token verified within the last day, and was not found revoked or expired since. It
     * authenticates nothing — the token is still verified (and a revoked key refused) — but a caller who holds a real
     * key can be let past a per-address failure limit that an attacker on the same address (or NAT) tripped, also
     * after the key dropped out of the verified cache.
     *
     * @param presented the token as the client sent it
     * @return true if it verified within the last day and its key was not found revoked or expired since
     */
    public boolean verifiedBefore(String presented) {
        return format.hasShape(presented) && cache.verifiedToday(TokenDigest.of(presented));
    }

    /**
     * Whether the token's secret has its key's fingerprint, as far as this service has seen the key's stored hash. It
     * authenticates nothing — the token is still verified — but a random guess fits one time in 16.7 million, so a
     * caller whose token fits may be let past a per-address failure limit that others on the same address tripped.
     * Never blocks.
     *
     * @param presented the token as the client sent it
     * @return true if the token is well formed and its secret fits the fingerprint of its key's hash; false also
     *     when the service has not read that hash yet
     */
    public boolean fitsFingerprint(String presented) {
        return format.parse(presented).map(screen::fits).orElse(false);
    }

    /**
     * Checks a presented token (the Basic-auth password or the Bearer token). Never throws for a bad token. May
     * block: on the store, and on Argon2 for up to the {@code maxConcurrentHashes} wait.
     *
     * @param presented the token as the client sent it
     * @return {@link KeyVerification.Valid} with the owner's groups, {@link KeyVerification.Rejected} with the reason,
     *     or {@link KeyVerification.Unavailable} when the store is down or no Argon2 slot came free in time
     */
    public KeyVerification verify(String presented) {
        return verifier.verify(presented);
    }

    /**
     * Argon2id hashes and verifications computed so far (a metric, and how tests prove the cheap paths cheap).
     *
     * @return the number of Argon2id verifications since the service was built
     */
    public long argon2Computations() {
        return verifier.argon2Computations();
    }

    /**
     * Time spent computing Argon2id hashes and verifications so far.
     *
     * @return nanoseconds, summed over every thread
     */
    public long argon2Nanos() {
        return verifier.argon2Nanos();
    }

    /**
     * Threads waiting now for one of the {@code maxConcurrentHashes} Argon2 slots.
     *
     * @return the queue's length (an estimate, as a metric must be)
     */
    public int argon2Waiting() {
        return verifier.argon2Waiting();
    }

    /**
     * Argon2 slots in use now.
     *
     * @return between 0 and {@code maxConcurrentHashes}
     */
    public int argon2Active() {
        return verifier.argon2Active();
    }

    /**
     * Key verifications answered from the verified cache: no store, no Argon2.
     *
     * @return the count since the service was built
     */
    public long cacheHits() {
        return verifier.cacheHits();
    }

    /**
     * Key verifications the verified cache could not answer, which went to the key store (and to Argon2 unless the
     * key was unknown, revoked or its fingerprint refused the secret).
     *
     * @return the count since the service was built
     */
    public long cacheMisses() {
        return verifier.storeLookups();
    }

    /** What {@link #standing} knows of a key that something (a registry token) was minted from. */
    public enum Standing {
        /** not known to be revoked, and the event feed that would say so is fresh */
        USABLE,
        /** revoked, here or on another node (through the event feed) */
        REVOKED,
        /** the event feed is stale: ask {@link #holder(String)} */
        UNKNOWN
    }

    /**
     * Whether the key that a credential was minted from at {@code mintedAt} (a registry token) still stands, as far as
     * memory tells: within the bound that its own verification has (a revocation here at once, elsewhere within the
     * event poll interval; a stale feed is {@link Standing#UNKNOWN}, never usable). Never blocks.
     *
     * @param keyId the key's id
     * @param owner the key's owner, whose keys may all have been revoked since
     * @param mintedAt when the credential was minted from the key
     * @return its standing
     */
    public Standing standing(String keyId, String owner, Instant mintedAt) {
        if (revokedIds.getIfPresent(keyId) != null) {
            return Standing.REVOKED;
        }
        Instant all = ownersRevokedAt.getIfPresent(owner);
        if (all != null && !mintedAt.isAfter(all)) {
            return Standing.REVOKED;
        }
        return cache.feedFresh() ? Standing.USABLE : Standing.UNKNOWN;
    }

    /**
     * The key with this id as it stands in the store, with its owner's current groups, if it is neither revoked nor
     * expired: what a credential minted from it (a registry refresh token) may be renewed for. Reads the store.
     *
     * @param keyId the key's id
     * @return the key and its owner's groups; empty when it is unknown, revoked or expired
     * @throws ApiKeyStoreException when the store is unavailable
     */
    public Optional<KeyVerification.Valid> holder(String keyId) {
        Optional<ApiKeyStore.StoredApiKey> stored = store.find(keyId);
        if (stored.isEmpty() || stored.get().key().revoked() || stored.get().key().isExpired(clock.instant())) {
            return Optional.empty();
        }
        ApiKey key = stored.get().key();
        return Optional.of(new KeyVerification.Valid(key, store.userGroups(key.owner()).orElse(key.ownerGroups())));
    }

    // ------------------------------------------------------------------ maintenance

    /** Reads the store's key events: new ids join the index, revoked ones leave the cache. */
    void pollEvents() {
        ApiKeyStore.KeyEvents events = store.eventsSince(eventCursor);
        screen.known(events.created());
        for (String id : events.revoked()) {
            forget(id);
        }
        eventCursor = events.cursor();
        cache.feedRead();
    }

    private void pollEventsQuietly() {
        try {
            pollEvents();
        } catch (RuntimeException e) {
            LOG.warn("cannot read API key events from the store ({}); cached keys are trusted for at most {} ms more",
                    e.getMessage(), cache.staleAfterMillis());
        }
    }

    /** Writes the batched last-use times. */
    void flushLastUsed() {
        Map<String, Instant> batch = cache.pendingUses();
        if (batch.isEmpty()) {
            return;
        }
        store.recordLastUsed(batch);
        cache.usesWritten(batch);
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
     *
     * @param loader the web application's class loader
     */
    public static void releaseLibraries(ClassLoader loader) {
        JdbcDialect.deregisterDrivers(loader);
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
        private @Nullable Duration maxLifetime;
        private OverlongKeys overlong = OverlongKeys.CLAMP_TO_MAXIMUM;

        private Builder(ApiKeyStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Token prefix, default {@code pck_}. Changing it makes every existing token malformed.
         *
         * @param prefix lower-case letters, digits and {@code _}, e.g. {@code pck_}; checked by {@link #build()}
         * @return this builder
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /**
         * Argon2id parameters, default m=19 MiB, t=2, p=1. Hashes made under other parameters still verify, and are
         * re-hashed with these when they do.
         *
         * @param hasher the parameters for new hashes
         * @return this builder
         */
        public Builder hasher(Argon2Hasher hasher) {
            this.hasher = hasher;
            return this;
        }

        /**
         * The clock for creation times, expiry and last-use times; default the system clock in UTC. Cache lifetimes
         * and rate limits run on the system's own timer whatever it says. For tests.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * How long a verified token is trusted without the store, default 5 minutes, bounded to 10,000 tokens.
         *
         * @param ttl how long a verification is trusted; a revocation ends it sooner
         * @param maximumSize how many tokens are kept; beyond it some are evicted, and verify in full next time
         * @return this builder
         */
        public Builder verifiedCache(Duration ttl, long maximumSize) {
            this.verifiedCacheTtl = ttl;
            this.verifiedCacheSize = maximumSize;
            return this;
        }

        /**
         * A failed token is rejected without work for this long, default 30 s.
         *
         * @param ttl how long the exact token is refused as {@link KeyVerification.Reason#RECENTLY_FAILED}
         * @return this builder
         */
        public Builder negativeCacheTtl(Duration ttl) {
            this.negativeCacheTtl = ttl;
            return this;
        }

        /**
         * For a key stored before fingerprints (whose hash gets one when it next verifies): after {@code failures} wrong
         * secrets for its id within {@code window}, the id is not hashed until the window passes (default 5 per minute).
         * Keys with a fingerprint need no such limit.
         *
         * @param failures wrong secrets for one key id before it cools down
         * @param window how long failures are counted, and the cool-down after the latest one
         * @return this builder
         */
        public Builder failureLimit(int failures, Duration window) {
            this.maxFailuresPerId = failures;
            this.failureWindow = window;
            return this;
        }

        /**
         * At most this many Argon2id computations at once (default: the number of cores), waiting at most {@code wait}
         * for a slot (default 5 s).
         *
         * @param max the number of slots
         * @param wait how long a verification waits for a slot before it answers {@link KeyVerification.Unavailable}
         * @return this builder
         */
        public Builder maxConcurrentHashes(int max, Duration wait) {
            this.maxConcurrentHashes = max;
            this.hashWait = wait;
            return this;
        }

        /**
         * Store look-ups per second for key ids not (yet) in the index, default 50. Beyond it such a token is
         * rejected as {@link KeyVerification.Reason#UNKNOWN_KEY} without asking; a key created on another node joins
         * the index at the next event poll.
         *
         * @param perSecond the look-ups allowed per second
         * @return this builder
         */
        public Builder unknownIdLookupsPerSecond(int perSecond) {
            this.unknownIdLookupsPerSecond = perSecond;
            return this;
        }

        /**
         * How often the store's key events are read: the bound for revocations made on other nodes. Default 1 s.
         * When the events cannot be read for five intervals, cached verifications are no longer trusted.
         *
         * @param interval the time between two polls
         * @return this builder
         */
        public Builder eventPollInterval(Duration interval) {
            this.eventPollInterval = interval;
            return this;
        }

        /**
         * How often last-use times are written, in one batch. Default 10 s.
         *
         * @param interval the time between two writes; a key's {@code lastUsed} may lag by this much
         * @return this builder
         */
        public Builder lastUsedFlushInterval(Duration interval) {
            this.lastUsedFlushInterval = interval;
            return this;
        }

        /**
         * Keys live at most this long; keys requested without expiry or beyond it are clamped or refused. Default: no
         * maximum. Keys created before are not changed.
         *
         * @param max the longest lifetime, counted from creation
         * @param handling whether an overlong request is clamped or refused
         * @return this builder
         */
        public Builder maxLifetime(Duration max, OverlongKeys handling) {
            this.maxLifetime = max;
            this.overlong = handling;
            return this;
        }

        /**
         * Builds the service: reads every key id from the store, then starts the maintenance thread that polls events
         * and writes last-use times.
         *
         * @return the service; close it on shutdown
         * @throws ApiKeyStoreException if the store cannot be read for the initial key-id index
         * @throws IllegalArgumentException if the prefix has characters other than lower-case letters, digits and
         *     {@code _}
         */
        public ApiKeyService build() {
            return new ApiKeyService(this);
        }
    }
}
