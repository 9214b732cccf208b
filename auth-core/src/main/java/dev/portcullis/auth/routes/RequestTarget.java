package dev.portcullis.auth.routes;

import java.util.List;
import java.util.Map;

/**
 * A request's method, its decoded and validated path, and its query parameters (decoded).
 *
 * @param method the request method, such as {@code GET}, as sent
 * @param path the path exactly as the container dispatches it, already checked by {@link RequestPaths}
 * @param query each parameter's decoded name and its decoded values, in order; empty without a query
 */
public record RequestTarget(String method, String path, Map<String, List<String>> query) {
    /**
     * Keeps a copy of the query's map; the lists of values are kept as they are.
     *
     * @param method the request method, as sent
     * @param path the checked, decoded path
     * @param query each parameter's values, as {@link RequestPaths#query} parses them
     * @throws NullPointerException when {@code query}, or a name or list in it, is null
     */
    public RequestTarget {
        query = Map.copyOf(query);
    }

    /**
     * Every value of one query parameter.
     *
     * @param name the decoded parameter name, such as {@code tag}
     * @return its decoded values in the order sent, an empty string for a parameter without {@code =}; an empty list
     *     when it is absent
     */
    public List<String> parameters(String name) {
        return query.getOrDefault(name, List.of());
    }
}
