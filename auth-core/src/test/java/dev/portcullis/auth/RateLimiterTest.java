package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** zot's rate limits (tollbooth's token buckets) on a clock the test moves. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    private RateLimiter limiter(RateLimiter.Limit... limits) {
        return new RateLimiter(List.of(limits), now::get);
    }

    @Test
    void aBucketHoldsItsRateAndRefillsContinuously() {
        RateLimiter l = limiter(new RateLimiter.Limit(null, 4));
        for (int i = 0; i < 4; i++) {
            assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).as("request " + i).isNull();
        }
        RateLimiter.Refusal refused = l.admit("10.0.0.1", "GET", "/v2/a/manifests/1");
        assertThat(refused).isNotNull();
        assertThat(refused.retryAfterSeconds()).as("a quarter of a second, rounded up").isEqualTo(1);
        now.addAndGet(SECOND / 4);
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).as("one token came in").isNull();
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).isNotNull();
        now.addAndGet(60 * SECOND);
        for (int i = 0; i < 4; i++) {
            assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).as("a minute later, full again but not fuller").isNull();
        }
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).isNotNull();
    }

    @Test
    void eachClientAndPathHasItsOwnBucket() {
        RateLimiter l = limiter(new RateLimiter.Limit(null, 1));
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).isNull();
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).isNotNull();
        assertThat(l.admit("10.0.0.2", "GET", "/v2/a/manifests/1")).as("another client").isNull();
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/2")).as("another path").isNull();
        assertThat(l.admit("10.0.0.1", "HEAD", "/v2/a/manifests/1")).as("the same path by another method, as in zot").isNotNull();
    }

    @Test
    void aMethodsLimitIsAskedAfterTheLimitForAllAndOnlyForItsMethod() {
        RateLimiter l = limiter(new RateLimiter.Limit(null, 3), new RateLimiter.Limit("PUT", 1));
        assertThat(l.admit("10.0.0.1", "PUT", "/v2/a/manifests/1")).isNull();
        RateLimiter.Refusal put = l.admit("10.0.0.1", "PUT", "/v2/a/manifests/1");
        assertThat(put).isNotNull();
        assertThat(put.limit().method()).isEqualTo("PUT");
        assertThat(l.admit("10.0.0.1", "GET", "/v2/a/manifests/1")).as("the refused PUT took the limit-for-all's second token,"
                + " as zot's chained limiters do").isNull();
        RateLimiter.Refusal all = l.admit("10.0.0.1", "GET", "/v2/a/manifests/1");
        assertThat(all).isNotNull();
        assertThat(all.limit().method()).isNull();
        now.addAndGet(SECOND);
        assertThat(l.admit("10.0.0.1", "PUT", "/v2/a/manifests/1")).isNull();
    }

    @Test
    void aRequestAskedAgainWhereItMayBlockCostsOneToken() {
        RateLimiter l = limiter(new RateLimiter.Limit(null, 1), new RateLimiter.Limit("PUT", 1));
        assertThat(l.admit("c", "PUT", "/p")).isNull();
        l.refund("c", "PUT", "/p");
        assertThat(l.admit("c", "PUT", "/p")).as("asked again: the tokens were given back").isNull();
        assertThat(l.admit("c", "PUT", "/p")).isNotNull();
        l.refund("c", "GET", "/other"); // nothing was taken there: nothing changes
        assertThat(l.admit("c", "GET", "/other")).isNull();
        assertThat(l.admit("c", "GET", "/other")).isNotNull();
    }

    @Test
    void retryAfterIsTheWholeSecondsUntilATokenComesIn() {
        RateLimiter l = limiter(new RateLimiter.Limit(null, 1));
        l.admit("c", "GET", "/p");
        now.addAndGet(SECOND / 10);
        assertThat(l.admit("c", "GET", "/p").retryAfterSeconds()).isEqualTo(1);
        now.addAndGet(SECOND * 9 / 10);
        assertThat(l.admit("c", "GET", "/p")).as("exactly a second after the first").isNull();
    }

    @Test
    void limitsThatMakeNoSenseAreRefusedSayingWhatToGive() {
        assertThatThrownBy(() -> new RateLimiter.Limit(null, 0)).hasMessageContaining("at least 1 request per second");
        assertThatThrownBy(() -> new RateLimiter.Limit("get", 5)).hasMessageContaining("in capitals, such as GET");
        assertThatThrownBy(() -> new RateLimiter.Limit("", 5)).hasMessageContaining("HTTP method");
    }

    @Test
    void aFloodOfDistinctPathsTakesBoundedMemory() {
        RateLimiter l = limiter(new RateLimiter.Limit(null, 1));
        String longPath = "/v2/" + "a".repeat(4_000) + "/manifests/";
        for (int i = 0; i < 5_000; i++) { // 20 M characters of keys, more than the 8 M held
            assertThat(l.admit("10.0.0.9", "GET", longPath + i)).isNull();
        }
        assertThat(l.heldKeyChars()).isLessThanOrEqualTo(RateLimiter.MAX_KEY_CHARS);
    }
}
