package dev.portcullis.auth.oidc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads claims by path: a claim name as-is ({@code email}, {@code https://example.com/groups}), or
 * a dotted path into nested objects ({@code realm_access.roles},
 * {@code resource_access.registry.roles}). A name that exists as-is wins over a dotted reading.
 */
final class Claims {
    private Claims() {
    }

    static Optional<Object> at(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return Optional.ofNullable(claims.get(path));
        }
        Object node = claims;
        for (String part : path.split("\\.", -1)) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
                return Optional.empty();
            }
            node = map.get(part);
        }
        return Optional.ofNullable(node);
    }

    /** A non-empty string claim. */
    static Optional<String> string(Map<String, Object> claims, String path) {
        return at(claims, path).filter(v -> v instanceof String s && !s.isBlank()).map(String.class::cast);
    }

    /** A string or an array of strings (others ignored), de-duplicated in order. */
    static List<String> strings(Map<String, Object> claims, String path) {
        Object v = at(claims, path).orElse(null);
        Set<String> out = new LinkedHashSet<>();
        if (v instanceof String s && !s.isBlank()) {
            out.add(s);
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (o instanceof String s && !s.isBlank()) {
                    out.add(s);
                }
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * A claim path as configured: {@code claims.} (zot's CEL spelling) is dropped; anything but a
     * plain path is refused, so that an expression is never silently read as a claim name.
     */
    static String path(String configured, String what) {
        String p = configured.strip();
        if (p.startsWith("claims.")) {
            p = p.substring("claims.".length());
        }
        if (!p.matches("[A-Za-z0-9_:/.-]+")) {
            throw new IllegalArgumentException(what + " '" + configured + "' is not a claim path such as groups or realm_access.roles"
                    + " (CEL expressions are not supported)");
        }
        return p;
    }

    /** Keys and tokens must come over https, except from this machine (tests, a provider on localhost). */
    static void requireSecure(String url, String what) {
        requireSecure(url, what, "anyone on the way could hand out their own signing keys");
    }

    /** {@code url} must be https, or http on a loopback address; {@code why} says what plain http would give away. */
    static void requireSecure(String url, String what, String why) {
        java.net.URI u;
        try {
            u = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + url + "' is not a URL");
        }
        String host = u.getHost() == null ? "" : u.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        if (!"https".equalsIgnoreCase(u.getScheme()) && !(loopback && "http".equalsIgnoreCase(u.getScheme()))) {
            throw new IllegalArgumentException(what + " '" + url + "' must be https (plain http is allowed only on this machine): " + why);
        }
    }

    /** Both lists, de-duplicated, first's order first. */
    static List<String> union(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return new ArrayList<>(out);
    }
}
