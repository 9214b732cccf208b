package dev.portcullis.auth.oidc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;

/**
 * zot's rule for where to send the browser after login ({@code callback_ui}): a relative path with
 * a single leading {@code /} (no {@code //}, no backslash, only visible ASCII), or an absolute
 * http(s) URL whose origin is the registry's external URL or an allowed origin. Anything else → {@code /}.
 */
final class CallbackUi {
    private CallbackUi() {
    }

    static String safe(String callbackUi, String externalUrl, Collection<String> allowedOrigins) {
        if (callbackUi == null || callbackUi.isEmpty()) {
            return "/";
        }
        for (int i = 0; i < callbackUi.length(); i++) {
            char c = callbackUi.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\') {
                return "/"; // visible ASCII only: nothing a server could turn into a header break
            }
        }
        if (callbackUi.startsWith("/")) {
            return callbackUi.startsWith("//") ? "/" : callbackUi;
        }
        String origin = origin(callbackUi);
        if (origin == null) {
            return "/";
        }
        if (externalUrl != null && origin.equals(origin(externalUrl))) {
            return callbackUi;
        }
        for (String allowed : allowedOrigins) {
            if (origin.equals(origin(allowed))) {
                return callbackUi;
            }
        }
        return "/";
    }

    /** scheme://host[:port] in lower case, default ports dropped; null unless an absolute http(s) URL. */
    static String origin(String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null || u.getRawUserInfo() != null) {
                return null;
            }
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
