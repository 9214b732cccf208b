package dev.portcullis.auth.oidc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Fuzzes {@code callback_ui}, where the browser goes after login: whatever is asked for, the answer is
 * {@code /}, a same-site path (never {@code //host} or a backslash trick), or an absolute http(s) URL on
 * the registry's own origin or an allowed one, as {@link URI} reads it too. No open redirect.
 */
class CallbackUiFuzzTest {
    private static final String EXTERNAL = "https://registry.example.com";
    private static final List<String> ALLOWED = List.of("https://ui.example.com:8443");

    @FuzzTest(maxDuration = "30s")
    void neverRedirectsOffSite(@NotNull String callbackUi) {
        String safe = CallbackUi.safe(callbackUi, EXTERNAL, ALLOWED);
        for (char c : safe.toCharArray()) {
            if (c <= 0x20 || c >= 0x7f || c == '\\') {
                throw new AssertionError("unsafe character in " + safe);
            }
        }
        if (safe.startsWith("/")) {
            if (safe.startsWith("//")) {
                throw new AssertionError("protocol-relative redirect " + safe);
            }
            String path = safe.split("[?#]", 2)[0].toLowerCase(Locale.ROOT);
            if (path.contains("%5c") || path.contains("%2f")) {
                throw new AssertionError("an encoded separator in the path: " + safe);
            }
            return;
        }
        URI uri = URI.create(safe);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() == -1 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
        String origin = scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        if (!origin.equals("https://registry.example.com:443") && !origin.equals("https://ui.example.com:8443") || uri.getRawUserInfo() != null) {
            throw new AssertionError("redirect off site: " + callbackUi + " -> " + safe);
        }
    }
}
