package dev.portcullis.auth;

import java.net.URI;
import java.util.List;

/**
 * The CSRF hook for state-changing requests authenticated by a session cookie: allowed when the
 * request carries the custom header {@code X-Portcullis-Csrf} (browsers never add it cross-site
 * without CORS), or an {@code Origin}/{@code Referer} whose host matches the request's {@code Host}.
 * Basic and Bearer credentials, which a browser also sends by itself once a user typed them into its prompt, are
 * refused only when the request says a page of another site sent it ({@link #refuses}).
 */
final class CsrfCheck {
    /** What a refused request is told. */
    static final String REFUSAL = "cross-site request refused: send the X-Portcullis-Csrf header or a same-origin Origin";

    private CsrfCheck() {
    }

    /**
     * Whether a state-changing request by {@code caller} is refused as cross-site: with a session cookie unless it
     * {@link #passes}; with other credentials when another site's page could have sent it without asking: a POST with
     * a form's content type (what a form, or a script without CORS, can send) that carries an {@code Origin} of another
     * host and not the header. Anything else a browser sends cross-site only after a CORS preflight the application
     * answered (a registry UI elsewhere, say); non-browser clients send no {@code Origin}.
     */
    static boolean refuses(HttpRequestView request, Identity caller) {
        if (caller.method() == Identity.AuthMethod.SESSION) {
            return !passes(request);
        }
        return request.method().equals("POST") && formContentType(request) && !request.headers("Origin").isEmpty() && !passes(request);
    }

    /** No content type, or one a form may send. */
    private static boolean formContentType(HttpRequestView request) {
        List<String> type = request.headers("Content-Type");
        if (type.isEmpty()) {
            return true;
        }
        String media = type.get(0).split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        return media.equals("application/x-www-form-urlencoded") || media.equals("multipart/form-data") || media.equals("text/plain");
    }

    static boolean passes(HttpRequestView request) {
        if (!request.headers("X-Portcullis-Csrf").isEmpty()) {
            return true;
        }
        List<String> host = request.headers("Host");
        if (host.size() != 1) {
            return false;
        }
        List<String> origin = request.headers("Origin");
        String source = !origin.isEmpty() ? origin.get(0) : request.headers("Referer").stream().findFirst().orElse(null);
        if (source == null || source.equals("null")) {
            return false;
        }
        try {
            URI uri = URI.create(source);
            String authority = uri.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.get(0));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
