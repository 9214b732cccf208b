package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.routes.RequestPaths;
import dev.portcullis.auth.session.Session;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.policy.AccessPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-service page for people, at {@code {prefix}/} by default: log in, see who you are and what the policy
 * lets you do, mint and revoke your own API keys, log out. Server-rendered HTML that works without JavaScript; the
 * one inline script only adds copy buttons and a confirmation before revoking.
 *
 * <p>Every form carries a token derived from the credential the browser sends by itself (the sealed session cookie,
 * or the {@code Authorization} header of a browser's Basic login): a page of another site can neither read it nor
 * compute it, and replicas agree on it without sharing a key. Every value from a user, a key or the identity
 * provider is HTML-escaped; the Content-Security-Policy allows only this page's own style and script (by hash), so
 * markup that slipped through would still not run.
 */
final class SelfServicePage implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SelfServicePage.class);
    private static final String HTML_TYPE = "text/html; charset=utf-8";

    private final String path;
    private final String realm;
    private final @Nullable ApiKeyService keys;
    private final @Nullable OidcLogin oidc;
    private final @Nullable SessionCookies sessions;
    private final boolean passwordLogin;
    private final PageView pages;

    /**
     * @param path where the page lives (e.g. {@code /auth/})
     * @param passwordLogin whether to offer a browser's Basic login (htpasswd users, or API keys as the password)
     * @param registry the registry's host[:port] for the pages' command lines; null when unknown
     * @param anonymousPulls whether clients pull without logging in (the registry token flow), for a {@code docker pull} line
     */
    SelfServicePage(String path, String realm, String prefix, @Nullable ApiKeyService keys,
                    @Nullable OidcLogin oidc, @Nullable SessionCookies sessions, boolean passwordLogin, @Nullable String registry,
                    boolean anonymousPulls) {
        this.path = path;
        this.realm = realm;
        this.keys = keys;
        this.oidc = oidc;
        this.sessions = sessions;
        this.passwordLogin = passwordLogin;
        this.pages = new PageView(path, realm, prefix, keys, oidc, sessions, passwordLogin, registry, anonymousPulls);
    }

    /** Whether the request is for this page; also the path without its trailing slash, which redirects to it. */
    @Override
    public boolean handles(String requestPath) {
        return requestPath.equals(path)
                || path.endsWith("/") && requestPath.length() == path.length() - 1 && path.startsWith(requestPath);
    }

    @Override
    public boolean readsBody() {
        return true;
    }

    @Override
    public boolean authenticates() {
        return true;
    }

    /** The page, for the caller the pipeline authenticated; its forms are bound to the credential the browser sends by itself. */
    @Override
    public Outcome.Respond handle(Call call) {
        Identity identity = call.identity();
        Session session = null;
        String binding = null;
        SessionCookies sessions = this.sessions;
        if (identity != null && identity.method() == Identity.AuthMethod.SESSION && sessions != null) {
            Optional<String> sealed = sessions.sealedSession(call.presented().cookies());
            session = sealed.flatMap(sessions::open).orElse(null);
            binding = sealed.map(v -> "session " + v).orElse(null);
        } else if (identity != null) {
            // bound to the credential the browser sends by itself; an identity without an Authorization header (a client
            // certificate, say) leaves the forms nothing to bind to: refused, never bound to a constant anyone can compute
            String authorization = call.presented().singleAuthorization();
            binding = authorization == null ? null : "authorization " + authorization;
        }
        call.audit("self-service page " + call.target().method());
        return handle(call, identity, session, binding);
    }

    /**
     * What a person who opened the page sees: who they are and their keys, or how to log in.
     *
     * @param identity the caller, or null when anonymous
     * @param session the browser session, when the identity comes from one
     * @param binding what the form tokens are bound to: the credential the browser sends by itself, or null
     */
    private Outcome.Respond handle(Call call, @Nullable Identity identity, @Nullable Session session, @Nullable String binding) {
        HttpRequestView request = call.request();
        String requestPath = call.target().path();
        Map<String, List<String>> query = call.target().query();
        if (!requestPath.equals(path)) {
            return redirect(path);
        }
        String method = request.method();
        if (method.equals("GET") || method.equals("HEAD")) {
            if (query.containsKey("login") && identity == null && passwordLogin) {
                return new Outcome.Respond(401, headers(Refusals.challenge(realm)),
                        List.of(), HTML_TYPE, pages.page("Log in", PageView.message("error", "Log in with your registry user name and password "
                        + "(an API key works as the password).")), Duration.ZERO);
            }
            if (query.containsKey("login") && identity != null) {
                return redirect(path);
            }
            return render(call.policy(), 200, identity, session, binding, notice(query), null, null, PageView.Form.EMPTY);
        }
        if (!method.equals("POST")) {
            return new Outcome.Respond(405, headers(Map.of("Allow", "GET, HEAD, POST")), List.of(), HTML_TYPE,
                    pages.page("Not supported", PageView.message("error", method + " is not supported here.")),
                    Duration.ZERO);
        }
        return post(call, identity, session, binding);
    }

    private Outcome.Respond post(Call call, @Nullable Identity identity, @Nullable Session session, @Nullable String binding) {
        HttpRequestView request = call.request();
        Map<String, List<String>> form;
        try {
            byte[] body = call.body();
            if (body.length > call.bodyLimit()) {
                return render(call.policy(), 413, identity, session, binding, null, "The form is larger than 8 KiB; shorten the scopes or the label.",
                        null, PageView.Form.EMPTY);
            }
            form = RequestPaths.query(new String(body, StandardCharsets.UTF_8)).orElse(null);
        } catch (IOException e) {
            form = null;
        }
        if (form == null) {
            return render(call.policy(), 400, identity, session, binding, null, "The form could not be read; submit it again.", null, PageView.Form.EMPTY);
        }
        if (identity == null || binding == null) {
            return render(call.policy(), 401, null, null, null, null, "Your session has ended; log in again.", null, PageView.Form.EMPTY);
        }
        String token = first(form, "csrf");
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
                PageView.csrfToken(binding).getBytes(StandardCharsets.US_ASCII))) {
            LOG.warn("self-service page: a form from '{}' without this page's token was refused (another site's form, or a page "
                    + "older than the session)", identity.name());
            return render(call.policy(), 403, identity, session, binding, null,
                    "The form was refused because it did not come from this page (or the page is older than your session). "
                            + "Nothing was changed; reload the page and try again.", null, PageView.Form.EMPTY);
        }
        String action = first(form, "action");
        if ("logout".equals(action)) {
            return logout(session);
        }
        ApiKeyService keys = this.keys;
        if (keys == null) {
            return render(call.policy(), 404, identity, session, binding, null, "This registry has no API keys.", null, PageView.Form.EMPTY);
        }
        String refusal = ApiKeyEndpoints.refusal(identity);
        if (refusal != null) {
            return render(call.policy(), 403, identity, session, binding, null, refusal, null, PageView.Form.EMPTY);
        }
        try {
            if ("create".equals(action)) {
                return create(call.policy(), keys, request, identity, session, binding, form);
            }
            if ("revoke".equals(action)) {
                return revoke(keys, identity, first(form, "id"));
            }
        } catch (ApiKeyStoreException e) {
            LOG.error("self-service page: the API key store is unavailable: {}", e.getMessage());
            return render(call.policy(), 503, identity, session, binding, null, "The key store is unavailable right now; nothing was changed. "
                    + "Try again shortly.", null, form(form));
        }
        return render(call.policy(), 400, identity, session, binding, null, "Unknown form action; reload the page.", null, PageView.Form.EMPTY);
    }

    private Outcome.Respond create(AccessPolicy policy, ApiKeyService keys, HttpRequestView request, Identity identity, @Nullable Session session,
                                   String binding, Map<String, List<String>> values) {
        PageView.Form form = form(values);
        String label = form.label().strip();
        if (label.codePointCount(0, label.length()) > PageView.MAX_LABEL) {
            return render(policy, 400, identity, session, binding, null, "The label is longer than " + PageView.MAX_LABEL + " characters.", null, form);
        }
        List<Scope> scopes = new ArrayList<>();
        for (String line : form.scopes().split("\\R")) {
            if (!line.isBlank()) {
                try {
                    scopes.add(Scope.parse(line.strip()));
                } catch (IllegalArgumentException e) {
                    return render(policy, 400, identity, session, binding, null, String.valueOf(e.getMessage()), null, form);
                }
            }
        }
        if (!PageView.lifetimes(keys).contains(form.lifetime())) {
            // only what the page offers: a crafted form asking for a century, or beyond the registry's maximum, is refused
            return render(policy, 400, identity, session, binding, null, "Choose how long the key lives from the list.", null, form);
        }
        @Nullable Instant expires = form.lifetime().equals("never") ? null : Instant.now().plus(Duration.ofDays(Long.parseLong(form.lifetime())));
        List<String> agent = request.headers("User-Agent");
        ApiKeyService.CreatedKey created;
        try {
            created = keys.create(new ApiKeyService.KeyRequest(identity.name(), identity.groups(), label, scopes,
                    ApiKeyEndpoints.notBeyondCaller(keys, identity, expires), "self-service page" + (agent.isEmpty() ? "" : " (" + agent.get(0) + ")")));
        } catch (IllegalArgumentException e) {
            return render(policy, 400, identity, session, binding, null, String.valueOf(e.getMessage()), null, form);
        }
        LOG.info("self-service page: '{}' created API key {}", identity.name(), created.key().id());
        return render(policy, 200, identity, session, binding, null, null, created, PageView.Form.EMPTY);
    }

    private Outcome.Respond revoke(ApiKeyService keys, Identity identity, @Nullable String id) {
        if (id == null) {
            return redirect(path + "?notice=not-found");
        }
        Optional<ApiKey> key = keys.find(id);
        // only one's own keys here; an admin revokes others' keys through the API or the CLI
        if (key.isPresent() && key.get().owner().equals(identity.name())) {
            keys.revoke(id);
            LOG.info("self-service page: '{}' revoked API key {}", identity.name(), id);
            return redirect(path + "?notice=revoked");
        }
        return redirect(path + "?notice=not-found");
    }

    private Outcome.Respond logout(@Nullable Session session) {
        SessionCookies sessions = this.sessions;
        String location = session != null && oidc != null ? oidc.endSessionRedirect(session).orElse(null) : null;
        // without sessions (Basic credentials only) there is no cookie to clear: the browser forgets Basic credentials itself
        return new Outcome.Respond(303, headers(Map.of("Location", location != null ? location : path + "?notice=logged-out")),
                sessions == null ? List.of() : List.of(sessions.clearSession()), HTML_TYPE, new byte[0], Duration.ZERO);
    }

    /** Renders the page for {@code view}: who is signed in, their rights and keys; or how to log in. */
    private Outcome.Respond render(AccessPolicy policy, int status, @Nullable Identity identity, @Nullable Session session, @Nullable String binding,
                                   @Nullable String notice, @Nullable String error, ApiKeyService.@Nullable CreatedKey created,
                                   PageView.Form form) {
        ApiKeyService keys = this.keys;
        List<ApiKey> list = null;
        if (identity != null && keys != null) {
            try {
                list = keys.list(identity.name());
            } catch (ApiKeyStoreException e) {
                LOG.error("self-service page: the API key store is unavailable: {}", e.getMessage());
            }
        }
        PageView.View view = new PageView.View(policy, identity, session, binding, notice, error, created, form, list);
        return new Outcome.Respond(status, headers(Map.of()), List.of(), HTML_TYPE,
                pages.page(identity == null ? "Log in" : "Your access", pages.main(view)), Duration.ZERO);
    }

    private static @Nullable String notice(Map<String, List<String>> query) {
        String n = first(query, "notice");
        if (n == null) {
            return null;
        }
        return switch (n) {
            case "revoked" -> "The key was revoked. Tools that use it are refused from now on.";
            case "not-found" -> "There is no such key of yours; nothing was revoked.";
            case "logged-out" -> "You are logged out.";
            default -> null;
        };
    }

    private Map<String, String> headers(Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>(extra);
        h.put("Content-Security-Policy", pages.contentSecurityPolicy());
        h.put("X-Frame-Options", "DENY");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "same-origin");
        h.put("Cache-Control", "no-store");
        return h;
    }

    private Outcome.Respond redirect(String location) {
        return new Outcome.Respond(303, headers(Map.of("Location", location)), List.of(), HTML_TYPE, new byte[0], Duration.ZERO);
    }

    private static PageView.Form form(Map<String, List<String>> values) {
        return new PageView.Form(orEmpty(first(values, "label")), orEmpty(first(values, "lifetime")), orEmpty(first(values, "scopes")));
    }

    private static @Nullable String first(Map<String, List<String>> values, String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }
}
