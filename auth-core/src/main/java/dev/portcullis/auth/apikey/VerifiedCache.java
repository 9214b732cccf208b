package dev.portcullis.auth.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Verified tokens by their SHA-256, and the SHA-256 of whole texts that carried one (an {@code Authorization} value,
 * which always holds a space, and so is never a token) pointing at the token's entry: a client sending the same text
 * again is spared decoding it. An entry is trusted for the cache's TTL, while the store's event feed is fresh, until it
 * is withdrawn (a revocation, an owner's new groups) and until its key expires. A cache hit notes the key's use, written
 * in batches. Thread-safe.
 */
final class VerifiedCache {
    private final Cache<TokenDigest, Entry> verified;
    private final long ttlNanos;
    private final Clock clock;
    /** Tokens that verified within a day: never a credential by itself, only a pass past per-address limits. */
    private final Cache<TokenDigest, Boolean> verifiedToday = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofDays(1)).build();
    /** How many withdrawals have begun, and when each key id ("id:…") and owner ("owner:…") last had one. */
    private final AtomicLong withdrawals = new AtomicLong();
    private final Cache<String, Long> lastWithdrawal = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();
    /** The key of the tags in connections' memories: random, and never out of this process. */
    private final SipHash tags = SipHash.randomKey();
    private final long staleAfterNanos;
    private final AtomicLong lastEventPoll = new AtomicLong();
    private final Map<String, Instant> pendingLastUsed = new ConcurrentHashMap<>();
    /** How many flushes removed uses from {@link #pendingLastUsed}: a cached key's use is noted once per flush. */
    private final AtomicLong lastUsedFlushes = new AtomicLong();

    VerifiedCache(long maximumSize, Duration ttl, Duration staleAfter, Clock clock) {
        this.verified = Caffeine.newBuilder().maximumSize(2 * maximumSize).build(); // a token and its presentation
        this.ttlNanos = ttl.toNanos();
        this.staleAfterNanos = staleAfter.toNanos();
        this.clock = clock;
    }

    /**
     * A verification in the cache, when it was made ({@link System#nanoTime}), in which of the flushes of {@code lastUsed}
     * its use was last noted (so a hit need not ask the map of pending uses), and whether it was withdrawn.
     */
    static final class Entry {
        final KeyVerification.Valid valid;
        final Optional<KeyVerification> answer; // what a hit answers, made once instead of on every hit
        final long atNanos;
        volatile long usedInRound = -1;
        volatile boolean withdrawn;

        Entry(KeyVerification.Valid valid, long atNanos) {
            this.valid = valid;
            this.answer = Optional.of(valid);
            this.atNanos = atNanos;
        }
    }

    /** What a connection's memory holds: a tag of the text, the entry it led to, and the withdrawals seen then. */
    record Remembered(long tag, TokenDigest digest, @Nullable Entry entry, long withdrawals) {
    }

    /** One connection's memory of its last presentation, replaced whole, never in part. */
    static final class Slot {
        volatile @Nullable Remembered last;
    }

    /** The verification cached under the SHA-256 of {@code text} (a token or a presentation), or empty. */
    Optional<KeyVerification> cached(String text) {
        TokenDigest digest = TokenDigest.of(text);
        return cached(digest, verified.getIfPresent(digest));
    }

    /**
     * The verification {@code presentation} led to, spared the SHA-256 and the look-up when it is the text {@code memory}
     * last remembered and no withdrawal came since; the entry decides as it would have.
     */
    Optional<KeyVerification> cached(String presentation, Slot memory) {
        Remembered last = memory.last;
        long withdrawalsBefore = withdrawals.get();
        byte[] text = null;
        long tag = 0;
        if (last != null && last.withdrawals() == withdrawalsBefore) {
            text = presentation.getBytes(StandardCharsets.ISO_8859_1); // what a header value is
            tag = tags.hash(text);
            if (tag == last.tag()) {
                Optional<KeyVerification> answer = cached(last.digest(), last.entry());
                if (answer.isPresent()) {
                    if (!(answer.get() instanceof KeyVerification.Valid)) {
                        memory.last = null; // the key expired
                    }
                    return answer;
                }
            }
        }
        memory.last = null;
        TokenDigest digest = TokenDigest.of(presentation);
        Entry entry = verified.getIfPresent(digest);
        Optional<KeyVerification> answer = cached(digest, entry);
        if (answer.isPresent() && answer.get() instanceof KeyVerification.Valid) {
            if (text == null) {
                text = presentation.getBytes(StandardCharsets.ISO_8859_1);
                tag = tags.hash(text);
            }
            if (!hasQuestionMark(text)) {
                memory.last = new Remembered(tag, digest, entry, withdrawalsBefore);
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

    /** Points {@code presentation} at the entry of {@code token}, while it holds. */
    void remember(String presentation, String token) {
        Entry v = verified.getIfPresent(TokenDigest.of(token));
        if (v != null && !v.withdrawn) {
            verified.put(TokenDigest.of(presentation), v);
        }
    }

    /** The verification of the token with this digest, from its entry {@code v} (null: none). */
    private Optional<KeyVerification> cached(TokenDigest digest, @Nullable Entry v) {
        KeyVerification.Valid hit = v == null ? null : trusted(digest, v);
        if (v == null || hit == null) {
            return Optional.empty();
        }
        ApiKey key = hit.key();
        Instant now = key.expiresAt() == null ? null : clock.instant();
        if (now != null && key.isExpired(now)) {
            expired(digest);
            return Optional.of(new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED));
        }
        long round = lastUsedFlushes.get();
        if (v.usedInRound != round) { // to the flush interval, the first use is the last
            pendingLastUsed.putIfAbsent(key.id(), now != null ? now : clock.instant());
            v.usedInRound = round;
        }
        return v.answer;
    }

    /** The trusted verification cached under {@code digest}, or null, for a verification in full. */
    KeyVerification.@Nullable Valid trusted(TokenDigest digest) {
        return trusted(digest, verified.getIfPresent(digest));
    }

    /**
     * The cached verification {@code v} of the token (or presentation) with this digest (null: none), unless it was
     * withdrawn, is older than the cache's TTL, or the event feed is stale.
     */
    private KeyVerification.@Nullable Valid trusted(TokenDigest digest, @Nullable Entry v) {
        if (v == null) {
            return null;
        }
        long now = System.nanoTime();
        if (v.withdrawn || now - v.atNanos >= ttlNanos) {
            verified.asMap().remove(digest, v);
            return null;
        }
        return now - lastEventPoll.get() < staleAfterNanos ? v.valid : null;
    }

    /** A key found expired: neither its entry nor its pass past per-address limits stay. */
    void expired(TokenDigest digest) {
        verified.invalidate(digest);
        verifiedToday.invalidate(digest);
    }

    /** The count of withdrawals begun, to tell later whether one came between (see {@link #put}). */
    long withdrawals() {
        return withdrawals.get();
    }

    /**
     * Caches a verification made in full, unless a withdrawal of its key or owner began since {@code withdrawalsBefore}
     * (one that may have scanned the cache before this entry was in it): then it answers this once, and is not kept.
     */
    void put(TokenDigest digest, KeyVerification.Valid valid, long withdrawalsBefore) {
        Entry entry = new Entry(valid, System.nanoTime());
        verified.put(digest, entry);
        if (withdrawnSince(withdrawalsBefore, "id:" + valid.key().id()) || withdrawnSince(withdrawalsBefore, "owner:" + valid.key().owner())) {
            entry.withdrawn = true;
            verified.asMap().remove(digest, entry);
        }
        verifiedToday.put(digest, Boolean.TRUE);
    }

    private boolean withdrawnSince(long before, String what) {
        Long at = lastWithdrawal.getIfPresent(what);
        return at != null && at > before;
    }

    /** Whether this exact token verified within the last day, and was not found revoked or expired since. */
    boolean verifiedToday(TokenDigest digest) {
        return verifiedToday.getIfPresent(digest) != null;
    }

    /** The token's key was found revoked or expired: its holder is held to per-address limits again. */
    void notToday(TokenDigest digest) {
        verifiedToday.invalidate(digest);
    }

    /**
     * Ends trust in every entry of a key id ("id:…") or owner ("owner:…"). The entry is marked before it is removed: a
     * presentation pointed at it meanwhile, or under a key not yet removed, finds it withdrawn.
     */
    void withdraw(String what, Predicate<KeyVerification.Valid> which) {
        // noted before the scan: a verification of that key caching meanwhile sees the one or the other
        lastWithdrawal.put(what, withdrawals.incrementAndGet());
        verified.asMap().values().removeIf(v -> {
            if (!which.test(v.valid)) {
                return false;
            }
            v.withdrawn = true;
            return true;
        });
        // and after: a presentation memory that looked its entry up meanwhile (one evicted before the scan reached it,
        // say) sees a change, and looks again
        withdrawals.incrementAndGet();
    }

    /** The store's event feed was read: cached entries are trusted for a while more. */
    void feedRead() {
        lastEventPoll.set(System.nanoTime());
    }

    /** Whether the store's event feed was read lately enough that a revocation elsewhere would be known here. */
    boolean feedFresh() {
        return System.nanoTime() - lastEventPoll.get() < staleAfterNanos;
    }

    long staleAfterMillis() {
        return staleAfterNanos / 1_000_000;
    }

    /** A use of the key, for {@code lastUsed}. */
    void used(String keyId, Instant at) {
        pendingLastUsed.put(keyId, at);
    }

    /** The key's last use not yet written, if any. */
    @Nullable Instant pendingUse(String keyId) {
        return pendingLastUsed.get(keyId);
    }

    /** The uses to write, or an empty map. */
    Map<String, Instant> pendingUses() {
        return Map.copyOf(pendingLastUsed);
    }

    /** The uses were written. */
    void usesWritten(Map<String, Instant> batch) {
        batch.forEach(pendingLastUsed::remove);
        lastUsedFlushes.incrementAndGet(); // after the removal: a use noted meanwhile is noted again
    }
}
