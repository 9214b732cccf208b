package dev.portcullis.netty.readme;

import dev.portcullis.auth.Identity;
import dev.portcullis.netty.PortcullisHttpHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * The examples' registry on Netty: stores nothing, answers 201 to a PUT and 200 otherwise, and says who Portcullis let
 * through. Works with or without an aggregator in front of it.
 */
public final class RegistryHandler extends SimpleChannelInboundHandler<HttpObject> {
    private HttpRequest request;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpRequest r) {
            request = r;
        }
        if (msg instanceof LastHttpContent && request != null) {
            Identity identity = ctx.channel().attr(PortcullisHttpHandler.IDENTITY).get();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    request.method().equals(HttpMethod.PUT) ? HttpResponseStatus.CREATED : HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("user=" + (identity == null ? "anonymous" : identity.name()), StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            request = null;
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
