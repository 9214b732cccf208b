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

    /** Both lists, de-duplicated, first's order first. */
    static List<String> union(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return new ArrayList<>(out);
    }
}
