package dev.portcullis.netty;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.EchoApplication;
import dev.portcullis.auth.conformance.Tags;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The conformance suite's application ({@link EchoApplication}) on Netty, and the byte count and SHA-256 of the body
 * it received under {@code /upload} (for streaming tests). Works with or without an
 * aggregator in front of it.
 */
final class EchoRegistryHandler extends SimpleChannelInboundHandler<HttpObject> {
    private final EchoApplication application;
    private HttpRequest request;
    private MessageDigest digest;
    private long bytes;
    private java.io.ByteArrayOutputStream manifest; // a PUT's body, for the tags

    EchoRegistryHandler(Portcullis portcullis, Tags tags) {
        this.application = new EchoApplication(portcullis, tags);
    }

    /**
     * As an application would: a connection closed while Netty's aggregator holds a request it will never complete
     * (after it refused an {@code Expect}, it waits for a request it let through) just ends.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException) {
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
        if (msg instanceof HttpRequest r) {
            request = r;
            digest = MessageDigest.getInstance("SHA-256");
            bytes = 0;
            manifest = r.method().name().equals("PUT") ? new java.io.ByteArrayOutputStream() : null;
        }
        if (msg instanceof HttpContent content) {
            bytes += content.content().readableBytes();
            digest.update(content.content().nioBuffer());
            if (manifest != null) {
                content.content().getBytes(content.content().readerIndex(), manifest, content.content().readableBytes());
            }
        }
        if (!(msg instanceof LastHttpContent)) {
            return;
        }
        FullHttpResponse response;
        if (request.uri().startsWith("/upload")) {
            byte[] body = ("bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(digest.digest())).getBytes(StandardCharsets.UTF_8);
            HttpResponseStatus status = switch (request.method().name()) {
                case "PUT", "POST" -> HttpResponseStatus.CREATED;
                case "PATCH", "DELETE" -> HttpResponseStatus.ACCEPTED;
                default -> HttpResponseStatus.OK;
            };
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        } else {
            Identity identity = ctx.channel().attr(PortcullisHttpHandler.IDENTITY).get();
            Set<String> denied = ctx.channel().attr(PortcullisHttpHandler.DENIED_MOUNTS).get();
            List<Outcome.WriteCondition> conditions = ctx.channel().attr(PortcullisHttpHandler.WRITE_CONDITIONS).get();
            int q = request.uri().indexOf('?');
            EchoApplication.Answer a = application.answer(request.method().name(), q < 0 ? request.uri() : request.uri().substring(0, q), identity,
                    identity == null ? null : identity.name(), denied == null ? Set.of() : denied, conditions == null ? List.of() : conditions,
                    manifest == null ? new byte[0] : manifest.toByteArray());
            response = a.refusal().isPresent() ? PortcullisHttpHandler.response(a.refusal().get())
                    : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()), Unpooled.wrappedBuffer(a.body()));
        }
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        write(ctx, response);
    }

    private void write(ChannelHandlerContext ctx, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }
}
