package dev.portcullis.auth;

import dev.portcullis.policy.Grant;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Decisions counted by kind and by the policy tier that granted them, authenticated decisions by credential method,
 * and the limiters' refusals: what {@link PortcullisMetrics} publishes. One {@link LongAdder} per cell, so counting on the request path
 * costs a few nanoseconds and never contends.
 */
final class DecisionCounts {
    private static final int GRANTS = Grant.values().length + 1; // the last column: the policy was not asked
    private final LongAdder[] byKindAndGrant = new LongAdder[AuthEvent.Kind.values().length * GRANTS];
    private final LongAdder[] byMethod = new LongAdder[Identity.AuthMethod.values().length + 1]; // the last: anonymous
    /** 429s of the failure limiter (an address past its failed attempts). */
    final LongAdder failureLimitTrips = new LongAdder();
    /** 429s of the rate limit ({@code http.ratelimit}). */
    final LongAdder rateLimitTrips = new LongAdder();

    DecisionCounts() {
        for (int i = 0; i < byKindAndGrant.length; i++) {
            byKindAndGrant[i] = new LongAdder();
        }
        for (int i = 0; i < byMethod.length; i++) {
            byMethod[i] = new LongAdder();
        }
    }

    void count(AuthEvent.Kind kind, @Nullable Grant grantedBy, Identity.@Nullable AuthMethod method) {
        byKindAndGrant[kind.ordinal() * GRANTS + (grantedBy == null ? GRANTS - 1 : grantedBy.ordinal())].increment();
        byMethod[method == null ? byMethod.length - 1 : method.ordinal()].increment();
    }

    /** Decisions of {@code kind} granted by {@code grantedBy} (null: the policy was not asked). */
    long decisions(AuthEvent.Kind kind, @Nullable Grant grantedBy) {
        return byKindAndGrant[kind.ordinal() * GRANTS + (grantedBy == null ? GRANTS - 1 : grantedBy.ordinal())].sum();
    }

    /** Decisions for callers who authenticated with {@code method} (null: anonymous, or credentials refused). */
    long decisions(Identity.@Nullable AuthMethod method) {
        return byMethod[method == null ? byMethod.length - 1 : method.ordinal()].sum();
    }
}
