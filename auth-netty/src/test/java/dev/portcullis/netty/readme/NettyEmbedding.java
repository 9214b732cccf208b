package dev.portcullis.netty.readme;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.netty.PortcullisHttpHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Netty embeddings of the README ({@code readme PORT}) and of docs/embedding.md ({@code reference PORT}, with the
 * optional handlers), word for word, as a program: run it in a directory holding config.json. It prints the port once
 * it listens on 127.0.0.1.
 */
public final class NettyEmbedding {
    private NettyEmbedding() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        Storage storage = new Storage(Set.of("team/app:1.0"));
        if (args[0].equals("readme")) {
            readme(storage, port);
        } else {
            reference(storage, port);
        }
        System.out.println("listening on " + port);
    }

    /** The README's: {@code portcullis} built as for Jetty, no aggregator. */
    private static void readme(Storage storage, int port) throws InterruptedException {
        Portcullis portcullis = PortcullisConfig.load(Path.of("config.json")).builder()
                .existence((repository, tag) -> storage.tagExists(repository, tag))   // create vs update
                .build();
        // bounded, not an event loop: Argon2, bcrypt, the key store and your tag lookup run here
        ThreadPoolExecutor blocking = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000));
        new ServerBootstrap()
            .group(new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory()))
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                      .addLast(new HttpServerCodec())
                      .addLast(new PortcullisHttpHandler(portcullis, blocking))   // one instance per channel
                      .addLast(new RegistryHandler());
                }
            })
            .bind("127.0.0.1", port).sync();
    }

    /** docs/embedding.md's: with an Expect: 100-continue handler and an aggregator behind Portcullis. */
    private static void reference(Storage storage, int port) throws InterruptedException {
        Portcullis portcullis = PortcullisConfig.load(Path.of("config.json")).builder()
                .existence((repository, tag) -> storage.tagExists(repository, tag))
                .build();
        // bounded, not an event loop: Argon2, bcrypt, the key store and your tag lookup run here
        ThreadPoolExecutor blocking = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000));

        new ServerBootstrap()
            .group(new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory()))
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                      .addLast(new HttpServerCodec())
                      .addLast(new PortcullisHttpHandler(portcullis, blocking))   // one instance per channel
                      .addLast(new HttpServerExpectContinueHandler())             // optional: 100 only after an allow
                      .addLast(new HttpObjectAggregator(1 << 20))                 // optional
                      .addLast(new RegistryHandler());
                }
            })
            .bind("127.0.0.1", port).sync();
    }
}
