package dev.portcullis.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * zot's {@code http.ratelimit}: token buckets per client address and path, one set for all requests ({@code rate})
 * and one per listed method ({@code methods}), each refilling at its rate per second and holding at most that many
 * (zot's limiter, tollbooth, with golang.org/x/time/rate). The limits are asked in order and the first without a token
 * refuses; the earlier ones keep the token they gave, as zot's chained middlewares do.
 *
 * <p>Better than zot: the client is its address, or behind a trusted proxy the forwarded one (zot believes any
 * {@code X-Forwarded-For}, so a client could name a fresh address per request); the refusal says when to come back
 * ({@code Retry-After}); and the buckets take bounded memory (a bucket untouched for two seconds is full again, so it is
 * dropped; at most {@link #MAX_KEY_CHARS} characters of addresses and paths are held, the least used dropped first).
 */
final class RateLimiter {
    /** What the buckets' keys may hold in all, in characters: a flood of distinct paths cannot take the heap. */
    static final long MAX_KEY_CHARS = 8L * 1024 * 1024;

    /**
     * One limit: {@code perSecond} requests per second per client address and path, for every method (null) or one.
     *
     * @param method the method it limits, or null for all
     * @param perSecond requests per second, at least 1; also the most a bucket holds
     */
    record Limit(@Nullable String method, int perSecond) {
        Limit {
            if (perSecond < 1) {
                throw new IllegalArgumentException("a rate limit must allow at least 1 request per second, got " + perSecond);
            }
            if (method != null && (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z'))) {
                throw new IllegalArgumentException("a rate limit's method must be an HTTP method in capitals, such as GET, got '"
                        + method + "'");
            }
        }

        @Override
        public String toString() {
            return perSecond + "/s per client and path" + (method == null ? "" : " for " + method);
        }
    }

    private final Limit[] limits;
    private final Cache<String, Bucket> buckets;
    private final LongSupplier nanos;

    RateLimiter(List<Limit> limits, LongSupplier nanos) {
        this.limits = limits.toArray(Limit[]::new);
        this.nanos = nanos;
        this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofSeconds(2)).ticker(nanos::getAsLong)
                .maximumWeight(MAX_KEY_CHARS).weigher((String k, Bucket b) -> k.length()).build();
    }

    /**
     * Takes a token from each limit that applies, in order, and answers null; or, at the first limit without one,
     * answers that limit and the whole seconds until it has a token again.
     */
    @Nullable Refusal admit(String address, String method, String path) {
        for (int i = 0; i < limits.length; i++) {
            Limit limit = limits[i];
            if (limit.method() != null && !limit.method().equals(method)) {
                continue;
            }
            Bucket bucket = buckets.get(i + " " + address + " " + path, k -> new Bucket(limit.perSecond(), nanos.getAsLong()));
            long waitNanos = bucket.take(nanos.getAsLong());
            if (waitNanos > 0) {
                return new Refusal(limit, Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
            }
        }
        return null;
    }

    /**
     * Gives back the tokens {@link #admit} took for a request that was admitted but not answered (it is asked again
     * where it may block), so that it costs one token in all.
     */
    void refund(String address, String method, String path) {
        for (int i = 0; i < limits.length; i++) {
            Limit limit = limits[i];
            if (limit.method() == null || limit.method().equals(method)) {
                Bucket bucket = buckets.getIfPresent(i + " " + address + " " + path);
                if (bucket != null) {
                    bucket.giveBack();
                }
            }
        }
    }

    /**
     * A refused request: the limit it met and how many seconds until that limit would take it.
     *
     * @param limit the limit without a token
     * @param retryAfterSeconds whole seconds until its bucket has a token again, at least 1
     */
    record Refusal(Limit limit, long retryAfterSeconds) {
    }

    /** The characters the buckets' keys hold now, once pending evictions are done. */
    long heldKeyChars() {
        buckets.cleanUp();
        return buckets.asMap().keySet().stream().mapToLong(String::length).sum();
    }

    /** A token bucket: {@code rate} tokens per second, at most {@code rate} held; starts full. */
    private static final class Bucket {
        private final int rate;
        private final long nanosPerToken;
        /** When the bucket was, or will be, empty: tokens = (now − emptyAt) / nanosPerToken, at most rate. */
        private long emptyAt;

        Bucket(int rate, long now) {
            this.rate = rate;
            this.nanosPerToken = 1_000_000_000L / rate;
            this.emptyAt = now - rate * nanosPerToken;
        }

        /** Takes a token and answers 0, or answers how long until one is there. */
        synchronized long take(long now) {
            long full = now - rate * nanosPerToken;
            if (emptyAt < full) {
                emptyAt = full;
            }
            long next = emptyAt + nanosPerToken; // the time by which this request's token has come in
            if (next > now) {
                return next - now;
            }
            emptyAt = next;
            return 0;
        }

        synchronized void giveBack() {
            emptyAt -= nanosPerToken;
        }
    }
}
