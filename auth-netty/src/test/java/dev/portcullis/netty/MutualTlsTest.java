package dev.portcullis.netty;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.MutualTlsChecks;
import dev.portcullis.auth.conformance.Tags;
import dev.portcullis.auth.conformance.TestPki;
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
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Client certificates as credentials (zot's mTLS) over real TLS on Netty: the handler reads the SslHandler's peer. */
class MutualTlsTest {
    @Test
    void theHandlerReadsTheClientCertificateOfTheSslHandler() throws Exception {
        Portcullis portcullis = MutualTlsChecks.portcullis();
        TestPki.Issued server = MutualTlsChecks.SERVER;
        SslContext tls = SslContextBuilder.forServer(server.key().getPrivate(), server.certificate(), server.issuer())
                .trustManager(MutualTlsChecks.CLIENTS.certificate(), MutualTlsChecks.OTHER.certificate()).clientAuth(ClientAuth.OPTIONAL).build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ExecutorService blocking = Executors.newFixedThreadPool(2);
        try {
            Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc())).addLast(new HttpServerCodec())
                                    .addLast(new PortcullisHttpHandler(portcullis, blocking)).addLast(new HttpObjectAggregator(1 << 20))
                                    .addLast(new EchoRegistryHandler(portcullis, new Tags()));
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            MutualTlsChecks.check(((InetSocketAddress) channel.localAddress()).getPort());
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
            blocking.shutdownNow();
        }
    }
}
