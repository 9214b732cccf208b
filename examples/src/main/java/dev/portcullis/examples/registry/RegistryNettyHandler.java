package dev.portcullis.examples.registry;

import dev.portcullis.auth.WriteCondition;
import dev.portcullis.netty.PortcullisHttpHandler;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The Netty front end, after {@link PortcullisHttpHandler} and an aggregator: the request was
 * allowed; storage work runs on {@code blocking}, never on the event loop. Pipelined requests
 * wait in {@link PortcullisHttpHandler} until this one's response is written.
 */
final class RegistryNettyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final RegistryApi api;
    private final Executor blocking;

    RegistryNettyHandler(RegistryApi api, Executor blocking) {
        super(false);
        this.api = api;
        this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        var identity = ctx.channel().attr(PortcullisHttpHandler.IDENTITY).get();
        Set<String> denied = ctx.channel().attr(PortcullisHttpHandler.DENIED_MOUNTS).get();
        List<WriteCondition> conditions = ctx.channel().attr(PortcullisHttpHandler.WRITE_CONDITIONS).get();
        String uri = request.uri();
        int q = uri.indexOf('?');
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        blocking.execute(() -> {
            RegistryApi.Response out;
            try {
                out = api.handle(new RegistryApi.Request(request.method().name(), HttpRequests.path(q < 0 ? uri : uri.substring(0, q)),
                        HttpRequests.query(q < 0 ? null : uri.substring(q + 1)), request.headers()::get,
                        new ByteBufInputStream(request.content()), identity, denied == null ? Set.of() : denied,
                        conditions == null ? List.of() : conditions));
            } catch (RuntimeException e) {
                out = RegistryApi.error(500, "UNKNOWN", "the registry failed");
            } finally {
                request.release();
            }
            RegistryApi.Response response = out;
            ctx.executor().execute(() -> write(ctx, response, keepAlive, head));
        });
    }

    private static void write(ChannelHandlerContext ctx, RegistryApi.Response out, boolean keepAlive, boolean head) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(out.status());
        ChannelFuture done;
        if (out.file() != null && !head) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            out.headers().forEach((k, v) -> response.headers().set(k, v));
            HttpUtil.setContentLength(response, out.fileLength());
            setKeepAlive(response, keepAlive);
            ctx.write(response);
            ctx.write(new DefaultFileRegion(out.file().toFile(), 0, out.fileLength()));
            done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    head || out.body() == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(out.body()));
            out.headers().forEach((k, v) -> response.headers().set(k, v));
            HttpUtil.setContentLength(response, out.file() != null ? out.fileLength() : out.body().length);
            setKeepAlive(response, keepAlive);
            done = ctx.writeAndFlush(response);
        }
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void setKeepAlive(HttpResponse response, boolean keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }
}
