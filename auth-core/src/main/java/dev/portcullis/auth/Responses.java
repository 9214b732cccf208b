package dev.portcullis.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Error responses: OCI error bodies on registry paths, a small JSON object elsewhere. */
final class Responses {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JSON_TYPE = "application/json; charset=utf-8";

    private Responses() {
    }

    static Outcome.Respond error(@Nullable String path, int status, String code, String message, @Nullable String reason, Map<String, String> headers,
                                 Duration delay) {
        ObjectNode body = JSON.createObjectNode();
        if (path != null && (path.startsWith("/v2/") || path.equals("/v2"))) {
            ArrayNode errors = body.putArray("errors");
            ObjectNode e = errors.addObject();
            e.put("code", code);
            e.put("message", message);
            if (reason == null) {
                e.putNull("detail");
            } else {
                e.putObject("detail").put("reason", reason);
            }
        } else {
            body.put("error", code.toLowerCase(java.util.Locale.ROOT));
            body.put("message", message);
            if (reason != null) {
                body.put("reason", reason);
            }
        }
        return json(status, body, headers, delay);
    }

    static Outcome.Respond json(int status, Object body, Map<String, String> headers, Duration delay) {
        return json(status, body, headers, java.util.List.of(), delay);
    }

    /** A JSON response that also sets cookies. */
    static Outcome.Respond json(int status, Object body, Map<String, String> headers, java.util.List<String> cookies) {
        return json(status, body, headers, cookies, Duration.ZERO);
    }

    private static Outcome.Respond json(int status, Object body, Map<String, String> headers, java.util.List<String> cookies, Duration delay) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Cache-Control", "no-store");
        try {
            return new Outcome.Respond(status, all, cookies, JSON_TYPE, JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8), delay);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
