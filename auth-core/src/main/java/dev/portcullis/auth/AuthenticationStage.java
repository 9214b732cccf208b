package dev.portcullis.auth;

import dev.portcullis.auth.Authenticator.Attempt;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who the request comes from: the first authenticator that claims its credentials decides (from memory, else by
 * verifying where blocking is allowed); no credentials and no session make it anonymous. Failed credentials count
 * against the client's address, which past its limit gets 429 unless an authenticator vouches for what it presents.
 */
final class AuthenticationStage {
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationStage.class);
    private final Authenticator[] authenticators;
    private final FailureLimiter limiter;
    private final Duration limitedDelay;
    private final Refusals refusals;
    private final String unclaimedBearer;
    private final String unclaimedBasic;

    /** @param unclaimedBearer the audit reason for a Bearer token no authenticator claims */
    AuthenticationStage(List<Authenticator> authenticators, FailureLimiter limiter, Duration limitedDelay, Refusals refusals,
            String unclaimedBearer, String unclaimedBasic) {
        this.authenticators = authenticators.toArray(Authenticator[]::new);
        this.limiter = limiter;
        this.limitedDelay = limitedDelay;
        this.refusals = refusals;
        this.unclaimedBearer = unclaimedBearer;
        this.unclaimedBasic = unclaimedBasic;
    }

    int size() {
        return authenticators.length;
    }

    /**
     * Sets the caller on {@code ctx} (null identity: anonymous) and answers null, or answers the refusal (401, 429, 503),
     * or {@link RequestContext#NEEDS_BLOCKING}.
     */
    Outcome.@Nullable Respond authenticate(RequestContext ctx) {
        int claimed = -1;
        for (int i = 0; i < authenticators.length; i++) {
            ctx.askedBy(i);
            Attempt a = authenticators[i].cached(ctx);
            if (a == Attempt.NEEDS_BLOCKING) {
                claimed = i;
                break;
            }
            if (a != Attempt.NOT_MINE) {
                return settle(ctx, i, a);
            }
        }
        if (claimed < 0) {
            return unclaimed(ctx);
        }
        if (!ctx.mayBlock) {
            return RequestContext.NEEDS_BLOCKING;
        }
        Outcome.Respond limited = limited(ctx, authenticators[claimed].vouchesFor(ctx));
        if (limited != null) {
            return limited;
        }
        for (int i = claimed; i < authenticators.length; i++) {
            ctx.askedBy(i);
            Attempt a = i == claimed ? authenticators[i].verify(ctx) : authenticators[i].cached(ctx);
            if (i != claimed && a == Attempt.NEEDS_BLOCKING) {
                a = authenticators[i].verify(ctx);
            }
            if (a != Attempt.NOT_MINE) {
                return settle(ctx, i, a);
            }
        }
        return unclaimed(ctx); // claimed, then disowned by verify: as if nobody had claimed it
    }

    /** Credentials no authenticator claims: none (anonymous), or refused. */
    private Outcome.@Nullable Respond unclaimed(RequestContext ctx) {
        Credentials credentials = ctx.credentials();
        if (credentials instanceof Credentials.None) {
            return null;
        }
        if (credentials instanceof Credentials.Malformed m) {
            return failed(ctx, m.why());
        }
        Outcome.Respond limited = limited(ctx, false);
        return limited != null ? limited : failed(ctx, unclaimedReason(credentials));
    }

    private String unclaimedReason(Credentials credentials) {
        return credentials instanceof Credentials.Basic basic ? "Basic credentials of user " + refusals.userForLog(basic.user()) + ": "
                + unclaimedBasic : unclaimedBearer;
    }

    /** 429 for an address over its failure limit, unless vouched for; else null. */
    private Outcome.@Nullable Respond limited(RequestContext ctx, boolean vouched) {
        if (vouched || !limiter.limited(ctx.clientAddress())) {
            return null;
        }
        refusals.counts().failureLimitTrips.increment();
        // answered after limitedDelay: a client flooding from this address waits instead of spinning
        return refusals.reject(ctx, null, 429, "TOOMANYREQUESTS", "too many failed authentication attempts from this address",
                Map.of("Retry-After", Long.toString(limiter.retryAfterSeconds())), limitedDelay);
    }

    private Outcome.@Nullable Respond settle(RequestContext ctx, int i, @Nullable Attempt a) {
        if (a instanceof Attempt.Authenticated auth) {
            ctx.authenticated(auth.identity(), auth.subject());
            return null;
        }
        if (a == Attempt.ANONYMOUS) {
            return null;
        }
        if (a instanceof Attempt.Failed f) {
            return failed(ctx, f.reason());
        }
        if (a instanceof Attempt.Unavailable u) {
            return refusals.reject(ctx, null, 503, "UNAVAILABLE", u.reason() == null ? "authentication is unavailable"
                    : "authentication is unavailable: " + u.reason());
        }
        // null, or NEEDS_BLOCKING from verify: a broken authenticator decides nothing, and nobody gets in through it
        LOG.error("authenticator {} answered {} where it must decide", authenticators[i].getClass().getName(), a);
        return refusals.reject(ctx, null, 503, "UNAVAILABLE", "authentication is unavailable");
    }

    private Outcome.Respond failed(RequestContext ctx, String why) {
        limiter.recordFailure(ctx.clientAddress());
        return refusals.unauthorized(ctx, why, true);
    }
}
