package dev.portcullis.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One keep-alive GET through a Netty pipeline in memory (an {@link EmbeddedChannel}: codec, what sits in Portcullis's
 * place, the hello application), request bytes in and response bytes out: the user-space work of the Netty hello server
 * per request without the kernel's, so that what a handler adds to it is measured alone, Netty's own work included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NettyPipelineBenchmark {
    /** What sits in Portcullis's place: nothing (plain), a handler that passes everything on, or Portcullis. */
    @Param({"plain", "passthrough", "portcullis"})
    public String mode;

    /** none, or apiKey: the key (cached after the first request) as a Basic password, which only Portcullis reads. */
    @Param({"none", "apiKey"})
    public String credentials;

    private NettyHelloServer.Parts parts;
    private EmbeddedChannel channel;
    private ByteBuf request;

    @Setup(Level.Trial)
    public void setUp() {
        parts = new NettyHelloServer.Parts(NettyHelloServer.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)), 0,
                Runnable::run); // a decision on the executor is made at once
        ChannelHandler[] handlers = parts.handlers().toArray(ChannelHandler[]::new);
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(new HttpServerCodec()).addLast(handlers);
        // the same bytes with and without Portcullis: where no key is checked, a made-up one of the same length
        String token = parts.token != null ? parts.token : "pck_" + "0".repeat(51);
        String authorization = credentials.equals("apiKey") ? "Authorization: Basic "
                + Base64.getEncoder().encodeToString(("ci:" + token).getBytes(StandardCharsets.UTF_8)) + "\r\n" : "";
        request = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(("GET /v2/team/app/manifests/latest HTTP/1.1\r\n"
                + "Host: 127.0.0.1:8080\r\n" + authorization + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i < 3; i++) { // the first key request is decided on the executor; then it is cached
            if (!get().contains("200 OK")) {
                throw new IllegalStateException("the benchmark's request is not answered 200");
            }
        }
    }

    private String get() {
        channel.writeInbound(request.retainedDuplicate());
        channel.runPendingTasks(); // the answer of a decision made on the executor
        ByteBuf out = channel.readOutbound();
        String text = out.toString(StandardCharsets.US_ASCII);
        out.release();
        return text;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        parts.close();
    }

    @Benchmark
    public int request() {
        channel.writeInbound(request.retainedDuplicate());
        ByteBuf out = channel.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
