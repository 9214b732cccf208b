package dev.portcullis.netty;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.Tags;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A real Netty HTTP server on 127.0.0.1 with Portcullis in front of {@link EchoRegistryHandler}. */
final class NettyServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ThreadPoolExecutor blocking = new ThreadPoolExecutor(2, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000));
    private final Channel channel;

    NettyServer(Portcullis portcullis, boolean aggregate) throws InterruptedException {
        this(portcullis, aggregate, new Tags());
    }

    NettyServer(Portcullis portcullis, boolean aggregate, Tags tags) throws InterruptedException {
        this(portcullis, aggregate, tags, PortcullisHttpHandler.DEFAULT_TIMEOUT, PortcullisHttpHandler.DEFAULT_TIMEOUT);
    }

    NettyServer(Portcullis portcullis, boolean aggregate, Tags tags, java.time.Duration headTimeout, java.time.Duration idleTimeout)
            throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec()).addLast(new PortcullisHttpHandler(portcullis, blocking, headTimeout, idleTimeout))
                                .addLast(new HttpServerExpectContinueHandler());
                        if (aggregate) {
                            ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
                        }
                        ch.pipeline().addLast(new EchoRegistryHandler(portcullis, tags));
                    }
                });
        channel = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() throws Exception {
        channel.close().sync();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        blocking.shutdownNow();
    }
}
