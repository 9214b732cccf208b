package dev.portcullis.auth.oidc;

import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Something fetched from an identity provider (its discovery document, its signing keys) and kept fresh in the
 * background. It is fetched when first needed (after a failure, again at most every {@code retryAfter}); from then on
 * a background thread fetches it again {@link #EVERY} after each success, ahead of the {@link #LIFESPAN} it is trusted
 * for, so a request never waits for a refresh. While refreshes fail (every {@link #BACKGROUND_RETRY}), the value last
 * fetched stays in use until it is {@link #OUTAGE_TOLERANCE} old; then it is unavailable (503) until a fetch succeeds,
 * in the background or by a request, which then also tries, at most every {@code retryAfter}.
 *
 * <p>The background task holds this object weakly: one that is dropped without {@link #close()} stops refreshing once
 * it is collected.
 */
final class Refreshing<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Refreshing.class);
    /** How long a fetched value is trusted as current while the provider answers. */
    static final Duration LIFESPAN = Duration.ofMinutes(15);
    /** When it is fetched again: one minute ahead of its lifespan. */
    static final Duration EVERY = LIFESPAN.minusMinutes(1);
    /** The pause between background attempts while the provider cannot be reached. */
    static final Duration BACKGROUND_RETRY = Duration.ofSeconds(30);
    /** How long the last value stays in use while the provider cannot be reached. */
    static final Duration OUTAGE_TOLERANCE = Duration.ofHours(6);

    /** Fetches the value from the provider; blocking, bounded by the fetch's own timeouts. */
    @FunctionalInterface
    interface Fetch<T> {
        T fetch() throws Exception;
    }

    /** Runs a task after a delay: a shared daemon thread, or in tests a schedule the test runs by hand. */
    @FunctionalInterface
    interface Scheduler {
        Future<?> schedule(Runnable task, Duration delay);
    }

    /** One daemon thread for every provider of every instance in this JVM; fetches are short and bounded by timeouts. */
    static final Scheduler BACKGROUND = (task, delay) -> Background.POOL.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);

    private static final class Background {
        static final ScheduledThreadPoolExecutor POOL = pool();

        private static ScheduledThreadPoolExecutor pool() {
            ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "portcullis-idp-refresh");
                t.setDaemon(true);
                t.setContextClassLoader(null);
                return t;
            });
            p.setRemoveOnCancelPolicy(true);
            // once every instance is closed the thread ends, so a redeployed web application's class loader can go
            p.setKeepAliveTime(1, TimeUnit.MINUTES);
            p.allowCoreThreadTimeOut(true);
            return p;
        }
    }

    private record Fetched<T>(T value, Instant at) {
    }

    private final String what;
    private final Fetch<T> fetch;
    private final Duration retryAfter;
    private final Clock clock;
    private final Scheduler scheduler;
    private volatile @Nullable Fetched<T> current;
    private @Nullable Instant lastAttempt;
    private @Nullable String lastFailure;
    private int failures;
    private @Nullable Future<?> next;
    private boolean closed;
    private volatile boolean reportedTooOld;

    /**
     * @param what what is fetched, for logs and reasons (e.g. "the signing keys of OIDC provider 'corp'")
     * @param fetch how to fetch it
     * @param retryAfter the least pause between two fetches on a request's thread while none has succeeded yet
     * @param clock the clock that ages what was fetched
     * @param scheduler where the background fetches run
     */
    Refreshing(String what, Fetch<T> fetch, Duration retryAfter, Clock clock, Scheduler scheduler) {
        this.what = what;
        this.fetch = fetch;
        this.retryAfter = retryAfter;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /**
     * The current value: fetched now if it never was, else the last one fetched, unless it is older than the outage
     * tolerance.
     */
    T get() throws LoginProvider.Unavailable {
        Fetched<T> f = current;
        if (f == null) {
            return fetchFirst();
        }
        Duration age = Duration.between(f.at(), clock.instant());
        if (age.compareTo(OUTAGE_TOLERANCE) > 0) {
            try {
                Optional<T> fresh = fetchNow(retryAfter); // refreshes fail already: one try here too, at most every retryAfter
                if (fresh.isPresent()) {
                    return fresh.get();
                }
            } catch (LoginProvider.Unavailable e) {
                // still out of reach: said below
            }
            String reason = what + ": the copy in use was fetched " + age.toMinutes() + " minutes ago, and a new one cannot be fetched ("
                    + lastFailure() + ")";
            if (!reportedTooOld) {
                reportedTooOld = true;
                LOG.error("{}; it is too old to use, so what needs it fails (503) until the provider answers again", reason);
            }
            throw new LoginProvider.Unavailable(reason);
        }
        return f.value();
    }

    /**
     * Fetches again now on the caller's thread (e.g. a token signed with a key not seen yet: the provider may have
     * rotated its keys), unless an attempt was made within {@code minPause}.
     *
     * @return the value fetched, or empty when the last attempt was too recent
     */
    synchronized Optional<T> fetchNow(Duration minPause) throws LoginProvider.Unavailable {
        if (lastAttempt != null && clock.instant().isBefore(lastAttempt.plus(minPause))) {
            return Optional.empty();
        }
        Fetched<T> f = attempt();
        if (f == null) {
            throw new LoginProvider.Unavailable(what + " cannot be reached: " + lastFailure());
        }
        return Optional.of(f.value());
    }

    private synchronized T fetchFirst() throws LoginProvider.Unavailable {
        Fetched<T> f = current;
        if (f != null) {
            return f.value();
        }
        Optional<T> fetched = fetchNow(retryAfter);
        if (fetched.isEmpty()) {
            throw new LoginProvider.Unavailable(what + " cannot be reached: " + lastFailure());
        }
        return fetched.get();
    }

    /** One fetch; the next background one is scheduled after it. Null when it failed (logged). */
    private synchronized @Nullable Fetched<T> attempt() {
        lastAttempt = clock.instant();
        Fetched<T> f;
        try {
            f = new Fetched<>(fetch.fetch(), clock.instant());
        } catch (Exception e) {
            failures++;
            lastFailure = e.getMessage() != null ? e.getMessage() : e.toString();
            Fetched<T> kept = current;
            if (kept == null) {
                LOG.warn("{} cannot be fetched: {}", what, lastFailure);
            } else if (failures == 1) {
                LOG.warn("{} cannot be fetched again: {}; the copy fetched {} minutes ago stays in use for up to {} hours, and a fetch is tried every {} s",
                        what, lastFailure, Duration.between(kept.at(), clock.instant()).toMinutes(), OUTAGE_TOLERANCE.toHours(),
                        BACKGROUND_RETRY.toSeconds());
            } else {
                LOG.debug("{} cannot be fetched again ({} attempts): {}", what, failures, lastFailure);
            }
            if (kept != null) {
                scheduleNext(BACKGROUND_RETRY);
            }
            return null;
        }
        if (current == null) {
            LOG.info("{}: fetched", what);
        } else if (failures > 0) {
            LOG.info("{}: fetched again after {} failed attempts", what, failures);
        } else {
            LOG.debug("{}: fetched again", what);
        }
        current = f;
        failures = 0;
        lastFailure = null;
        reportedTooOld = false;
        scheduleNext(EVERY);
        return f;
    }

    private synchronized void scheduleNext(Duration delay) {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = scheduler.schedule(new Task(this), delay);
    }

    private String lastFailure() {
        return lastFailure != null ? lastFailure : "no reason known";
    }

    /** The background fetch: holds its target weakly, so that a dropped one is collected and stops. */
    private static final class Task implements Runnable {
        private final WeakReference<Refreshing<?>> target;

        Task(Refreshing<?> target) {
            this.target = new WeakReference<>(target);
        }

        @Override
        public void run() {
            Refreshing<?> r = target.get();
            if (r != null) {
                synchronized (r) {
                    if (!r.closed) {
                        try {
                            r.attempt();
                        } catch (RuntimeException | Error e) {
                            LOG.error("{}: the background fetch failed unexpectedly; trying again in {} s", r.what, BACKGROUND_RETRY.toSeconds(), e);
                            r.scheduleNext(BACKGROUND_RETRY);
                        }
                    }
                }
            }
        }
    }

    /** Stops the background fetches. */
    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public String toString() {
        return what;
    }
}
