package dev.portcullis.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import dev.portcullis.auth.apikey.KeyVerification;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Subject;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The token service of the Docker registry token flow at {@code {prefix}/token}: {@code GET} with {@code service},
 * {@code scope} (repeated, or several separated by spaces), {@code account} and {@code offline_token}, and Basic
 * credentials or none; and the OAuth2 {@code POST} form ({@code grant_type=password} or {@code refresh_token}). The
 * token grants what was asked and what the policy (and an API key's scopes) allow the caller: pull = read, push =
 * create or update, delete = delete, {@code *} = all three; each request with it is still decided in full. Wrong
 * credentials get 401, never an anonymous token. A refresh token is given only to a caller with an API key (it stands
 * while the key does), so that {@code docker login} stores it instead of the key.
 */
final class TokenEndpoint implements Endpoint {
    private final RegistryTokens tokens;
    private final @Nullable ApiKeyService keys;
    private final String path;

    TokenEndpoint(RegistryTokens tokens, @Nullable ApiKeyService keys, String prefix) {
        this.tokens = tokens;
        this.keys = keys;
        this.path = prefix + "/token";
    }

    @Override
    public boolean handles(String path) {
        return this.path.equals(path);
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
        String method = call.request().method();
        if (method.equals("GET")) {
            return get(call);
        }
        if (method.equals("POST")) {
            return post(call);
        }
        return call.refuse(405, "UNSUPPORTED", "the token service answers GET (Basic credentials or none) and POST (an OAuth2 form)");
    }

    private Outcome.Respond get(Call call) {
        Identity id = call.identity();
        if (id != null && id.method() == Identity.AuthMethod.REGISTRY_TOKEN) {
            return call.refuse(400, "UNSUPPORTED", "a registry token cannot be exchanged for another; send Basic credentials (or none)");
        }
        Outcome.Respond wrong = checkService(call, first(call.target().parameters("service")));
        if (wrong != null) {
            return wrong;
        }
        String account = first(call.target().parameters("account"));
        if (account != null && id != null && !account.equals(id.name())) {
            return call.refuse(400, "UNSUPPORTED", "account '" + account + "' is not the user the credentials authenticate");
        }
        boolean offline = "true".equalsIgnoreCase(first(call.target().parameters("offline_token")));
        return answer(call, id, call.target().parameters("scope"), offline, false);
    }

    private Outcome.Respond post(Call call) {
        Map<String, List<String>> form;
        try {
            form = form(call.body());
        } catch (IOException e) {
            return call.refuse(400, "UNSUPPORTED", "the token request's form could not be read: " + e.getMessage());
        }
        Outcome.Respond wrong = checkService(call, first(form.get("service")));
        if (wrong != null) {
            return wrong;
        }
        List<String> scopes = form.getOrDefault("scope", List.of());
        String grant = first(form.get("grant_type"));
        if ("password".equals(grant)) {
            String user = first(form.get("username"));
            String password = first(form.get("password"));
            if (user == null || user.isEmpty() || password == null) {
                return oauthError(call, 400, "invalid_request", "grant_type=password needs username and password");
            }
            Identity[] id = new Identity[1];
            Outcome.Respond refused = call.authenticateBasic(user, password, id);
            if (refused != null) {
                return refused;
            }
            if (id[0] == null) {
                return call.unauthorized("the user and password of the password grant are unknown");
            }
            return answer(call, id[0], scopes, "offline".equals(first(form.get("access_type"))), true);
        }
        if ("refresh_token".equals(grant)) {
            String refresh = first(form.get("refresh_token"));
            RegistryTokens.Token t = refresh == null ? null : tokens.verify(refresh, RegistryTokens.REFRESH);
            if (t == null || t.keyId() == null || t.subject() == null) {
                return oauthError(call, 401, "invalid_grant", "the refresh token is invalid or expired; log in again");
            }
            Optional<KeyVerification.Valid> key;
            try {
                key = keys == null ? Optional.empty() : keys.holder(t.keyId());
            } catch (ApiKeyStoreException e) {
                return call.refuse(503, "UNAVAILABLE", "the key store is unavailable");
            }
            if (key.isEmpty() || !key.get().key().owner().equals(t.subject())) {
                return oauthError(call, 401, "invalid_grant", "the API key the refresh token stands for is revoked or expired; log in again");
            }
            ApiKey k = key.get().key();
            Identity id = new Identity(k.owner(), key.get().groups(), Identity.AuthMethod.API_KEY, k.id(), k.scopes());
            return answer(call, id, scopes, false, true);
        }
        return oauthError(call, 400, "unsupported_grant_type", "grant_type must be password or refresh_token");
    }

    /** The token for {@code id} (null: anonymous) and the scopes asked; with a refresh token when asked and possible. */
    private Outcome.Respond answer(Call call, @Nullable Identity id, List<String> asked, boolean offline, boolean oauth) {
        List<RegistryTokens.Grant> granted = grants(call.policy(), id, asked);
        Instant now = tokens.now();
        Instant expires = bounded(now.plus(tokens.lifetime()), id);
        String token = tokens.mint(RegistryTokens.ACCESS, id, granted, expires);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (!oauth) {
            body.put("token", token);
        }
        body.put("access_token", token);
        body.put("expires_in", Math.max(0, Duration.between(now, expires).getSeconds()));
        body.put("issued_at", now.truncatedTo(ChronoUnit.SECONDS).toString());
        if (offline && id != null && id.method() == Identity.AuthMethod.API_KEY && id.keyId() != null) {
            body.put("refresh_token", tokens.mint(RegistryTokens.REFRESH, id, List.of(), bounded(now.plus(tokens.refreshLifetime()), id)));
        }
        if (oauth) {
            body.put("scope", String.join(" ", asked));
        }
        call.audit("registry token for " + (id == null ? "anonymous" : "'" + id.name() + "'") + ": " + (granted.isEmpty() ? "nothing granted"
                : "granted " + granted.stream().map(g -> g.type() + ":" + g.name() + ":" + String.join(",", new java.util.TreeSet<>(g.actions()))).toList()));
        return call.json(200, body);
    }

    /** A token of an API key ends when the key does. */
    private Instant bounded(Instant end, @Nullable Identity id) {
        if (keys != null && id != null && id.method() == Identity.AuthMethod.API_KEY && id.keyId() != null) {
            Optional<ApiKey> key = keys.find(id.keyId());
            Instant keyEnd = key.map(ApiKey::expiresAt).orElse(null);
            if (keyEnd != null && keyEnd.isBefore(end)) {
                return keyEnd;
            }
        }
        return end;
    }

    /** What the caller gets of what was asked: each action the policy (and the credential's scopes) allow. */
    static List<RegistryTokens.Grant> grants(AccessPolicy policy, @Nullable Identity id, List<String> asked) {
        Subject subject = id == null ? Subject.anonymous() : id.subject();
        Map<String, RegistryTokens.Grant> out = new LinkedHashMap<>();
        for (String value : asked) {
            for (String scope : value.trim().split(" +")) {
                int first = scope.indexOf(':');
                int last = scope.lastIndexOf(':');
                if (first <= 0 || last <= first + 1 || last == scope.length() - 1) {
                    continue; // not a scope: nothing granted for it
                }
                String type = scope.substring(0, first);
                int paren = type.indexOf('(');
                type = paren > 0 ? type.substring(0, paren) : type;
                String name = scope.substring(first + 1, last);
                Set<String> actions = new LinkedHashSet<>();
                for (String a : scope.substring(last + 1).split(",")) {
                    if (type.equals("repository") && RegistryTokens.isRepositoryName(name)) {
                        for (String each : a.equals("*") ? List.of("pull", "push", "delete") : List.of(a)) {
                            if (allows(policy, subject, id, name, each)) {
                                actions.add(each);
                            }
                        }
                    } else if (type.equals("registry") && name.equals("catalog") && a.equals("*")) {
                        actions.add("*"); // the catalog is filtered by the policy on each request
                    }
                }
                if (!actions.isEmpty()) {
                    String key = type + ":" + name;
                    RegistryTokens.Grant before = out.get(key);
                    if (before != null) {
                        actions.addAll(before.actions());
                    }
                    out.put(key, new RegistryTokens.Grant(type, name, actions));
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    /** pull: read; push: create or update (each write is decided as one or the other); delete: delete. */
    private static boolean allows(AccessPolicy policy, Subject subject, @Nullable Identity id, String repository, String tokenAction) {
        for (Action action : RegistryTokens.actions(tokenAction)) {
            if (policy.decide(subject, repository, action).allowed() && (id == null || id.scopesPermit(repository, action))) {
                return true;
            }
        }
        return false;
    }

    private Outcome.@Nullable Respond checkService(Call call, @Nullable String service) {
        if (service != null && !service.equals(tokens.service())) {
            return call.refuse(400, "UNSUPPORTED", "this token service is for service '" + tokens.service() + "', not '" + service + "'");
        }
        return null;
    }

    private static Outcome.Respond oauthError(Call call, int status, String error, String description) {
        call.audit("registry token refused: " + description);
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("error", error).put("error_description", description);
        return call.json(status, body);
    }

    private static @Nullable String first(@Nullable List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** An {@code application/x-www-form-urlencoded} body's fields, each value decoded as UTF-8. */
    static Map<String, List<String>> form(byte[] body) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return out;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw new IOException("a field is not URL-encoded: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
