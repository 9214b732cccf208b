package dev.portcullis.auth.routes;

import java.util.List;
import java.util.Map;

/**
 * A request's method, its decoded and validated path, and its query parameters (decoded).
 *
 * @param path the path exactly as the container dispatches it, already checked by {@link RequestPaths}
 */
public record RequestTarget(String method, String path, Map<String, List<String>> query) {
    public RequestTarget {
        query = Map.copyOf(query);
    }

    public List<String> parameters(String name) {
        return query.getOrDefault(name, List.of());
    }
}
