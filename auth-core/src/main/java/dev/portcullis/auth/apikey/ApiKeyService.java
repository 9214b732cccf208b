package dev.portcullis.auth.apikey;

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
    public enum OverlongKeys { CLAMP_TO_MAXIMUM, REFUSE }

    /**
     * A request for a new key.
     *
     * @param expiresAt {@code null} for no expiry (subject to the maximum lifetime)
     */
    public record KeyRequest(String owner, List<String> ownerGroups, String label, List<Scope> scopes, @Nullable Instant expiresAt,
                             String creator) {
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
    private final @Nullable Duration maxLifetime;
    private final OverlongKeys overlong;
    private final VerifiedCache cache;
    private final SecretScreen screen;
    private final KeyVerifier verifier;
    private final ScheduledExecutorService maintenance;
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
            if (store.insert(key, verifier.hash(token.secret()))) {
                screen.known(key.id());
                return new CreatedKey(key, token.value());
            }
        }
        throw new IllegalStateException("three random key ids in a row were taken; the random source is broken");
    }

    /** The owner's keys, newest first, with last-use times not yet written merged in. */
    public List<ApiKey> list(String owner) {
        return store.listByOwner(owner).stream().map(k -> {
            Instant pending = cache.pendingUse(k.id());
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
        cache.withdraw("owner:" + owner, v -> v.key().owner().equals(owner));
        return n;
    }

    /** The longest a key may live, if a maximum is configured. */
    public Optional<Duration> maxLifetime() {
        return Optional.ofNullable(maxLifetime);
    }

    /** Records the groups a user had at login; their keys carry these groups from now on. */
    public void recordLogin(String user, List<String> groups) {
        store.recordUserGroups(user, groups);
        cache.withdraw("owner:" + user, v -> v.key().owner().equals(user));
    }

    private void forget(String keyId) {
        cache.withdraw("id:" + keyId, v -> v.key().id().equals(keyId));
    }

    // ------------------------------------------------------------------ verification

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
        return cache.cached(presented);
    }

    /**
     * The cached verification of the token that {@code presentation} — the whole text a client sent it in, such as a
     * Basic {@code Authorization} value — carried when it was {@linkplain #rememberPresentation remembered}, or empty:
     * then decode the presentation and ask {@link #verifyCached(String)}. The answer is that of the token's cache entry,
     * with its TTL, revocation and expiry; asking by the presentation only spares decoding it. For request pipelines.
     */
    public Optional<KeyVerification> verifyCachedPresentation(String presentation) {
        return cache.cached(presentation);
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
        return cache.cached(presentation, memory.slot);
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
        final VerifiedCache.Slot slot = new VerifiedCache.Slot();

        private PresentationMemory() {
        }
    }

    /**
     * Remembers that {@code presentation}, every part of which the caller has checked, carries {@code token}, a valid
     * key in the verified cache: only their SHA-256 digests are kept, and the presentation holds as long as the token's
     * entry does (a new entry, after a withdrawal or the TTL, is remembered anew).
     */
    public void rememberPresentation(String presentation, String token) {
        cache.remember(presentation, token);
    }

    /**
     * Whether this exact token verified within the last day, and was not found revoked or expired since. It
     * authenticates nothing — the token is still verified (and a revoked key refused) — but a caller who holds a real
     * key can be let past a per-address failure limit that an attacker on the same address (or NAT) tripped, also
     * after the key dropped out of the verified cache.
     */
    public boolean verifiedBefore(String presented) {
        return format.hasShape(presented) && cache.verifiedToday(TokenDigest.of(presented));
    }

    /**
     * Whether the token's secret has its key's fingerprint, as far as this service has seen the key's stored hash. It
     * authenticates nothing — the token is still verified — but a random guess fits one time in 16.7 million, so a
     * caller whose token fits may be let past a per-address failure limit that others on the same address tripped.
     * Never blocks.
     */
    public boolean fitsFingerprint(String presented) {
        return format.parse(presented).map(screen::fits).orElse(false);
    }

    /** Checks a presented token (the Basic-auth password or the Bearer token). Never throws for a bad token. */
    public KeyVerification verify(String presented) {
        return verifier.verify(presented);
    }

    /** Argon2id hashes and verifications computed so far (a metric, and how tests prove the cheap paths cheap). */
    public long argon2Computations() {
        return verifier.argon2Computations();
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
