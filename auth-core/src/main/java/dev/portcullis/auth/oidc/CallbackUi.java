package dev.portcullis.auth.oidc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * zot's rule for where to send the browser after login ({@code callback_ui}): a relative path with
 * a single leading {@code /} (no {@code //}, no backslash, only visible ASCII, and no backslash or
 * slash percent-encoded in its path, nor a broken escape there), or an absolute http(s) URL whose
 * origin is the registry's external URL or an allowed origin. Anything else → {@code /}.
 */
final class CallbackUi {
    private CallbackUi() {
    }

    static String safe(@Nullable String callbackUi, String externalUrl, Collection<String> allowedOrigins) {
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
            return callbackUi.startsWith("//") || encodesASeparator(callbackUi) ? "/" : callbackUi;
        }
        String origin = origin(callbackUi);
        if (origin == null) {
            return "/";
        }
        if (externalUrl != null && origin.equals(origin(externalUrl))) {
            return callbackUi;
        }
        for (String allowed : allowedOrigins) {
            if (origin.equals(origin(allowed.strip()))) {
                return callbackUi;
            }
        }
        return "/";
    }

    /**
     * Whether the path of a relative URL (up to its query or fragment) holds a percent-encoded {@code \} or {@code /}
     * ({@code %5C}, {@code %2F}, either case), or a {@code %} that is no escape. zot decodes the path and refuses a
     * backslash in it; a server or proxy that decodes before it routes could turn either into {@code //evil.example}.
     */
    private static boolean encodesASeparator(String relative) {
        for (int i = 0; i < relative.length(); i++) {
            char c = relative.charAt(i);
            if (c == '?' || c == '#') {
                return false;
            }
            if (c == '%') {
                int hi = i + 2 < relative.length() ? Character.digit(relative.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(relative.charAt(i + 2), 16);
                if (lo < 0 || hi * 16 + lo == '\\' || hi * 16 + lo == '/') {
                    return true;
                }
            }
        }
        return false;
    }

    /** scheme://host[:port] in lower case, default ports dropped; null unless an absolute http(s) URL. */
    static @Nullable String origin(String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getRawUserInfo() != null) {
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
