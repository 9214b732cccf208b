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
    private CsrfCheck() {
    }

    /**
     * Whether a state-changing request by {@code caller} is refused as cross-site: with a session cookie unless it
     * {@link #passes}; with other credentials when it carries an {@code Origin} of another host (what a browser sends
     * with another site's form or script) and not the header. Non-browser clients send no {@code Origin}.
     */
    static boolean refuses(HttpRequestView request, Identity caller) {
        if (caller.method() == Identity.AuthMethod.SESSION) {
            return !passes(request);
        }
        return !request.headers("Origin").isEmpty() && !passes(request);
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
