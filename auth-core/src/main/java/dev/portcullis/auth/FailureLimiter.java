package dev.portcullis.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Counts failed authentication attempts per client address; past the limit, unverified attempts
 * from that address get 429 until the window since the last failure has passed. Credentials that
 * were already verified are never throttled, so an attacker behind the same address cannot lock
 * legitimate clients out.
 */
final class FailureLimiter {
    private final int maxFailures;
    private final Duration window;
    private final Cache<String, Integer> failures;

    FailureLimiter(int maxFailures, Duration window) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.failures = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(window).build();
    }

    boolean limited(String address) {
        Integer n = failures.getIfPresent(address);
        return n != null && n >= maxFailures;
    }

    void recordFailure(String address) {
        failures.asMap().merge(address, 1, Integer::sum);
    }

    long retryAfterSeconds() {
        return Math.max(1, window.toSeconds());
    }
}
