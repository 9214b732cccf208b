package dev.portcullis.netty;

import dev.portcullis.auth.Outcome;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Writes an answer of the pipeline's on the channel: without a body for {@code HEAD}, with the {@code Connection} header
 * the exchange calls for, after its delay (scheduled on the event loop, never holding a thread), and then closing the
 * connection when the exchange says so.
 */
final class ResponseWriter {
    private ResponseWriter() {
    }

    /** The answer as a Netty response: status, headers, cookies, content type and length, and the body. */
    static FullHttpResponse response(Outcome.Respond r) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        r.headers().forEach((k, v) -> response.headers().set(k, v));
        r.cookies().forEach(c -> response.headers().add(HttpHeaderNames.SET_COOKIE, c));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        return response;
    }

    /**
     * @param bodyStillComing whether the request's body is still being read (and released) when the answer is out
     * @param written run once the answer is written
     */
    static void write(ChannelHandlerContext ctx, Exchange exchange, Outcome.Respond answer, BooleanSupplier bodyStillComing, Runnable written) {
        FullHttpResponse response = response(answer);
        if (exchange.head.method().equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        if (exchange.closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.head.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        // written from the handler, so it does not pass through the handler's own write(): marked done here
        Runnable write = () -> ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            if (exchange.closeAfterResponse) {
                if (bodyStillComing.getAsBoolean() && f.isSuccess() && f.channel() instanceof DuplexChannel duplex && !duplex.isInputShutdown()) {
                    // the client may still be sending the body: closing with it unread would reset the connection, and
                    // the client might never read this answer. The answer's end is signalled; the rest is read and
                    // released (the handler closes at its end, or the client closes first)
                    duplex.shutdownOutput();
                } else {
                    f.channel().close();
                }
            }
            written.run();
        });
        long delayMillis = answer.delay().toMillis();
        if (delayMillis > 0) {
            ctx.executor().schedule(write, delayMillis, TimeUnit.MILLISECONDS);
        } else {
            write.run();
        }
    }
}
