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

    /** The undecoded request URI, without the context path: what the application's servlets are mapped against. */
    @Override
    public String rawPath() {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
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

    /** Whether the request came with a body that was not read to its end (none was asked for, or it was over the limit). */
    boolean bodyLeftUnread() {
        return !bodyRead && (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null);
    }
}
