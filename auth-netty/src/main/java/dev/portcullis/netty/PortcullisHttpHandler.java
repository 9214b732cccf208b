package dev.portcullis.netty;

import dev.portcullis.auth.Connection;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.Outcome.WriteCondition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portcullis as a Netty channel handler, placed right after {@code HttpServerCodec} (and before
 * any {@code HttpObjectAggregator} or {@code HttpServerExpectContinueHandler}). A thin adapter:
 * every decision is the pipeline's.
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec())
 *              .addLast(new PortcullisHttpHandler(portcullis, blockingExecutor))
 *              .addLast(new HttpObjectAggregator(1 << 20))          // optional
 *              .addLast(new RegistryHandler());
 * }</pre>
 *
 * <ul>
 *   <li>The decision is made on the request head. Decisions that need no blocking work
 *       (anonymous, policy-only, cached API keys) complete on the event loop; the others run on
 *       {@code blockingExecutor}, with auto-read off meanwhile, and never block an event loop.</li>
 *   <li>Allowed: the head and every content chunk are passed on in order. Denied: 401/403/… is
 *       written and the rest of the request body is released unread (the connection stays usable,
 *       or is closed when the client sent {@code Expect: 100-continue} and so may not send its body).
 *       {@code Expect: 100-continue} reaches the application only after an allow.</li>
 *   <li>Pipelined requests are handled one at a time, responses in order: the next request is
 *       held (auto-read off) until the application has written the previous response, and while
 *       the channel is not writable (responses the client has not read pile up beyond the
 *       channel's high water mark). The next request is passed on after the call that wrote the last
 *       response has returned, never from inside it.</li>
 *   <li>A request head where content was due (the codec lost track of where a request ended) closes
 *       the connection; an aggregator behind this handler refusing an {@code Expect} is understood.</li>
 *   <li>A connection that sends no request head for {@code headTimeout} (30 s by default, as Jetty's idle timeout),
 *       whether it sends nothing or trickles a head in byte by byte, is closed; so is one that sends nothing of a
 *       request's body for {@code idleTimeout} (30 s). The time the pipeline or the application takes is not
 *       counted.</li>
 *   <li>The identity is in the channel attribute {@link #IDENTITY} (null for anonymous), set for
 *       every request before it is passed on (and cleared when one is answered here), so one request's
 *       identity never leaks into the next; denied mount sources are in {@link #DENIED_MOUNTS}.</li>
 * </ul>
 *
 * Not sharable: one instance per channel.
 */
public final class PortcullisHttpHandler extends ChannelDuplexHandler {
    public static final AttributeKey<Identity> IDENTITY = AttributeKey.valueOf("dev.portcullis.identity");
    public static final AttributeKey<Set<String>> DENIED_MOUNTS = AttributeKey.valueOf("dev.portcullis.deniedMountSources");
    /**
     * What the request's write was allowed under, set with {@link #IDENTITY} (empty when unconditional): check each when
     * committing the write, atomically with it, and answer {@link #response(Outcome.Respond) response(condition.refusal())}
     * when one no longer holds.
     */
    public static final AttributeKey<List<WriteCondition>> WRITE_CONDITIONS = AttributeKey.valueOf("dev.portcullis.writeConditions");

    private static final byte[] EMPTY = new byte[0];

    private static final Logger LOG = LoggerFactory.getLogger(PortcullisHttpHandler.class);

    /** CLOSED: the connection is gone or given up; whatever still arrives is released, nothing is passed on. */
    private enum State { READY, COLLECTING, DECIDING, FORWARDING, DISCARDING, AWAITING_RESPONSE, CLOSED }

    private final Portcullis portcullis;
    private final Executor blocking;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private State state = State.READY;
    private boolean draining;
    private boolean passedOn; // a message was passed on since a task of this handler's own began (see completeRead)
    private boolean holding; // auto-read turned off here, to hold the next messages back
    private boolean resumeAutoRead; // whether auto-read was on when this handler turned it off
    private String remoteAddress;
    private HttpRequest current;
    private ByteBuf body;
    private boolean inboundDone;
    private boolean outboundDone;
    private boolean closeAfterResponse;
    private Map<String, String> responseHeaders = Map.of();
    private Attribute<Identity> identity; // the channel's attributes, looked up once per connection
    private Attribute<Set<String>> deniedMounts;
    private Attribute<List<WriteCondition>> writeConditions;
    private final Connection connection; // what the pipeline keeps of this connection, for a keep-alive client's repeated credentials
    private final ClientDeadlines deadlines;

    /** How long a connection may go without sending a request head, or without sending any of a request's body: 30 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * With the default timeouts ({@link #DEFAULT_TIMEOUT} for a request head and for a pause in a body).
     *
     * @param blockingExecutor where decisions that may block run (Argon2, the key store); bounded, not an event loop, and
     *                         it must run or refuse every task (a refused one is answered 503; one dropped silently is
     *                         never answered)
     */
    public PortcullisHttpHandler(Portcullis portcullis, Executor blockingExecutor) {
        this(portcullis, blockingExecutor, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    /**
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

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        identity = ctx.channel().attr(IDENTITY);
        deniedMounts = ctx.channel().attr(DENIED_MOUNTS);
        writeConditions = ctx.channel().attr(WRITE_CONDITIONS);
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
            case READY -> queue.isEmpty() ? ClientDeadlines.Waiting.HEAD : ClientDeadlines.Waiting.NOTHING;
            case COLLECTING, FORWARDING, DISCARDING -> ClientDeadlines.Waiting.BODY;
            default -> ClientDeadlines.Waiting.NOTHING; // the pipeline's or the application's turn, or closed
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        deadlines.progress();
        if (draining || !queue.isEmpty() || waiting(ctx)) {
            queue.add(msg);
            drain(ctx, null);
        } else {
            drain(ctx, msg); // the usual case, a message when nothing waits: handled without passing through the queue
        }
    }

    /**
     * Whether a message must wait: a decision or the application's response is pending, or a new request would add a
     * response to those the client has not read yet.
     */
    private boolean waiting(ChannelHandlerContext ctx) {
        return state == State.DECIDING || state == State.AWAITING_RESPONSE || state == State.READY && !ctx.channel().isWritable();
    }

    /**
     * Handles {@code first} (if not null), then queued messages as far as the state allows. Not re-entrant: a response
     * completing synchronously inside a call below just lets the running loop go on.
     */
    private void drain(ChannelHandlerContext ctx, Object first) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            if (first != null) {
                step(ctx, first);
            }
            drainQueue(ctx);
        } finally {
            draining = false;
        }
    }

    private void drainQueue(ChannelHandlerContext ctx) {
        while (!queue.isEmpty()) {
            if (waiting(ctx)) {
                hold(ctx); // the rest waits until this request is done
                return;
            }
            release(ctx);
            step(ctx, queue.poll());
        }
    }

    /**
     * Turns auto-read off until {@link #release}. Auto-read is otherwise the application's: one that turns it off, to
     * pace an upload it streams to slow storage, finds it as it left it.
     */
    private void hold(ChannelHandlerContext ctx) {
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
    private void release(ChannelHandlerContext ctx) {
        if (holding) {
            holding = false;
            if (resumeAutoRead) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /** Handles one message in a state that takes it (not {@link #waiting}). */
    private void step(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case READY -> {
                if (isRequest(msg)) {
                    startRequest(ctx, (HttpRequest) msg);
                } else {
                    ReferenceCountUtil.release(msg); // content after a request we already answered and closed
                }
            }
            // a request head in these states is out of step
            case FORWARDING -> {
                if (isRequest(msg)) {
                    outOfStep(ctx, msg);
                } else {
                    forward(ctx, msg);
                }
            }
            case COLLECTING -> {
                if (isRequest(msg)) {
                    outOfStep(ctx, msg);
                } else {
                    collect(ctx, msg);
                }
            }
            case DISCARDING -> {
                if (isRequest(msg)) {
                    outOfStep(ctx, msg);
                } else {
                    discard(ctx, msg);
                }
            }
            case CLOSED -> ReferenceCountUtil.release(msg);
            default -> throw new IllegalStateException(state.name());
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
        releaseBody();
        ctx.close();
    }

    /** Releases a built-in endpoint's body being collected, if any. */
    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private void forward(ChannelHandlerContext ctx, Object msg) {
        if (isLast(msg)) {
            // before passing it on: the application may answer (and complete) inside the call
            inboundDone = true;
            state = State.AWAITING_RESPONSE;
        }
        passedOn = true;
        ctx.fireChannelRead(msg);
        maybeReady(ctx);
    }

    /** Content of a request answered here: released unread. */
    private void discard(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        boolean undecodable = msg instanceof HttpObject o && o.decoderResult().isFailure();
        ReferenceCountUtil.release(msg);
        if (undecodable) {
            // the codec reads nothing more on this connection: closed once the answer is out
            closeAfterResponse = true;
            if (outboundDone) {
                close(ctx);
            } else {
                state = State.CLOSED;
            }
        } else if (last) {
            inboundDone = true;
            state = State.AWAITING_RESPONSE;
            maybeReady(ctx);
            if (closeAfterResponse && outboundDone) {
                close(ctx); // the answer is out and the body read: the connection was to close
            }
        }
    }

    private void startRequest(ChannelHandlerContext ctx, HttpRequest request) {
        current = request;
        inboundDone = isLast(request);
        outboundDone = false;
        closeAfterResponse = false; // decided in apply, when this handler answers
        responseHeaders = Map.of();
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
            body = ctx.alloc().buffer();
            state = State.COLLECTING;
            if (inboundDone) {
                collect(ctx, null);
            } else if (HttpUtil.is100ContinueExpected(request)) {
                // the decision needs the body (at most 8 KiB of it is kept): a client waiting to be asked is asked
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
     * The codec could not parse the request (a header or request line over its limit, a malformed
     * head or chunk): Netty hands on a placeholder request, which must never reach the pipeline or
     * the application. Answered 431, 414 or 400 (with {@code Cache-Control: no-store}, as the pipeline's refusals: a 414
     * is cacheable by default), and the connection closed, since where the next request starts is unknown.
     */
    private void refuseUndecodable(ChannelHandlerContext ctx, Throwable cause) {
        int status = cause instanceof TooLongHttpHeaderException ? 431 : cause instanceof TooLongHttpLineException ? 414 : 400;
        String message = switch (status) {
            case 431 -> "the request headers are too large";
            case 414 -> "the request line is too long";
            default -> "the request is not valid HTTP/1.1";
        };
        inboundDone = true;
        closeAfterResponse = true;
        releaseBody();
        // the messages are constants; not the pipeline's answer, which would decide (and audit) a request nobody could read
        byte[] json = ("{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"" + message + "\",\"detail\":null}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        apply(ctx, new Outcome.Respond(status, Map.of("Cache-Control", "no-store"), "application/json; charset=utf-8", json,
                java.time.Duration.ZERO));
    }

    private void collect(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent chunk && chunk.decoderResult().isFailure()) {
            Throwable cause = chunk.decoderResult().cause();
            chunk.release();
            refuseUndecodable(ctx, cause);
            return;
        }
        boolean last = msg == null || msg instanceof LastHttpContent;
        if (msg instanceof HttpContent content) {
            if (body.readableBytes() <= 8 * 1024) {
                body.writeBytes(content.content(), Math.min(content.content().readableBytes(), 8 * 1024 + 1 - body.readableBytes()));
            }
            content.release();
        } else if (msg != null) {
            ReferenceCountUtil.release(msg);
        }
        if (!last) {
            return;
        }
        inboundDone = true;
        byte[] bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        body.release();
        body = null;
        decideElsewhere(ctx, new NettyRequestView(current, ctx.channel(), bytes, remoteAddress(ctx)));
    }

    private void decideElsewhere(ChannelHandlerContext ctx, NettyRequestView view) {
        state = State.DECIDING;
        hold(ctx);
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
                        ReferenceCountUtil.release(current); // the connection went meanwhile: nothing is passed on
                        return;
                    }
                    passedOn = false;
                    if (decided == null) {
                        fail(ctx, "the pipeline failed");
                    } else {
                        apply(ctx, decided);
                    }
                    drain(ctx, null);
                    completeRead(ctx);
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
        byte[] json = ("{\"error\":\"unavailable\",\"message\":\"" + why + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        apply(ctx, new Outcome.Respond(503, Map.of("Cache-Control", "no-store"), "application/json; charset=utf-8", json, java.time.Duration.ZERO));
    }

    private void apply(ChannelHandlerContext ctx, Outcome outcome) {
        release(ctx); // a decision made elsewhere: before the application sees the request, and may turn auto-read off
        if (outcome instanceof Outcome.Proceed proceed) {
            setIfChanged(identity, proceed.identity());
            setIfChanged(deniedMounts, proceed.deniedMountSources());
            setIfChanged(writeConditions, proceed.writeConditions());
            responseHeaders = proceed.responseHeaders();
            state = inboundDone ? State.AWAITING_RESPONSE : State.FORWARDING;
            passedOn = true;
            ctx.fireChannelRead(current);
            return;
        }
        Outcome.Respond r = (Outcome.Respond) outcome;
        // the application never sees this request, nor the last one's identity with anything after it
        setIfChanged(identity, null);
        setIfChanged(deniedMounts, Set.of());
        setIfChanged(writeConditions, List.of());
        FullHttpResponse response = response(r);
        if (current.method().equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        if (!HttpUtil.isKeepAlive(current) || HttpUtil.is100ContinueExpected(current) && !inboundDone) {
            // after 100-continue, the client may withhold its body: where the next request starts is unknown
            closeAfterResponse = true;
        }
        ReferenceCountUtil.release(current);
        state = inboundDone ? State.AWAITING_RESPONSE : State.DISCARDING;
        respond(ctx, response, r.delay().toMillis());
    }

    /**
     * A response of Portcullis's (such as a {@link WriteCondition#refusal()}) as a Netty response: status, headers,
     * cookies, content type and length, and the body (which a response to {@code HEAD} leaves out). Its delay is the
     * caller's to honour.
     */
    public static FullHttpResponse response(Outcome.Respond r) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        r.headers().forEach((k, v) -> response.headers().set(k, v));
        r.cookies().forEach(c -> response.headers().add(HttpHeaderNames.SET_COOKIE, c));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        return response;
    }

    /** Attributes are volatile: a request on a keep-alive connection mostly finds them as the last one left them. */
    private static <T> void setIfChanged(Attribute<T> attribute, T value) {
        if (attribute.get() != value) {
            attribute.set(value);
        }
    }

    private void respond(ChannelHandlerContext ctx, FullHttpResponse response, long delayMillis) {
        if (closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (current.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        // written from this handler, so it does not pass through our own write(): mark it done here
        Runnable write = () -> ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            if (closeAfterResponse) {
                if (state == State.DISCARDING && f.isSuccess() && f.channel() instanceof DuplexChannel duplex && !duplex.isInputShutdown()) {
                    // the client may still be sending the body: closing with it unread would reset the connection, and
                    // the client might never read this answer. The answer's end is signalled; the rest is read and
                    // released (discard closes at its end, or the client closes first)
                    duplex.shutdownOutput();
                } else {
                    f.channel().close();
                }
            }
            responseWritten(ctx);
        });
        if (delayMillis > 0) {
            ctx.executor().schedule(write, delayMillis, TimeUnit.MILLISECONDS);
        } else {
            write.run();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean full = msg.getClass() == DefaultFullHttpResponse.class; // the usual response, known without type checks
        HttpResponse response = full ? (HttpResponse) msg : msg instanceof HttpResponse r ? r : null;
        boolean interim = response != null && response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL;
        if (interim && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            refuseUpgrade(ctx, msg, promise);
            return;
        }
        if (response != null && !interim && !responseHeaders.isEmpty()) {
            responseHeaders.forEach((k, v) -> {
                if (!response.headers().contains(k)) {
                    response.headers().set(k, v);
                }
            });
        }
        boolean last = !interim && (full || isLast(msg));
        ctx.write(msg, promise);
        if (last) {
            // the response is handed on in order, so the next request may go ahead (waiting, though, while the channel
            // is not writable); when it is sent is the channel's business
            responseWritten(ctx);
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
            drainLater(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void responseWritten(ChannelHandlerContext ctx) {
        outboundDone = true;
        maybeReady(ctx);
        drainLater(ctx);
    }

    /**
     * Goes on with waiting messages, but not from inside the call that got here: that may be the application's own write
     * (a response it completes later, from storage, say), and the next request reaches it once that call has returned.
     */
    private void drainLater(ChannelHandlerContext ctx) {
        if (!draining && !queue.isEmpty()) {
            ctx.executor().execute(() -> {
                passedOn = false;
                drain(ctx, null);
                completeRead(ctx);
            });
        }
    }

    /**
     * After messages were passed on from a task of this handler's own rather than from a read: the read-complete a read
     * would have brought, for an application that writes during the read and flushes once it is complete (as Netty's
     * examples do), whose responses would otherwise wait for the next read, which may never come.
     */
    private void completeRead(ChannelHandlerContext ctx) {
        if (passedOn && state != State.CLOSED) {
            passedOn = false;
            ctx.fireChannelReadComplete();
        }
    }

    /**
     * An {@code HttpObjectAggregator} behind this handler refused the forwarded request's {@code Expect} (417, or 413
     * for a body over its limit), and the codec skipped the request's body: no more content comes for it, and the next
     * thing read is the next request, decided as any other.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HttpExpectationFailedEvent && state == State.FORWARDING) {
            inboundDone = true;
            state = State.AWAITING_RESPONSE;
            maybeReady(ctx);
        } else if (evt instanceof ChannelInputShutdownEvent && closeAfterResponse && outboundDone && state != State.CLOSED) {
            // a half-closed channel (ALLOW_HALF_CLOSURE): the client stopped sending the body of a request answered and to
            // be closed; nothing more comes, so the connection ends here instead of staying open
            close(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Whether a message is a request head, with the codec's own classes recognized by identity first. On Java 17 a type
     * check against an interface other than the last one a class was checked against scans the class's interfaces, and
     * the codec's own checks keep changing that last one (JDK-8180450); with these, an anonymous read costs the Netty
     * pipeline about 100 ns less ({@code NettyPipelineBenchmark}).
     */
    private static boolean isRequest(Object msg) {
        Class<?> type = msg.getClass();
        return type == DefaultHttpRequest.class || type != DefaultLastHttpContent.class && type != DefaultHttpContent.class
                && msg != LastHttpContent.EMPTY_LAST_CONTENT && msg instanceof HttpRequest;
    }

    /** Whether a message ends a request or response, recognized as {@link #isRequest} does. */
    private static boolean isLast(Object msg) {
        Class<?> type = msg.getClass();
        return msg == LastHttpContent.EMPTY_LAST_CONTENT || type == DefaultLastHttpContent.class
                || type != DefaultHttpRequest.class && type != DefaultHttpContent.class && msg instanceof LastHttpContent;
    }

    private void maybeReady(ChannelHandlerContext ctx) {
        if (state == State.AWAITING_RESPONSE && inboundDone && outboundDone) {
            state = State.READY;
            current = null;
            deadlines.progress(); // the wait for the next head starts now
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        deadlines.stop();
        state = State.CLOSED;
        while (!queue.isEmpty()) {
            ReferenceCountUtil.release(queue.poll());
        }
        releaseBody();
        super.channelInactive(ctx);
    }
}
