package dev.portcullis.examples.registry;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.netty.PortcullisHttpHandler;
import dev.portcullis.policy.Behaviour;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The Netty front end, after {@link PortcullisHttpHandler}: the request was allowed; storage work runs on
 * {@code blocking}, never on the event loop. No request is held whole in memory: a request whose answer needs its body
 * (a write) streams it to the API through a {@link StreamedBody}, which pauses the connection while
 * the API is behind; any other body is released as it arrives. Pipelined requests wait in
 * {@link PortcullisHttpHandler} until this one's response is written.
 */
final class RegistryNettyHandler extends ChannelInboundHandlerAdapter {
    private final StoreApi api;
    private final Executor blocking;
    private @Nullable StreamedBody body; // the current request's, while it may still get content; null: content is released

    RegistryNettyHandler(StoreApi api, Executor blocking) {
        this.api = api;
        this.blocking = blocking;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            start(ctx, request);
        }
        if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (body != null) {
                body.offer(content.content().retain(), last);
            }
            if (last) {
                body = null;
            }
        }
        ReferenceCountUtil.release(msg);
    }

    private void start(ChannelHandlerContext ctx, HttpRequest request) {
        var identity = ctx.channel().attr(PortcullisHttpHandler.IDENTITY).get();
        Set<String> denied = ctx.channel().attr(PortcullisHttpHandler.DENIED_MOUNTS).get();
        List<WriteCondition> conditions = ctx.channel().attr(PortcullisHttpHandler.WRITE_CONDITIONS).get();
        Set<Behaviour> behaviours = ctx.channel().attr(PortcullisHttpHandler.BEHAVIOURS).get();
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = HttpRequests.path(q < 0 ? uri : uri.substring(0, q));
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        StreamedBody in = api.readsBody(request.method().name(), path) ? new StreamedBody(ctx.channel()) : null;
        body = in;
        blocking.execute(() -> {
            StoreApi.Response out;
            try (InputStream content = in != null ? in : InputStream.nullInputStream()) {
                out = api.handle(new StoreApi.Request(request.method().name(), path, HttpRequests.query(q < 0 ? null : uri.substring(q + 1)),
                        request.headers()::get, content, identity, denied == null ? Set.of() : denied, conditions == null ? List.of() : conditions,
                        behaviours == null ? Set.of() : behaviours));
            } catch (IOException | RuntimeException e) {
                out = api.failure("the store failed");
            }
            StoreApi.Response response = out;
            ctx.executor().execute(() -> write(ctx, response, keepAlive, head));
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (body != null) {
            body.abort(); // the API reads what came, then the end
            body = null;
        }
        super.channelInactive(ctx);
    }

    private static void write(ChannelHandlerContext ctx, StoreApi.Response out, boolean keepAlive, boolean head) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(out.status());
        ChannelFuture done;
        if (out.file() != null && !head) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            out.headers().forEach((k, v) -> response.headers().set(k, v));
            HttpUtil.setContentLength(response, out.fileLength());
            setKeepAlive(response, keepAlive);
            ctx.write(response);
            if (ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null) {
                ctx.write(new DefaultFileRegion(out.file().toFile(), 0, out.fileLength())); // zero-copy
            } else {
                try { // TLS encrypts every byte: the file in chunks, through the ChunkedWriteHandler the TLS pipeline has
                    ctx.write(new io.netty.handler.stream.ChunkedFile(new java.io.RandomAccessFile(out.file().toFile(), "r"), 0,
                            out.fileLength(), 64 * 1024));
                } catch (java.io.IOException e) {
                    ctx.close(); // the head is sent: the client sees the body end early
                    return;
                }
            }
            done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            byte[] body = out.body() == null ? new byte[0] : out.body();
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            out.headers().forEach((k, v) -> response.headers().set(k, v));
            HttpUtil.setContentLength(response, out.file() != null ? out.fileLength() : body.length);
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
