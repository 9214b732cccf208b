package dev.portcullis.netty;

import dev.portcullis.auth.HttpRequestView;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** A Netty request head (and, for built-in endpoints, its collected body) as {@link HttpRequestView}; translation only. */
final class NettyRequestView implements HttpRequestView {
    private final HttpRequest request;
    private final Channel channel;
    private final byte[] body;
    private final String remoteAddress;
    private final String rawPath;
    private final String rawQuery;

    NettyRequestView(HttpRequest request, Channel channel, byte[] body, String remoteAddress) {
        this.request = request;
        this.channel = channel;
        this.body = body;
        this.remoteAddress = remoteAddress;
        String uri = request.uri();
        int q = uri.indexOf('?');
        this.rawPath = q < 0 ? uri : uri.substring(0, q);
        this.rawQuery = q < 0 ? null : uri.substring(q + 1);
    }

    static String format(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public List<String> headers(String name) {
        return request.headers().getAll(known(name));
    }

    /** Netty's constant for the names the pipeline asks for on every request: its hash is computed once, not per lookup. */
    private static CharSequence known(String name) {
        // the pipeline passes literals, which equals finds at the first comparison, by reference
        if (name.equals("Host")) {
            return HttpHeaderNames.HOST;
        }
        if (name.equals("Authorization")) {
            return HttpHeaderNames.AUTHORIZATION;
        }
        return name.equals("Cookie") ? HttpHeaderNames.COOKIE : name;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public boolean secure() {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    @Override
    public byte[] body(int limit) {
        return body.length > limit + 1 ? java.util.Arrays.copyOf(body, limit + 1) : body;
    }
}
