package dev.portcullis.auth.oidc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The background refreshes on a schedule the test moves by hand, with the clock that ages what was fetched: nothing
 * runs unless the test advances time, and then each task runs on the test's thread at the moment it falls due.
 */
final class HandRunSchedule implements Refreshing.Scheduler {
    private record Entry(Runnable task, Instant due, CompletableFuture<Void> future) {
    }

    private final OidcLoginTest.MutableClock clock;
    private final List<Entry> entries = new ArrayList<>();
    int ran;

    HandRunSchedule(OidcLoginTest.MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, Duration delay) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        entries.add(new Entry(task, clock.instant().plus(delay), future));
        return future;
    }

    /** Moves the clock forward by {@code d}, running every task that falls due on the way, in order. */
    void advance(Duration d) {
        Instant until = clock.instant().plus(d);
        while (true) {
            Optional<Entry> next;
            synchronized (this) {
                entries.removeIf(e -> e.future().isCancelled());
                next = entries.stream().filter(e -> !e.due().isAfter(until)).min(Comparator.comparing(Entry::due));
                next.ifPresent(entries::remove);
            }
            if (next.isEmpty()) {
                break;
            }
            clock.now = next.get().due();
            next.get().task().run();
            next.get().future().complete(null);
            ran++;
        }
        clock.now = until;
    }

    /** How many tasks wait. */
    synchronized long pending() {
        return entries.stream().filter(e -> !e.future().isCancelled()).count();
    }
}
