package dev.portcullis.netty;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
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
import java.util.Set;
import java.util.TreeSet;

/**
 * The conformance suite's application on Netty: echoes who Portcullis let through, and the byte
 * count and SHA-256 of the body it received (for streaming tests). Works with or without an
 * aggregator in front of it.
 */
final class EchoRegistryHandler extends SimpleChannelInboundHandler<HttpObject> {
    private final Portcullis portcullis;
    private final Tags tags;
    private HttpRequest request;
    private MessageDigest digest;
    private long bytes;
    private java.io.ByteArrayOutputStream manifest; // a PUT's body, for the tags

    EchoRegistryHandler(Portcullis portcullis, Tags tags) {
        this.portcullis = portcullis;
        this.tags = tags;
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
        if (manifest != null) {
            java.util.Optional<Outcome.Respond> refusal = tags.push(request.uri(), ctx.channel().attr(PortcullisHttpHandler.WRITE_CONDITIONS).get(),
                    manifest.toString(StandardCharsets.UTF_8));
            if (refusal.isPresent()) {
                write(ctx, PortcullisHttpHandler.response(refusal.get()));
                return;
            }
        }
        Identity identity = ctx.channel().attr(PortcullisHttpHandler.IDENTITY).get();
        String body;
        if (request.uri().startsWith("/v2/_catalog")) {
            body = "{\"repositories\":[" + String.join(",", portcullis.filterCatalog(identity, HttpConformanceSuite.CATALOG).stream()
                    .map(r -> "\"" + r + "\"").toList()) + "]}";
        } else if (request.uri().startsWith("/upload")) {
            body = "bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(digest.digest());
        } else {
            Set<String> denied = ctx.channel().attr(PortcullisHttpHandler.DENIED_MOUNTS).get();
            body = "user=" + (identity == null ? "anonymous" : identity.name()) + " mountsDenied="
                    + String.join(",", new TreeSet<>(denied == null ? Set.of() : denied));
        }
        HttpResponseStatus status = switch (request.method().name()) {
            case "PUT", "POST" -> HttpResponseStatus.CREATED;
            case "PATCH", "DELETE" -> HttpResponseStatus.ACCEPTED;
            default -> HttpResponseStatus.OK;
        };
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
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
