package dev.portcullis.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load client that presents a TLS client certificate, which wrk cannot: keep-alive HTTP/1.1 GETs over TLS, one
 * request at a time per connection, on one event-loop thread (as {@code wrk -t1}), for a fixed time after 3 seconds
 * of warm-up that are not counted (this client's JIT, unlike wrk, starts cold at every run). Prints what
 * {@code scripts/bench.sh} reads from wrk: {@code Requests/sec}, and the 50% and 99% latencies.
 *
 * <pre>java -cp benchmarks.jar dev.portcullis.bench.TlsLoad HOST PORT PATH CERT KEY CA CONNECTIONS SECONDS</pre>
 *
 * A response other than 2xx stops the run with an error, as the bench treats wrk's "Non-2xx".
 */
public final class TlsLoad {
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private TlsLoad() {
    }

    /** One connection's loop: send, wait for the whole answer, record, send again until the end. */
    private static final class Loop extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final String host;
        private final String path;
        private final long measureFrom;
        private final long endNanos;
        private final long[] latencies;
        private int count;
        private long sentAt;
        private final AtomicLong failures;

        Loop(String host, String path, long measureFrom, long endNanos, int capacity, AtomicLong failures) {
            this.host = host;
            this.path = path;
            this.measureFrom = measureFrom;
            this.endNanos = endNanos;
            this.latencies = new long[capacity];
            this.failures = failures;
        }

        void send(Channel ch) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers().set(HttpHeaderNames.HOST, host);
            sentAt = System.nanoTime();
            ch.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            if (response.status().code() / 100 != 2) {
                failures.incrementAndGet();
            }
            if (sentAt >= measureFrom) {
                if (count < latencies.length) {
                    latencies[count] = now - sentAt;
                }
                count++;
            }
            if (now < endNanos) {
                send(ctx.channel());
            } else {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failures.incrementAndGet();
            System.err.println("connection failed: " + cause);
            ctx.close();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: TlsLoad HOST PORT PATH CERT KEY CA CONNECTIONS SECONDS");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        SslContext tls = SslContextBuilder.forClient().keyManager(new File(args[3]), new File(args[4])).trustManager(new File(args[5])).build();
        int connections = Integer.parseInt(args[6]);
        int seconds = Integer.parseInt(args[7]);
        AtomicLong failures = new AtomicLong();
        EventLoopGroup group = new NioEventLoopGroup(1);
        List<Loop> loops = new ArrayList<>();
        try {
            long start = System.nanoTime() + WARM_UP_NANOS;
            long end = start + seconds * 1_000_000_000L;
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Loop loop = new Loop(host + ":" + port, path, start, end, 200_000, failures);
                loops.add(loop);
                Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(tls.newHandler(c.alloc(), host, port), new HttpClientCodec(), new HttpObjectAggregator(1 << 20), loop);
                    }
                }).connect(host, port).sync().channel();
                ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        loop.send(ch);
                    } else {
                        failures.incrementAndGet();
                        System.err.println("TLS handshake failed: " + f.cause());
                        ch.close();
                    }
                });
                channels.add(ch);
            }
            for (Channel ch : channels) {
                ch.closeFuture().sync();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long total = loops.stream().mapToLong(l -> l.count).sum();
            long[] all = loops.stream().flatMapToLong(l -> Arrays.stream(l.latencies, 0, Math.min(l.count, l.latencies.length))).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %d requests in %.2fs%n", total, elapsed);
            System.out.printf(Locale.ROOT, "     50%% %s%n", millis(all, 0.50));
            System.out.printf(Locale.ROOT, "     99%% %s%n", millis(all, 0.99));
            System.out.printf(Locale.ROOT, "Requests/sec: %.2f%n", total / elapsed);
            if (failures.get() > 0) {
                System.out.printf(Locale.ROOT, "  Non-2xx or failed: %d%n", failures.get());
                System.exit(1);
            }
        } finally {
            group.shutdownGracefully();
        }
    }

    private static String millis(long[] sorted, double q) {
        if (sorted.length == 0) {
            return "0.00ms";
        }
        return String.format(Locale.ROOT, "%.2fms", sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6);
    }
}
