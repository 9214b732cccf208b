package dev.portcullis.netty;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client keeps it waiting: no whole request head for the head timeout (it sends nothing, or
 * trickles a head in), or no part of a request's body for the idle timeout. Time the server spends (a decision, the
 * application's answer) does not count. One timer per connection, run every half of the shorter timeout, compares a
 * counter of what arrived with the last run's, so the request path only increments a field: the connection is closed
 * after it waited between one and one and a half times its timeout. For one channel, on its event loop.
 */
final class ClientDeadlines {
    private static final Logger LOG = LoggerFactory.getLogger(ClientDeadlines.class);

    /** What a connection waits for from its client. */
    enum Waiting { NOTHING, HEAD, BODY }

    private final long headChecks; // quiet checks in a row that end a wait for a head; 0: no limit
    private final long bodyChecks;
    private final long periodNanos;
    private long progress; // counts what arrived, and the starts of waits for a head
    private long seen = -1;
    private Waiting seenWaiting = Waiting.NOTHING;
    private long quiet;
    private @Nullable ScheduledFuture<?> timer;

    ClientDeadlines(Duration head, Duration idle) {
        if (head.isNegative() || idle.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative: head " + head + ", idle " + idle + " (zero: no limit)");
        }
        long shorter = Math.min(head.isZero() ? Long.MAX_VALUE : head.toNanos(), idle.isZero() ? Long.MAX_VALUE : idle.toNanos());
        this.periodNanos = shorter == Long.MAX_VALUE ? 0 : Math.max(1, shorter / 2);
        this.headChecks = checks(head);
        this.bodyChecks = checks(idle);
    }

    private long checks(Duration timeout) {
        return timeout.isZero() ? 0 : Math.max(2, (timeout.toNanos() + periodNanos - 1) / periodNanos);
    }

    /** Something arrived (a head, a chunk), or a wait for the next head began. */
    void progress() {
        progress++;
    }

    void start(ChannelHandlerContext ctx, Supplier<Waiting> waiting) {
        if (timer == null && periodNanos > 0) {
            timer = ctx.executor().scheduleAtFixedRate(() -> check(ctx, waiting.get()), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void check(ChannelHandlerContext ctx, Waiting waiting) {
        if (waiting == Waiting.NOTHING || waiting != seenWaiting || progress != seen) {
            quiet = 0;
        } else {
            quiet++;
        }
        seen = progress;
        seenWaiting = waiting;
        long limit = waiting == Waiting.HEAD ? headChecks : waiting == Waiting.BODY ? bodyChecks : 0;
        if (limit > 0 && quiet >= limit) {
            LOG.debug("closing the connection from {}: no request {} arrived in time", ctx.channel().remoteAddress(),
                    waiting == Waiting.HEAD ? "head" : "content");
            stop();
            ctx.close();
        }
    }
}
