package dev.portcullis.netty;

import dev.portcullis.auth.HttpRequestView;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A Netty request head (and, for built-in endpoints, its collected body) as {@link HttpRequestView}; translation only. */
final class NettyRequestView implements HttpRequestView {
    private final HttpRequest request;
    private final Channel channel;
    private final byte[] body;
    private final String remoteAddress;
    private final String rawPath;
    private final @Nullable String rawQuery;
    private boolean scanned;
    private List<String> host = List.of();
    private List<String> authorization = List.of();

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

    /** The request target's path, without the query. */
    static String rawPath(HttpRequest request) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
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
    public @Nullable String rawQuery() {
        return rawQuery;
    }

    @Override
    public List<String> headers(String name) {
        // the pipeline passes literals, which equals finds at the first comparison, by reference
        boolean isHost = name.equals("Host");
        if (!isHost && !name.equals("Authorization")) {
            return request.headers().getAll(name.equals("Cookie") ? HttpHeaderNames.COOKIE : name);
        }
        if (!scanned) {
            scan();
        }
        return isHost ? host : authorization;
    }

    /**
     * Host and Authorization, which the pipeline asks for on every request, in one pass over the headers: cheaper than a
     * lookup of each by its case-insensitive hash, whose comparison of the names folded the case of every character.
     */
    private void scan() {
        scanned = true;
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = request.headers().iteratorCharSequence();
        while (entries.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = entries.next();
            CharSequence key = e.getKey();
            if (named(key, HOST, HttpHeaderNames.HOST)) {
                host = with(host, e.getValue());
            } else if (named(key, AUTHORIZATION, HttpHeaderNames.AUTHORIZATION)) {
                authorization = with(authorization, e.getValue());
            }
        }
    }

    /** Whether {@code key} is {@code name}: compared as bytes when spelt the usual way, else case-insensitively. */
    private static boolean named(CharSequence key, AsciiString usual, AsciiString name) {
        return key.length() == usual.length() && (usual.contentEquals(key) || name.contentEqualsIgnoreCase(key));
    }

    /** The names as clients spell them (and Netty's decoder keeps them); Netty's constants are lower case. */
    private static final AsciiString HOST = AsciiString.cached("Host");
    private static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");

    private static List<String> with(List<String> values, CharSequence value) {
        if (values.isEmpty()) {
            return List.of(value.toString());
        }
        List<String> more = new ArrayList<>(values);
        more.add(value.toString());
        return more;
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
    public List<java.security.cert.X509Certificate> clientCertificates() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<java.security.cert.X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof java.security.cert.X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return List.of(); // the client sent none
        }
    }

    @Override
    public byte[] body(int limit) {
        return body.length > limit + 1 ? java.util.Arrays.copyOf(body, limit + 1) : body;
    }
}
