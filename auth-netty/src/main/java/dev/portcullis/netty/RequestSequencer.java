package dev.portcullis.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Request-level flow control for one connection: what arrives while the handler waits (for a decision made elsewhere,
 * for the application's response, for the client to read what it was sent) is queued, the channel stops reading
 * meanwhile, and the queue is worked off, in order, once the handler can take it. Auto-read is otherwise the
 * application's: one that turns it off, to pace an upload it streams to slow storage, finds it as it left it. For one
 * channel, on its event loop.
 */
final class RequestSequencer {
    /** What the handler does with messages: whether one must wait now, and how it takes one. */
    interface Steps {
        boolean waiting(ChannelHandlerContext ctx);

        void step(ChannelHandlerContext ctx, Object msg);

        /** Whether the connection is given up: nothing more is passed on. */
        boolean closed();
    }

    private final Steps steps;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean passedOn; // a message was passed on since a task of this sequencer's own began (see completeRead)
    private boolean holding; // auto-read turned off here, to hold the next messages back
    private boolean resumeAutoRead; // whether auto-read was on when this sequencer turned it off

    RequestSequencer(Steps steps) {
        this.steps = steps;
    }

    /** A message read from the channel. */
    void read(ChannelHandlerContext ctx, Object msg) {
        if (draining || !queue.isEmpty() || steps.waiting(ctx)) {
            queue.add(msg);
            drain(ctx, null);
        } else {
            drain(ctx, msg); // the usual case, a message when nothing waits: handled without passing through the queue
        }
    }

    /** Whether messages wait in the queue. */
    boolean queued() {
        return !queue.isEmpty();
    }

    /** Notes that a message went on to the application (for {@link #completeRead}). */
    void passedOn() {
        passedOn = true;
    }

    /**
     * Handles {@code first} (if not null), then queued messages as far as the state allows. Not re-entrant: a response
     * completing synchronously inside a call below just lets the running loop go on.
     */
    void drain(ChannelHandlerContext ctx, @Nullable Object first) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            if (first != null) {
                steps.step(ctx, first);
            }
            while (!queue.isEmpty()) {
                if (steps.waiting(ctx)) {
                    hold(ctx); // the rest waits until this request is done
                    return;
                }
                release(ctx);
                steps.step(ctx, queue.poll());
            }
        } finally {
            draining = false;
        }
    }

    /**
     * Goes on with waiting messages, but not from inside the call that got here: that may be the application's own write
     * (a response it completes later, from storage, say), and the next request reaches it once that call has returned.
     */
    void drainLater(ChannelHandlerContext ctx) {
        if (!draining && !queue.isEmpty()) {
            ctx.executor().execute(() -> {
                passedOn = false;
                drain(ctx, null);
                completeRead(ctx);
            });
        }
    }

    /**
     * Runs {@code task} (a decision made elsewhere, applied on the event loop), then the queue, then the read-complete a
     * read would have brought.
     */
    void resume(ChannelHandlerContext ctx, Runnable task) {
        passedOn = false;
        task.run();
        drain(ctx, null);
        completeRead(ctx);
    }

    /**
     * Turns auto-read off until {@link #release}, so that nothing more piles up while the handler waits.
     */
    void hold(ChannelHandlerContext ctx) {
        if (!holding) {
            holding = true;
            resumeAutoRead = ctx.channel().config().isAutoRead();
            ctx.channel().config().setAutoRead(false);
        } else if (ctx.channel().config().isAutoRead()) {
            // the application turned it on meanwhile: it is on again after the hold, but the queue does not grow unbounded
            resumeAutoRead = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Ends a {@link #hold}, before anything more is passed on; turning auto-read on again also reads on. */
    void release(ChannelHandlerContext ctx) {
        if (holding) {
            holding = false;
            if (resumeAutoRead) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /**
     * After messages were passed on from a task of this sequencer's own rather than from a read: the read-complete a read
     * would have brought, for an application that writes during the read and flushes once it is complete (as Netty's
     * examples do), whose responses would otherwise wait for the next read, which may never come.
     */
    private void completeRead(ChannelHandlerContext ctx) {
        if (passedOn && !steps.closed()) {
            passedOn = false;
            ctx.fireChannelReadComplete();
        }
    }

    /** The connection is gone: whatever waits is released. */
    void releaseAll() {
        while (!queue.isEmpty()) {
            ReferenceCountUtil.release(queue.poll());
        }
    }
}
