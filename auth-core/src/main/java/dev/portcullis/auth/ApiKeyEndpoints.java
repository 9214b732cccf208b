package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.auth.routes.RequestTarget;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * zot's API-key endpoints under {@code {prefix}/apikey}: POST creates (the only time the secret
 * is shown), GET lists, DELETE {@code ?id=} revokes; users manage their own keys, admins
 * ({@code adminPolicy}) may add {@code ?user=} for someone else's.
 */
final class ApiKeyEndpoints implements Endpoint {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiKeyEndpoints.class);

    private final ApiKeyService keys;
    private final String path;

    ApiKeyEndpoints(ApiKeyService keys, String prefix) {
        this.keys = keys;
        this.path = prefix + "/apikey";
    }

    @Override
    public boolean handles(String requestPath) {
        return requestPath.startsWith(path) && (requestPath.length() == path.length() || requestPath.charAt(path.length()) == '/');
    }

    @Override
    public boolean readsBody() {
        return true;
    }

    @Override
    public boolean authenticates() {
        return true;
    }

    @Override
    public Outcome.Respond handle(Call call) {
        Identity caller = call.identity();
        if (caller == null) {
            return call.unauthorized("managing API keys needs an authenticated user");
        }
        RequestTarget target = call.target();
        call.audit("API key endpoint " + target.method());
        String refusal = refusal(caller);
        if (refusal != null) {
            return error(target, 403, "DENIED", refusal);
        }
        if (!target.method().equals("GET") && CsrfCheck.refuses(call.request(), caller)) {
            return error(target, 403, "DENIED", CsrfCheck.REFUSAL);
        }
        try {
            return switch (target.method()) {
                case "POST" -> create(call, target, caller);
                case "GET" -> list(call, target, caller);
                case "DELETE" -> revoke(call, target, caller);
                default -> error(target, 405, "UNSUPPORTED", target.method() + " is not supported on " + target.path());
            };
        } catch (ApiKeyStoreException e) {
            LOG.error("API key endpoint: {} {} failed: {}", target.method(), target.path(), e.getMessage());
            return error(target, 503, "UNAVAILABLE", "the API key store is unavailable");
        }
    }

    /**
     * The expiry of a key {@code caller} creates: {@code requested}, but never beyond the expiry of the API key the caller
     * authenticated with, so a leaked key that expires cannot mint one that outlives it.
     */
    static @Nullable Instant notBeyondCaller(ApiKeyService keys, Identity caller, @Nullable Instant requested) {
        String keyId = caller.keyId();
        if (caller.method() != Identity.AuthMethod.API_KEY || keyId == null) {
            return requested;
        }
        Instant own = keys.find(keyId).map(ApiKey::expiresAt).orElse(null);
        return own != null && (requested == null || requested.isAfter(own)) ? own : requested;
    }

    /** Why this caller may not manage API keys at all, or null when it may. */
    static @Nullable String refusal(Identity caller) {
        if (!caller.scopes().isEmpty()) {
            // a restricted key must not mint (or manage) keys: that would shed its restrictions
            return "an API key with scopes cannot manage API keys; use an unrestricted credential";
        }
        if (caller.method() == Identity.AuthMethod.BEARER) {
            // a workload token lives minutes on purpose; it must not become a key that lives for months
            return "a bearer token (workload identity) cannot manage API keys; use a login session or a key";
        }
        return null;
    }

    private Optional<String> owner(Call call, RequestTarget target, Identity caller) {
        List<String> user = target.parameters("user");
        if (user.isEmpty() || user.get(0).equals(caller.name())) {
            return Optional.of(caller.name());
        }
        return call.policy().isAdmin(caller.subject()) ? Optional.of(user.get(0)) : Optional.empty();
    }

    private Outcome.Respond create(Call call, RequestTarget target, Identity caller) {
        byte[] body;
        try {
            body = call.body();
        } catch (IOException e) {
            return error(target, 400, "BAD_REQUEST", "cannot read the request body");
        }
        if (body.length > call.bodyLimit()) {
            return error(target, 413, "SIZE_INVALID", "the request body is larger than 8 KiB");
        }
        JsonNode json;
        try {
            json = body.length == 0 ? Responses.JSON.createObjectNode() : Responses.JSON.readTree(body);
        } catch (IOException e) {
            return error(target, 400, "BAD_REQUEST", "the body is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            return error(target, 400, "BAD_REQUEST", "the body must be a JSON object {\"label\", \"scopes\", \"expirationDate\"}");
        }
        String label = json.path("label").asText("");
        List<Scope> scopes = new ArrayList<>();
        JsonNode scopeNode = json.path("scopes");
        if (!scopeNode.isMissingNode() && !scopeNode.isNull()) {
            if (!scopeNode.isArray()) {
                return error(target, 400, "BAD_REQUEST", "scopes must be an array of \"PATTERN:ACTIONS\" strings");
            }
            for (JsonNode s : scopeNode) {
                try {
                    scopes.add(Scope.parse(s.asText()));
                } catch (IllegalArgumentException e) {
                    return error(target, 400, "BAD_REQUEST", String.valueOf(e.getMessage()));
                }
            }
        }
        Instant expires = null;
        String expiration = json.path("expirationDate").asText("");
        if (!expiration.isEmpty()) {
            try {
                expires = java.time.OffsetDateTime.parse(expiration).toInstant();
            } catch (DateTimeParseException e) {
                return error(target, 400, "BAD_REQUEST", "expirationDate must be an RFC 3339 time such as 2027-01-31T00:00:00Z");
            }
        }
        List<String> agent = call.request().headers("User-Agent");
        ApiKeyService.CreatedKey created;
        try {
            created = keys.create(new ApiKeyService.KeyRequest(caller.name(), caller.groups(), label, scopes,
                    notBeyondCaller(keys, caller, expires), agent.isEmpty() ? "" : agent.get(0)));
        } catch (IllegalArgumentException e) {
            return error(target, 400, "BAD_REQUEST", String.valueOf(e.getMessage()));
        }
        ObjectNode out = describe(created.key());
        out.put("apiKey", created.token());
        return Responses.json(201, out, Map.of(), Duration.ZERO);
    }

    private Outcome.Respond list(Call call, RequestTarget target, Identity caller) {
        Optional<String> owner = owner(call, target, caller);
        if (owner.isEmpty()) {
            return error(target, 403, "DENIED", "only admins may list another user's keys");
        }
        ObjectNode out = Responses.JSON.createObjectNode();
        ArrayNode array = out.putArray("apiKeys");
        keys.list(owner.get()).forEach(k -> array.add(describe(k)));
        return Responses.json(200, out, Map.of(), Duration.ZERO);
    }

    private Outcome.Respond revoke(Call call, RequestTarget target, Identity caller) {
        List<String> id = target.parameters("id");
        if (id.isEmpty() || id.get(0).isEmpty()) {
            return error(target, 400, "BAD_REQUEST", "give the key to revoke as ?id=");
        }
        Optional<ApiKey> key = keys.find(id.get(0));
        // unknown ids and other users' keys answer like zot: 200, nothing done, nothing revealed
        if (key.isPresent() && (key.get().owner().equals(caller.name()) || call.policy().isAdmin(caller.subject()))) {
            keys.revoke(id.get(0));
        }
        return Responses.json(200, Responses.JSON.createObjectNode(), Map.of(), Duration.ZERO);
    }

    private ObjectNode describe(ApiKey k) {
        ObjectNode o = Responses.JSON.createObjectNode();
        o.put("createdAt", k.createdAt().toString());
        if (k.expiresAt() == null) {
            o.putNull("expirationDate");
        } else {
            o.put("expirationDate", k.expiresAt().toString());
        }
        o.put("isExpired", k.isExpired(Instant.now()));
        o.put("creatorUa", k.creator());
        o.put("generatedBy", "manual");
        if (k.lastUsed() == null) {
            o.putNull("lastUsed");
        } else {
            o.put("lastUsed", k.lastUsed().toString());
        }
        o.put("label", k.label());
        ArrayNode scopes = o.putArray("scopes");
        k.scopes().forEach(s -> scopes.add(s.toString()));
        o.put("uuid", k.id());
        o.put("revoked", k.revoked());
        return o;
    }

    private static Outcome.Respond error(RequestTarget target, int status, String code, String message) {
        return Responses.error(target.path(), status, code, message, null, Map.of(), Duration.ZERO);
    }
}
