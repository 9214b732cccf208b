package dev.portcullis.auth.oidc;

import java.util.concurrent.atomic.LongAdder;

/**
 * Calls to identity providers (OIDC login and bearer-JWT issuers) counted and timed, by kind and outcome, for metrics.
 * Process-wide: every provider of every {@code Portcullis} in this JVM counts here. Plain counters, so reading them
 * needs none of the OIDC libraries.
 */
public final class ProviderCalls {
    /** What was asked of the provider. */
    public enum Call {
        /** The discovery document, {@code .well-known/openid-configuration}. */
        DISCOVERY,
        /** The signing keys, {@code jwks_uri}. */
        JWKS,
        /** The token endpoint: a login's authorization code exchanged. */
        TOKEN,
        /** The UserInfo endpoint, asked for a login's groups; for GitHub, its REST API (emails, organizations, teams). */
        USERINFO
    }

    private static final LongAdder[] COUNTS = adders();
    private static final LongAdder[] NANOS = adders();

    private ProviderCalls() {
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[Call.values().length * 2];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private static int index(Call call, boolean failed) {
        return call.ordinal() * 2 + (failed ? 1 : 0);
    }

    /** Counts one call that began at {@code startNanos} ({@link System#nanoTime()}) and ended now. */
    static void record(Call call, long startNanos, boolean failed) {
        COUNTS[index(call, failed)].increment();
        NANOS[index(call, failed)].add(System.nanoTime() - startNanos);
    }

    /**
     * Calls of one kind made so far.
     *
     * @param call what was asked
     * @param failed true for calls that failed (the provider unreachable, a timeout, a 5xx)
     * @return the count since the JVM started
     */
    public static long count(Call call, boolean failed) {
        return COUNTS[index(call, failed)].sum();
    }

    /**
     * Time spent in calls of one kind so far.
     *
     * @param call what was asked
     * @param failed true for calls that failed
     * @return nanoseconds, summed over every call
     */
    public static long nanos(Call call, boolean failed) {
        return NANOS[index(call, failed)].sum();
    }
}
