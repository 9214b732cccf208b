package dev.portcullis.bench;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.netty.PortcullisHttpHandler;
import dev.portcullis.policy.AccessPolicy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A Netty "hello" server for load tests (issue #7): the same application with or without
 * Portcullis in front. {@code java -cp benchmarks.jar dev.portcullis.bench.NettyHelloServer plain|passthrough|portcullis
 * [port] [event-loop-threads] [work-nanos-per-request]} prints {@code listening on PORT} and, with Portcullis,
 * {@code key TOKEN} for a cached-key run. The work (a busy wait on the event loop) calibrates the
 * benchmark: what a known amount of added work per request costs in throughput on this machine.
 */
public final class NettyHelloServer implements AutoCloseable {
    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);

    private final EventLoopGroup group;
    private final ThreadPoolExecutor blocking = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000));
    private final Parts parts;
    private final Channel channel;

    /** What sits between the codec and the application. */
    public enum Mode {
        /** Nothing. */
        PLAIN,
        /**
         * A handler in Portcullis's place that passes every message and write on unchanged: what any handler there
         * costs, the part of Portcullis's cost that no decision logic can remove.
         */
        PASSTHROUGH,
        PORTCULLIS
    }

    public NettyHelloServer(Mode mode, int port, int eventLoopThreads) throws InterruptedException {
        this(mode, port, eventLoopThreads, 0);
    }

    /**
     * @param workNanos how long the application keeps the event loop busy per request (a calibration: what that much
     *                  added work costs in throughput on this machine); 0 for none
     */
    public NettyHelloServer(Mode mode, int port, int eventLoopThreads, long workNanos) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(eventLoopThreads, NioIoHandler.newFactory());
        parts = new Parts(mode, workNanos, blocking);
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        parts.handlers().forEach(h -> ch.pipeline().addLast(h));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public @Nullable String token() {
        return parts.token;
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        blocking.shutdownNow();
        parts.close();
    }

    /**
     * The handlers behind the codec for one connection in a mode, and with Portcullis the policy and key store they share:
     * {@code repo "**"} readable anonymously and by the group of the key {@link #token}.
     */
    static final class Parts implements AutoCloseable {
        private final Mode mode;
        private final long workNanos;
        private final Executor blocking;
        private final @Nullable ApiKeyService keys;
        private final @Nullable Portcullis portcullis;
        final @Nullable String token;

        Parts(Mode mode, long workNanos, Executor blocking) {
            this.mode = mode;
            this.workNanos = workNanos;
            this.blocking = blocking;
            if (mode == Mode.PORTCULLIS) {
                keys = ApiKeyService.builder(new InMemoryApiKeyStore()).build();
                token = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "bench", List.of(), null, "bench")).token();
                portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
                        repo "**" {
                          anonymous: read
                          group artifact-workloads: read, create
                        }
                        """)).apiKeys(keys).existence((repository, tag) -> false).listener(e -> { }).build();
            } else {
                keys = null;
                token = null;
                portcullis = null;
            }
        }

        /** New handlers for one connection, in pipeline order. */
        List<ChannelHandler> handlers() {
            return switch (mode) {
                case PLAIN -> List.of(new Hello(workNanos));
                case PASSTHROUGH -> List.of(new PassThrough(), new Hello(workNanos));
                case PORTCULLIS -> List.of(new PortcullisHttpHandler(Objects.requireNonNull(portcullis), blocking), new Hello(workNanos));
            };
        }

        @Override
        public void close() {
            if (portcullis != null && keys != null) {
                portcullis.close();
                keys.close();
            }
        }
    }

    /** Intercepts what {@link PortcullisHttpHandler} intercepts (reads and writes), and does nothing with it. */
    private static final class PassThrough extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg, promise);
        }
    }

    /** The application: 200 "hello" to everything, keep-alive as the client asks; busy for {@code workNanos} per request. */
    private static final class Hello extends SimpleChannelInboundHandler<HttpObject> {
        private final long workNanos;
        private boolean keepAlive;

        Hello(long workNanos) {
            this.workNanos = workNanos;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest request) {
                keepAlive = HttpUtil.isKeepAlive(request);
                for (long start = System.nanoTime(); workNanos > 0 && System.nanoTime() - start < workNanos; ) {
                    Thread.onSpinWait();
                }
            }
            if (msg instanceof LastHttpContent) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(HELLO));
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HELLO.length);
                HttpUtil.setKeepAlive(response, keepAlive);
                var written = ctx.writeAndFlush(response);
                if (!keepAlive) {
                    written.addListener(ChannelFutureListener.CLOSE);
                }
            }
        }

        /**
         * wrk resets its connections when a run ends: closed quietly, as a server would, instead of Netty's warning with a
         * stack trace per connection, whose logging loaded and compiled code on the next run's time.
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Mode mode = args.length < 1 ? null : switch (args[0]) {
            case "plain" -> Mode.PLAIN;
            case "passthrough" -> Mode.PASSTHROUGH;
            case "portcullis" -> Mode.PORTCULLIS;
            default -> null;
        };
        if (mode == null) {
            System.err.println("usage: NettyHelloServer plain|passthrough|portcullis [port] [event-loop-threads] [work-nanos-per-request]");
            System.exit(2);
            return;
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long workNanos = args.length > 3 ? Long.parseLong(args[3]) : 0;
        NettyHelloServer server = new NettyHelloServer(mode, port, threads, workNanos);
        System.out.println("listening on " + server.port());
        String token = server.token();
        if (token != null) {
            System.out.println("key " + token);
        }
        System.out.flush();
        Thread.currentThread().join();
    }
}
