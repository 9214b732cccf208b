package dev.portcullis.netty;

import dev.portcullis.auth.Connection;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.Portcullis;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portcullis as a Netty channel handler, placed right after {@code HttpServerCodec} (and before any
 * {@code HttpObjectAggregator} or {@code HttpServerExpectContinueHandler}). It translates each request for the pipeline,
 * which decides; its parts do the rest: {@link RequestSequencer} (pipelined requests, one at a time, auto-read held
 * meanwhile), {@link Exchange} (one request's state), {@link BoundedBody} (an endpoint's body), {@link ResponseWriter}
 * (the pipeline's answers), {@link RequestAttributes} (what the application sees) and {@link ClientDeadlines} (clients
 * that keep a connection waiting).
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec())
 *              .addLast(new PortcullisHttpHandler(portcullis, blockingExecutor))
 *              .addLast(new HttpObjectAggregator(1 << 20))          // optional
 *              .addLast(new RegistryHandler());
 * }</pre>
 *
 * <ul>
 *   <li>The decision is made on the request head: on the event loop when it needs no blocking work (anonymous,
 *       policy-only, cached credentials), else on {@code blockingExecutor}.</li>
 *   <li>Allowed: the head and every content chunk are passed on in order. Denied: the answer is written and the rest of
 *       the body is released unread; {@code Expect: 100-continue} reaches the application only after an allow.</li>
 *   <li>Pipelined requests are answered in order; the next is passed on once the application wrote the last response,
 *       after the call that wrote it returned, and not while the channel is unwritable.</li>
 *   <li>A connection that sends no request head for {@code headTimeout} (30 s by default, as Jetty's idle timeout), or
 *       pauses a body for {@code idleTimeout} (30 s), is closed; the server's own time is not counted.</li>
 *   <li>The identity is in the channel attribute {@link #IDENTITY} (null for anonymous), set for every request before
 *       it is passed on; denied mount sources in {@link #DENIED_MOUNTS}; write conditions in {@link #WRITE_CONDITIONS}; behaviours in
 *       {@link #BEHAVIOURS}.</li>
 * </ul>
 *
 * Not sharable: one instance per channel.
 */
public final class PortcullisHttpHandler extends ChannelDuplexHandler {
    /**
     * Who sent the request being passed on: the authenticated {@link Identity}, or null for an anonymous caller. Set
     * for every request passed on and cleared for one answered here, so one request's identity never reaches the next.
     */
    public static final AttributeKey<Identity> IDENTITY = AttributeKey.valueOf("dev.portcullis.identity");
    /**
     * The repositories of a cross-repository blob mount ({@code ?mount=&from=R}) that the caller may not read, set
     * with {@link #IDENTITY}; empty when none is denied. The registry must not mount from these, and falls back to a
     * normal upload instead.
     */
    public static final AttributeKey<Set<String>> DENIED_MOUNTS = AttributeKey.valueOf("dev.portcullis.deniedMountSources");
    /**
     * What the request's write was allowed under, set with {@link #IDENTITY} (empty when unconditional): check each when
     * committing the write, atomically with it, and answer {@link #response(Outcome.Respond) response(condition.refusal())}
     * when one no longer holds.
     */
    public static final AttributeKey<List<WriteCondition>> WRITE_CONDITIONS = AttributeKey.valueOf("dev.portcullis.writeConditions");
    /**
     * Channel attribute with the {@code Set<Behaviour>} zot's behaviour actions give the caller on the request's
     * repository (for a {@code DELETE}; see {@link Outcome.Proceed#behaviours()}), such as
     * {@link dev.portcullis.policy.Behaviour#DETECT_MANIFEST_COLLISION}; empty otherwise.
     */
    public static final AttributeKey<java.util.Set<dev.portcullis.policy.Behaviour>> BEHAVIOURS = AttributeKey.valueOf("dev.portcullis.behaviours");
    /** How long a connection may go without sending a request head, or without sending any of a request's body: 30 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final byte[] EMPTY = new byte[0];
    private static final Logger LOG = LoggerFactory.getLogger(PortcullisHttpHandler.class);

    /** CLOSED: the connection is gone or given up; whatever still arrives is released, nothing is passed on. */
    private enum State { READY, COLLECTING, DECIDING, FORWARDING, DISCARDING, AWAITING_RESPONSE, CLOSED }

    private final Portcullis portcullis;
    private final Executor blocking;
    private final Connection connection; // what the pipeline keeps of this connection, for a keep-alive client's repeated credentials
    private final ClientDeadlines deadlines;
    private final RequestSequencer sequencer = new RequestSequencer(new RequestSequencer.Steps() {
        @Override
        public boolean waiting(ChannelHandlerContext ctx) {
            return PortcullisHttpHandler.this.waiting(ctx);
        }

        @Override
        public void step(ChannelHandlerContext ctx, Object msg) {
            PortcullisHttpHandler.this.step(ctx, msg);
        }

        @Override
        public boolean closed() {
            return state == State.CLOSED;
        }
    });
    private State state = State.READY;
    private @Nullable Exchange exchange; // the request under way; null between requests
    private @Nullable String remoteAddress;
    private @Nullable RequestAttributes attributes; // what the application sees of the request, in the channel's attributes

    /**
     * With the default timeouts ({@link #DEFAULT_TIMEOUT} for a request head and for a pause in a body).
     *
     * @param portcullis the pipeline that decides; shared by every channel's handler
     * @param blockingExecutor where decisions that may block run (Argon2, the key store); bounded, not an event loop, and
     *                         it must run or refuse every task (a refused one is answered 503; one dropped silently is
     *                         never answered)
     */
    public PortcullisHttpHandler(Portcullis portcullis, Executor blockingExecutor) {
        this(portcullis, blockingExecutor, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    /**
     * With the given timeouts for a request head and for a pause in a body.
     *
     * @param portcullis the pipeline that decides; shared by every channel's handler
     * @param blockingExecutor where decisions that may block run; see
     *                         {@link #PortcullisHttpHandler(Portcullis, Executor)}
     * @param headTimeout how long a connection may wait for a whole request head (after it opened, or after the last
     *                    request was done) before it is closed: a client that sends nothing, or a head byte by byte;
     *                    zero for no limit
     * @param idleTimeout how long a request's body may pause before the connection is closed; zero for no limit
     */
    public PortcullisHttpHandler(Portcullis portcullis, Executor blockingExecutor, Duration headTimeout, Duration idleTimeout) {
        this.portcullis = portcullis;
        this.blocking = blockingExecutor;
        this.connection = portcullis.connection();
        this.deadlines = new ClientDeadlines(headTimeout, idleTimeout);
    }

    /**
     * A response of Portcullis's (such as a {@link WriteCondition#refusal()}) as a Netty response: status, headers,
     * cookies, content type and length, and the body. Its delay is the caller's to honour.
     *
     * @param r the response the pipeline or a write condition asked for
     * @return a new response, ready to write; its content wraps the body array of {@code r} without copying it
     */
    public static FullHttpResponse response(Outcome.Respond r) {
        return ResponseWriter.response(r);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        attributes = new RequestAttributes(ctx.channel().attr(IDENTITY), ctx.channel().attr(DENIED_MOUNTS), ctx.channel().attr(WRITE_CONDITIONS),
                ctx.channel().attr(BEHAVIOURS));
        if (ctx.channel().isActive()) {
            deadlines.start(ctx, this::waitingFor);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        deadlines.start(ctx, this::waitingFor);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadlines.stop();
    }

    /** What this connection waits for from its client now, for {@link ClientDeadlines}. */
    private ClientDeadlines.Waiting waitingFor() {
        return switch (state) {
            case READY -> sequencer.queued() ? ClientDeadlines.Waiting.NOTHING : ClientDeadlines.Waiting.HEAD;
            case COLLECTING, FORWARDING, DISCARDING -> ClientDeadlines.Waiting.BODY;
            default -> ClientDeadlines.Waiting.NOTHING; // the pipeline's or the application's turn, or closed
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        deadlines.progress();
        sequencer.read(ctx, msg);
    }

    /**
     * Whether a message must wait: a decision or the application's response is pending, or a new request would add a
     * response to those the client has not read yet.
     */
    private boolean waiting(ChannelHandlerContext ctx) {
        return state == State.DECIDING || state == State.AWAITING_RESPONSE || state == State.READY && !ctx.channel().isWritable();
    }

    /** Handles one message in a state that takes it (not {@link #waiting}). */
    private void step(ChannelHandlerContext ctx, Object msg) {
        if (state == State.READY) {
            if (HttpMessages.isRequest(msg)) {
                startRequest(ctx, (HttpRequest) msg);
            } else {
                ReferenceCountUtil.release(msg); // content after a request we already answered and closed
            }
        } else if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
        } else if (HttpMessages.isRequest(msg)) {
            outOfStep(ctx, msg); // a request head where the last one's content was due
        } else {
            switch (state) {
                case FORWARDING -> forward(ctx, msg);
                case COLLECTING -> collect(ctx, msg);
                case DISCARDING -> discard(ctx, msg);
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /**
     * A request head where the last request's content was due: the codec lost track of where that request ended (a
     * handler behind this one made it skip a body, say). What follows is not this handler's to judge, nor to pass on
     * unjudged: the connection is closed.
     */
    private void outOfStep(ChannelHandlerContext ctx, Object msg) {
        LOG.warn("a request from {} began before the last one's content ended; the connection is closed", remoteAddress(ctx));
        ReferenceCountUtil.release(msg);
        close(ctx);
    }

    private void close(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        if (exchange != null) {
            exchange.releaseBody();
        }
        ctx.close();
    }

    private void forward(ChannelHandlerContext ctx, Object msg) {
        if (HttpMessages.isLast(msg)) {
            // before passing it on: the application may answer (and complete) inside the call
            current().inboundDone = true;
            state = State.AWAITING_RESPONSE;
        }
        sequencer.passedOn();
        ctx.fireChannelRead(msg);
        maybeReady();
    }

    /** Content of a request answered here: released unread. */
    private void discard(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        boolean undecodable = msg instanceof HttpObject o && o.decoderResult().isFailure();
        ReferenceCountUtil.release(msg);
        Exchange exchange = current();
        if (undecodable) {
            // the codec reads nothing more on this connection: closed once the answer is out
            exchange.closeAfterResponse = true;
            if (exchange.outboundDone) {
                close(ctx);
            } else {
                state = State.CLOSED;
            }
        } else if (last) {
            exchange.inboundDone = true;
            state = State.AWAITING_RESPONSE;
            boolean toClose = exchange.closeAfterResponse && exchange.outboundDone;
            maybeReady();
            if (toClose) {
                close(ctx); // the answer is out and the body read: the connection was to close
            }
        }
    }

    private void startRequest(ChannelHandlerContext ctx, HttpRequest request) {
        exchange = new Exchange(request, HttpMessages.isLast(request));
        if (request.decoderResult().isFailure()) {
            refuseUndecodable(ctx, request.decoderResult().cause());
            return;
        }
        NettyRequestView view = new NettyRequestView(request, ctx.channel(), EMPTY, remoteAddress(ctx));
        java.util.Optional<Outcome> quick;
        try {
            // never decides a request to an endpoint that reads the body: those are asked below
            quick = portcullis.handleWithoutBlocking(view, connection);
        } catch (RuntimeException e) {
            LOG.error("the pipeline failed on a request from {}", remoteAddress(ctx), e);
            fail(ctx, "the pipeline failed"); // never leave a request unanswered
            return;
        }
        if (quick.isPresent()) {
            apply(ctx, quick.get());
        } else if (portcullis.readsBody(view.rawPath())) {
            exchange.body = new BoundedBody(ctx.alloc(), portcullis.bodyLimit());
            state = State.COLLECTING;
            if (exchange.inboundDone) {
                collect(ctx, null);
            } else if (HttpUtil.is100ContinueExpected(request)) {
                // the decision needs the body (a bounded part of it is kept): a client waiting to be asked is asked
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            }
        } else {
            decideElsewhere(ctx, view);
        }
    }

    /** The peer's address, formatted once per connection. */
    private String remoteAddress(ChannelHandlerContext ctx) {
        if (remoteAddress == null) {
            remoteAddress = NettyRequestView.format(ctx.channel().remoteAddress());
        }
        return remoteAddress;
    }

    /**
     * The codec could not parse the request (a header or request line over its limit, a malformed head or chunk): Netty
     * hands on a placeholder request, which must never reach the pipeline or the application. Answered 431, 414 or 400,
     * and the connection closed, since where the next request starts is unknown.
     */
    private void refuseUndecodable(ChannelHandlerContext ctx, Throwable cause) {
        int status = HttpMessages.undecodableStatus(cause);
        Exchange exchange = current();
        exchange.inboundDone = true;
        exchange.closeAfterResponse = true;
        exchange.releaseBody();
        // not decided (nor audited) by the pipeline: nobody could read what the request asked for
        apply(ctx, portcullis.error(null, status, "UNSUPPORTED", HttpMessages.undecodableReason(status)));
    }

    private void collect(ChannelHandlerContext ctx, @Nullable Object msg) {
        if (msg instanceof HttpContent chunk && chunk.decoderResult().isFailure()) {
            Throwable cause = chunk.decoderResult().cause();
            chunk.release();
            refuseUndecodable(ctx, cause);
            return;
        }
        boolean last = msg == null || msg instanceof LastHttpContent;
        Exchange ex = current();
        BoundedBody body = Objects.requireNonNull(ex.body, "the body under collection");
        if (msg instanceof HttpContent content) {
            body.add(content.content());
        }
        ReferenceCountUtil.release(msg);
        if (!last) {
            return;
        }
        ex.inboundDone = true;
        byte[] bytes = body.take();
        ex.body = null;
        decideElsewhere(ctx, new NettyRequestView(ex.head, ctx.channel(), bytes, remoteAddress(ctx)));
    }

    private void decideElsewhere(ChannelHandlerContext ctx, NettyRequestView view) {
        state = State.DECIDING;
        sequencer.hold(ctx);
        Exchange deciding = current();
        try {
            blocking.execute(() -> {
                Outcome outcome;
                try {
                    outcome = portcullis.handle(view, connection);
                } catch (Throwable e) { // an Error too: the request is answered, not left waiting for ever
                    LOG.error("the pipeline failed on a request from {}", view.remoteAddress(), e);
                    outcome = null;
                }
                Outcome decided = outcome;
                ctx.executor().execute(() -> {
                    if (state == State.CLOSED) {
                        ReferenceCountUtil.release(deciding.head); // the connection went meanwhile: nothing is passed on
                        return;
                    }
                    sequencer.resume(ctx, () -> {
                        if (decided == null) {
                            fail(ctx, "the pipeline failed");
                        } else {
                            apply(ctx, decided);
                        }
                    });
                });
            });
        } catch (RejectedExecutionException e) {
            fail(ctx, "too busy to decide");
        } catch (RuntimeException e) {
            LOG.error("the executor for blocking decisions failed on a request from {}", view.remoteAddress(), e);
            fail(ctx, "the pipeline failed");
        }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        apply(ctx, portcullis.error(NettyRequestView.rawPath(current().head), 503, "UNAVAILABLE", why));
    }

    private void apply(ChannelHandlerContext ctx, Outcome outcome) {
        sequencer.release(ctx); // a decision made elsewhere: before the application sees the request, and may turn auto-read off
        Exchange exchange = current();
        RequestAttributes attributes = Objects.requireNonNull(this.attributes, "set when the handler was added");
        if (outcome instanceof Outcome.Proceed proceed) {
            attributes.set(proceed);
            exchange.responseHeaders = proceed.responseHeaders();
            state = exchange.inboundDone ? State.AWAITING_RESPONSE : State.FORWARDING;
            sequencer.passedOn();
            ctx.fireChannelRead(exchange.head);
            return;
        }
        attributes.clear(); // the application never sees this request, nor the last one's identity with anything after it
        HttpRequest head = exchange.head;
        if (!HttpUtil.isKeepAlive(head) || HttpUtil.is100ContinueExpected(head) && !exchange.inboundDone) {
            // after 100-continue, the client may withhold its body: where the next request starts is unknown
            exchange.closeAfterResponse = true;
        }
        ReferenceCountUtil.release(head);
        state = exchange.inboundDone ? State.AWAITING_RESPONSE : State.DISCARDING;
        ResponseWriter.write(ctx, exchange, (Outcome.Respond) outcome, () -> state == State.DISCARDING, () -> responseWritten(ctx, exchange));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean full = msg.getClass() == DefaultFullHttpResponse.class; // the usual response, known without type checks
        HttpResponse response = full ? (HttpResponse) msg : msg instanceof HttpResponse r ? r : null;
        boolean interim = response != null && response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL;
        if (interim && response != null && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            refuseUpgrade(ctx, msg, promise);
            return;
        }
        Exchange current = exchange;
        if (response != null && !interim && current != null && !current.responseHeaders.isEmpty()) {
            current.responseHeaders.forEach((k, v) -> {
                if (!response.headers().contains(k)) {
                    response.headers().set(k, v);
                }
            });
        }
        boolean last = !interim && (full || HttpMessages.isLast(msg));
        ctx.write(msg, promise);
        if (last && current != null) {
            // the response is handed on in order, so the next request may go ahead (waiting, though, while the channel
            // is not writable); when it is sent is the channel's business
            responseWritten(ctx, current);
        }
    }

    /**
     * A protocol upgrade (WebSocket, h2c) behind this handler: what follows the 101 is another protocol, whose requests it
     * could neither decide nor pass on unjudged. The 101 is not sent, the application's write fails, the connection closes.
     */
    private void refuseUpgrade(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ReferenceCountUtil.release(msg);
        LOG.error("the application answered a request from {} with 101 Switching Protocols; PortcullisHttpHandler decides HTTP/1.1"
                + " requests only, so the connection is closed instead: upgrades (WebSocket, h2c) are not supported behind it",
                remoteAddress(ctx));
        promise.tryFailure(new IllegalStateException("protocol upgrades are not supported behind PortcullisHttpHandler"));
        close(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            sequencer.drainLater(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void responseWritten(ChannelHandlerContext ctx, Exchange written) {
        written.outboundDone = true;
        maybeReady();
        sequencer.drainLater(ctx);
    }

    /**
     * An {@code HttpObjectAggregator} behind this handler refused the forwarded request's {@code Expect} (417, or 413
     * for a body over its limit), and the codec skipped the request's body: no more content comes for it, and the next
     * thing read is the next request, decided as any other.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HttpExpectationFailedEvent && state == State.FORWARDING) {
            current().inboundDone = true;
            state = State.AWAITING_RESPONSE;
            maybeReady();
        } else if (evt instanceof ChannelInputShutdownEvent && exchange != null && exchange.closeAfterResponse && exchange.outboundDone
                && state != State.CLOSED) {
            // a half-closed channel (ALLOW_HALF_CLOSURE): the client stopped sending the body of a request answered and to
            // be closed; nothing more comes, so the connection ends here instead of staying open
            close(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The request under way, in the states that have one. */
    private Exchange current() {
        Exchange e = exchange;
        if (e == null) {
            throw new IllegalStateException("no request under way in state " + state);
        }
        return e;
    }

    private void maybeReady() {
        Exchange exchange = this.exchange;
        if (state == State.AWAITING_RESPONSE && exchange != null && exchange.inboundDone && exchange.outboundDone) {
            state = State.READY;
            this.exchange = null;
            deadlines.progress(); // the wait for the next head starts now
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        deadlines.stop();
        state = State.CLOSED;
        sequencer.releaseAll();
        if (exchange != null) {
            exchange.releaseBody();
        }
        super.channelInactive(ctx);
    }
}
