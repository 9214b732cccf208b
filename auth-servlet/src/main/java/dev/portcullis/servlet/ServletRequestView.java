package dev.portcullis.servlet;

import dev.portcullis.auth.HttpRequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;

/** A servlet request as {@link HttpRequestView}; translation only. */
final class ServletRequestView implements HttpRequestView {
    private final HttpServletRequest request;
    private boolean bodyRead;

    ServletRequestView(HttpServletRequest request) {
        this.request = request;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    /**
     * The undecoded request URI, without the context path: what the application's servlets are mapped against. The
     * whole URI when it does not begin with the context path {@linkplain #contextPathAsWritten() as written}.
     */
    @Override
    public String rawPath() {
        String uri = request.getRequestURI();
        return contextPathAsWritten() ? uri.substring(request.getContextPath().length()) : uri;
    }

    /**
     * Whether the request URI begins with the context path as the container reports it, so that the rest is the path
     * the application sees. Jetty chooses the context by the decoded, normalised path and reports its configured
     * path: {@code /%61pp/v2/…} or {@code /x/../app/v2/…} reach the context {@code /app}, whose application sees
     * {@code /v2/…}, while the URI as written does not begin with {@code /app}.
     */
    @Override
    public String mountPath() {
        return request.getContextPath();
    }

    boolean contextPathAsWritten() {
        String context = request.getContextPath();
        if (context.isEmpty()) {
            return true;
        }
        String uri = request.getRequestURI();
        return uri.startsWith(context) && (uri.length() == context.length() || uri.charAt(context.length()) == '/');
    }

    @Override
    public String rawQuery() {
        return request.getQueryString();
    }

    @Override
    public List<String> headers(String name) {
        return Collections.list(request.getHeaders(name));
    }

    @Override
    public String remoteAddress() {
        return request.getRemoteAddr();
    }

    @Override
    public boolean secure() {
        return request.isSecure();
    }

    @Override
    public byte[] body(int limit) throws IOException {
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            bodyRead = body.length <= limit;
            return body;
        }
    }

    /**
     * Whether the request came with a body that was not read to its end (none was asked for, or it was over the
     * limit).
     */
    boolean bodyLeftUnread() {
        return !bodyRead && (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null);
    }

    @Override
    public java.util.List<java.security.cert.X509Certificate> clientCertificates() {
        // the Servlet specification's attribute: the chain the container's TLS layer accepted, leaf first
        return request.getAttribute("jakarta.servlet.request.X509Certificate") instanceof java.security.cert.X509Certificate[] chain
                ? java.util.List.of(chain) : java.util.List.of();
    }
}
