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
import dev.portcullis.policy.Permissions;
import dev.portcullis.policy.Subject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final int MAX_LABEL = 100;
    private static final int DEFAULT_DAYS = 90;
    private static final List<Integer> LIFETIMES = List.of(7, 30, 90, 365);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private static final String STYLE = """
            :root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--accent:#0b5cad;\
            --accent-fg:#fff;--danger:#b42318;--ok-bg:#e8f5e9;--ok-line:#2e7d32;--err-bg:#fdecea}
            @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;\
            --accent:#4493f8;--accent-fg:#0d1117;--danger:#f85149;--ok-bg:#12261e;--ok-line:#3fb950;--err-bg:#2d1214}}
            *{box-sizing:border-box}
            [hidden]{display:none!important}
            body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);\
            background:var(--bg)}
            header{background:var(--card);border-bottom:1px solid var(--line);padding:1rem 1.25rem}
            header p{margin:0;color:var(--muted)}
            h1{font-size:1.4rem;margin:0}
            h2{font-size:1.15rem;margin:0 0 .75rem}
            h3{font-size:1rem;margin:1rem 0 .5rem}
            main{max-width:60rem;margin:0 auto;padding:1.25rem}
            section{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem;margin:0 0 1.25rem}
            .notice{border-left:.35rem solid var(--ok-line);background:var(--ok-bg)}
            .error{border-left:.35rem solid var(--danger);background:var(--err-bg)}
            .muted{color:var(--muted)}
            code,pre,input.secret{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem}
            pre{background:var(--bg);border:1px solid var(--line);border-radius:.35rem;padding:.6rem .75rem;overflow-x:auto;\
            white-space:pre-wrap;word-break:break-all;margin:0}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
            dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
            ul.rights{margin:0 0 .5rem;padding-left:1.25rem}
            table{width:100%;border-collapse:collapse}
            th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:break-word}
            th{font-weight:600;color:var(--muted);font-size:.9rem;white-space:nowrap}
            td.nowrap{white-space:nowrap}
            .button,button{display:inline-block;font:inherit;font-weight:600;padding:.45rem .9rem;border-radius:.35rem;\
            border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);text-decoration:none;cursor:pointer}
            button.quiet{background:transparent;color:var(--accent)}
            button.danger{background:transparent;color:var(--danger);border-color:var(--danger)}
            .button:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid \
            var(--accent);outline-offset:2px}
            .actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
            form.stack{display:grid;gap:.9rem;max-width:34rem}
            label{display:block;font-weight:600;margin-bottom:.2rem}
            .hint{display:block;font-weight:400;color:var(--muted);font-size:.9rem}
            input,select,textarea{font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:.35rem;\
            padding:.4rem .5rem;width:100%}
            .copy{display:flex;gap:.5rem;align-items:flex-start}.copy>:first-child{flex:1;min-width:0}
            .tag{display:inline-block;font-size:.8rem;padding:0 .4rem;border-radius:1rem;border:1px solid var(--line);color:var(--muted)}
            @media (max-width:40rem){main{padding:.75rem}section{padding:.9rem}
            table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-9999px}
            tr{border-bottom:1px solid var(--line);padding:.5rem 0}td{border:0;padding:.15rem 0}
            td::before{content:attr(data-label) ": ";color:var(--muted);font-weight:600}
            dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
            """;

    private static final String SCRIPT = """
            for (const b of document.querySelectorAll('button[data-copy]')) {
              b.hidden = false;
              b.addEventListener('click', () => {
                const t = document.getElementById(b.dataset.copy);
                const text = t.value !== undefined ? t.value : t.textContent;
                navigator.clipboard.writeText(text).then(() => { b.textContent = 'Copied'; },
                  () => { if (t.select) { t.select(); } b.textContent = 'Press Ctrl+C'; });
              });
            }
            for (const f of document.querySelectorAll('form[data-confirm]')) {
              f.addEventListener('submit', e => { if (!confirm(f.dataset.confirm)) { e.preventDefault(); } });
            }
            """;

    private final String path;
    private final String realm;
    private final String prefix;
    private final AccessPolicy policy;
    private final ApiKeyService keys;
    private final OidcLogin oidc;
    private final SessionCookies sessions;
    private final boolean passwordLogin;
    private final String contentSecurityPolicy;

    /**
     * @param path where the page lives (e.g. {@code /auth/})
     * @param passwordLogin whether to offer a browser's Basic login (htpasswd users, or API keys as the password)
     */
    SelfServicePage(String path, String realm, String prefix, AccessPolicy policy, ApiKeyService keys, OidcLogin oidc, SessionCookies sessions,
                    boolean passwordLogin) {
        this.path = path;
        this.realm = realm;
        this.prefix = prefix;
        this.policy = policy;
        this.keys = keys;
        this.oidc = oidc;
        this.sessions = sessions;
        this.passwordLogin = passwordLogin;
        StringBuilder formAction = new StringBuilder("'self'");
        if (oidc != null) {
            // logging out sends the browser on to the provider's logout page, and form-action also governs that redirect
            oidc.providerOrigins().forEach(o -> formAction.append(' ').append(o));
        }
        this.contentSecurityPolicy = "default-src 'none'; style-src '" + sha256(STYLE) + "'; script-src '" + sha256(SCRIPT)
                + "'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'";
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
        if (identity != null && identity.method() == Identity.AuthMethod.SESSION) {
            Optional<String> sealed = sessions.sealedSession(call.presented().cookies());
            session = sealed.flatMap(sessions::open).orElse(null);
            binding = sealed.map(v -> "session " + v).orElse(null);
        } else if (identity != null) {
            binding = "authorization " + call.presented().singleAuthorization();
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
    private Outcome.Respond handle(Call call, Identity identity, Session session, String binding) {
        HttpRequestView request = call.request();
        String requestPath = call.target().path();
        Map<String, List<String>> query = call.target().query();
        if (!requestPath.equals(path)) {
            return redirect(path);
        }
        String method = request.method();
        if (method.equals("GET") || method.equals("HEAD")) {
            if (query.containsKey("login") && identity == null && passwordLogin) {
                return new Outcome.Respond(401, headers(Map.of("WWW-Authenticate", "Basic realm=\"" + realm.replace("\"", "") + "\"")),
                        List.of(), HTML_TYPE, page("Log in", message("error", "Log in with your registry user name and password "
                        + "(an API key works as the password).")).getBytes(StandardCharsets.UTF_8), Duration.ZERO);
            }
            if (query.containsKey("login") && identity != null) {
                return redirect(path);
            }
            return render(200, new View(identity, session, binding, notice(query), null, null, Form.EMPTY));
        }
        if (!method.equals("POST")) {
            return new Outcome.Respond(405, headers(Map.of("Allow", "GET, HEAD, POST")), List.of(), HTML_TYPE,
                    page("Not supported", message("error", method + " is not supported here.")).getBytes(StandardCharsets.UTF_8),
                    Duration.ZERO);
        }
        return post(call, identity, session, binding);
    }

    private Outcome.Respond post(Call call, Identity identity, Session session, String binding) {
        HttpRequestView request = call.request();
        Map<String, List<String>> form;
        try {
            byte[] body = call.body();
            if (body.length > call.bodyLimit()) {
                return render(413, new View(identity, session, binding, null, "The form is larger than 8 KiB; shorten the scopes or the label.",
                        null, Form.EMPTY));
            }
            form = RequestPaths.query(new String(body, StandardCharsets.UTF_8)).orElse(null);
        } catch (IOException e) {
            form = null;
        }
        if (form == null) {
            return render(400, new View(identity, session, binding, null, "The form could not be read; submit it again.", null, Form.EMPTY));
        }
        if (identity == null || binding == null) {
            return render(401, new View(null, null, null, null, "Your session has ended; log in again.", null, Form.EMPTY));
        }
        String token = first(form, "csrf");
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
                csrfToken(binding).getBytes(StandardCharsets.US_ASCII))) {
            LOG.warn("self-service page: a form from '{}' without this page's token was refused (another site's form, or a page "
                    + "older than the session)", identity.name());
            return render(403, new View(identity, session, binding, null,
                    "The form was refused because it did not come from this page (or the page is older than your session). "
                            + "Nothing was changed; reload the page and try again.", null, Form.EMPTY));
        }
        String action = first(form, "action");
        if ("logout".equals(action)) {
            return logout(session);
        }
        if (keys == null) {
            return render(404, new View(identity, session, binding, null, "This registry has no API keys.", null, Form.EMPTY));
        }
        String refusal = ApiKeyEndpoints.refusal(identity);
        if (refusal != null) {
            return render(403, new View(identity, session, binding, null, refusal, null, Form.EMPTY));
        }
        try {
            if ("create".equals(action)) {
                return create(request, identity, session, binding, form);
            }
            if ("revoke".equals(action)) {
                return revoke(identity, first(form, "id"));
            }
        } catch (ApiKeyStoreException e) {
            LOG.error("self-service page: the API key store is unavailable: {}", e.getMessage());
            return render(503, new View(identity, session, binding, null, "The key store is unavailable right now; nothing was changed. "
                    + "Try again shortly.", null, Form.of(form)));
        }
        return render(400, new View(identity, session, binding, null, "Unknown form action; reload the page.", null, Form.EMPTY));
    }

    private Outcome.Respond create(HttpRequestView request, Identity identity, Session session, String binding,
                                   Map<String, List<String>> values) {
        Form form = Form.of(values);
        String label = form.label().strip();
        if (label.codePointCount(0, label.length()) > MAX_LABEL) {
            return render(400, new View(identity, session, binding, null, "The label is longer than " + MAX_LABEL + " characters.", null, form));
        }
        List<Scope> scopes = new ArrayList<>();
        for (String line : form.scopes().split("\\R")) {
            if (!line.isBlank()) {
                try {
                    scopes.add(Scope.parse(line.strip()));
                } catch (IllegalArgumentException e) {
                    return render(400, new View(identity, session, binding, null, e.getMessage(), null, form));
                }
            }
        }
        if (!lifetimes().contains(form.lifetime())) {
            // only what the page offers: a crafted form asking for a century, or beyond the registry's maximum, is refused
            return render(400, new View(identity, session, binding, null, "Choose how long the key lives from the list.", null, form));
        }
        Instant expires = form.lifetime().equals("never") ? null : Instant.now().plus(Duration.ofDays(Long.parseLong(form.lifetime())));
        List<String> agent = request.headers("User-Agent");
        ApiKeyService.CreatedKey created;
        try {
            created = keys.create(new ApiKeyService.KeyRequest(identity.name(), identity.groups(), label, scopes,
                    ApiKeyEndpoints.notBeyondCaller(keys, identity, expires), "self-service page" + (agent.isEmpty() ? "" : " (" + agent.get(0) + ")")));
        } catch (IllegalArgumentException e) {
            return render(400, new View(identity, session, binding, null, e.getMessage(), null, form));
        }
        LOG.info("self-service page: '{}' created API key {}", identity.name(), created.key().id());
        return render(200, new View(identity, session, binding, null, null, created, Form.EMPTY));
    }

    private Outcome.Respond revoke(Identity identity, String id) {
        Optional<ApiKey> key = id == null ? Optional.empty() : keys.find(id);
        // only one's own keys here; an admin revokes others' keys through the API or the CLI
        if (key.isPresent() && key.get().owner().equals(identity.name())) {
            keys.revoke(id);
            LOG.info("self-service page: '{}' revoked API key {}", identity.name(), id);
            return redirect(path + "?notice=revoked");
        }
        return redirect(path + "?notice=not-found");
    }

    private Outcome.Respond logout(Session session) {
        String location = session != null && oidc != null ? oidc.endSessionRedirect(session).orElse(null) : null;
        // without sessions (Basic credentials only) there is no cookie to clear: the browser forgets Basic credentials itself
        return new Outcome.Respond(303, headers(Map.of("Location", location != null ? location : path + "?notice=logged-out")),
                sessions == null ? List.of() : List.of(sessions.clearSession()), HTML_TYPE, new byte[0], Duration.ZERO);
    }

    // ------------------------------------------------------------------ rendering

    /** What one rendering shows. {@code created} is the key just made: its secret appears in this response only. */
    private record View(Identity identity, Session session, String binding, String notice, String error, ApiKeyService.CreatedKey created,
                        Form form) {
    }

    /** The create form's values, kept when the form is shown again with an error: nothing a person typed is lost. */
    /**
     * The lifetimes the page offers, in days ({@code never} only without a maximum): 7, 30, 90 and 365 days up to the
     * registry's maximum lifetime, and the maximum itself. The form is held to them.
     */
    private List<String> lifetimes() {
        Optional<Duration> max = keys.maxLifetime();
        long maxDays = max.map(Duration::toDays).orElse(Long.MAX_VALUE);
        List<String> options = new ArrayList<>();
        for (int days : LIFETIMES) {
            if (days <= maxDays) {
                options.add(Integer.toString(days));
            }
        }
        if (max.isPresent() && maxDays >= 1 && !options.contains(Long.toString(maxDays))) {
            options.add(Long.toString(maxDays));
        }
        if (max.isEmpty()) {
            options.add("never");
        }
        return options;
    }

    private record Form(String label, String lifetime, String scopes) {
        static final Form EMPTY = new Form("", "", "");

        static Form of(Map<String, List<String>> values) {
            return new Form(orEmpty(first(values, "label")), orEmpty(first(values, "lifetime")), orEmpty(first(values, "scopes")));
        }
    }

    private Outcome.Respond render(int status, View view) {
        StringBuilder main = new StringBuilder();
        if (view.notice() != null) {
            main.append(message("notice", view.notice()));
        }
        if (view.error() != null) {
            main.append(message("error", view.error()));
        }
        if (view.identity() == null) {
            loggedOut(main);
        } else {
            if (view.created() != null) {
                newKey(main, view.identity(), view.created());
            }
            who(main, view);
            rights(main, view.identity());
            if (keys != null) {
                keyList(main, view);
                createForm(main, view);
            }
        }
        return new Outcome.Respond(status, headers(Map.of()), List.of(), HTML_TYPE,
                page(view.identity() == null ? "Log in" : "Your access", main.toString()).getBytes(StandardCharsets.UTF_8), Duration.ZERO);
    }

    private void loggedOut(StringBuilder out) {
        out.append("<section aria-labelledby=\"login\"><h2 id=\"login\">Log in</h2>");
        out.append("<p>Log in to see what you may do here and to create API keys for your tools and CI jobs.</p><div class=\"actions\">");
        if (oidc != null) {
            for (String name : oidc.providerNames()) {
                out.append("<a class=\"button\" href=\"").append(esc(prefix + "/login?provider=" + urlEncode(name) + "&callback_ui=" + urlEncode(path)))
                        .append("\">Log in with ").append(esc(name)).append("</a>");
            }
        }
        if (passwordLogin) {
            out.append("<a class=\"button").append(oidc != null ? " quiet" : "").append("\" href=\"").append(esc(path + "?login"))
                    .append("\">Log in with a password</a>");
        }
        out.append("</div></section>");
        Permissions anonymous = Permissions.of(policy, Subject.anonymous());
        out.append("<section aria-labelledby=\"anon\"><h2 id=\"anon\">Without logging in</h2>");
        if (anonymous.isEmpty()) {
            out.append("<p>Anonymous access is off: every request needs a login, an API key or a token.</p>");
        } else {
            out.append("<p>Anyone, without credentials, may:</p>");
            rightsList(out, anonymous);
        }
        out.append("</section>");
    }

    private void who(StringBuilder out, View view) {
        Identity id = view.identity();
        out.append("<section aria-labelledby=\"who\"><h2 id=\"who\">Signed in as ").append(esc(id.name())).append("</h2><dl>");
        out.append("<dt>Groups</dt><dd>");
        if (id.groups().isEmpty()) {
            out.append("<span class=\"muted\">none</span>");
        } else {
            for (int i = 0; i < id.groups().size(); i++) {
                out.append(i == 0 ? "" : ", ").append("<code>").append(esc(id.groups().get(i))).append("</code>");
            }
        }
        out.append("</dd><dt>Signed in with</dt><dd>").append(esc(switch (id.method()) {
            case SESSION -> view.session() == null ? "a browser login" : "a browser login through " + view.session().provider();
            case API_KEY -> "API key " + id.keyId();
            case HTPASSWD -> "a password";
            case BEARER -> "a bearer token";
            case OTHER -> "the registry's own sign-in";
        })).append("</dd>");
        if (view.session() != null) {
            Instant end = sessions.endOf(view.session());
            out.append("<dt>Session ends</dt><dd>").append(time(end)).append("</dd>");
        }
        out.append("</dl>");
        if (view.session() != null) {
            out.append("<form method=\"post\" action=\"").append(esc(path)).append("\">").append(hidden("csrf", csrfToken(view.binding())))
                    .append(hidden("action", "logout")).append("<button class=\"quiet\" type=\"submit\">Log out</button></form>");
        }
        out.append("</section>");
    }

    private void rights(StringBuilder out, Identity identity) {
        out.append("<section aria-labelledby=\"rights\"><h2 id=\"rights\">What you may do</h2>");
        Permissions p = Permissions.of(policy, identity.subject());
        if (p.isEmpty()) {
            out.append("<p>The policy grants you nothing. Ask the registry's operators for access.</p>");
        } else {
            rightsList(out, p);
        }
        if (!identity.scopes().isEmpty()) {
            out.append("<p>This API key is limited further to: ");
            scopes(out, identity.scopes());
            out.append(".</p>");
        }
        out.append("</section>");
    }

    private static void rightsList(StringBuilder out, Permissions p) {
        out.append("<ul class=\"rights\">");
        for (Permissions.Grants g : p.grants()) {
            out.append("<li><strong>").append(esc(g.actionWords())).append("</strong> ");
            String where = p.where(g.pattern());
            if (g.pattern() != null && where.endsWith(g.pattern())) {
                out.append(esc(where.substring(0, where.length() - g.pattern().length()))).append("<code>").append(esc(g.pattern())).append("</code>");
            } else {
                out.append(esc(where));
            }
            out.append("</li>");
        }
        out.append("</ul>");
        if (!p.nothingUnder().isEmpty()) {
            out.append("<p class=\"muted\">Nothing in repositories governed by ");
            for (int i = 0; i < p.nothingUnder().size(); i++) {
                out.append(i == 0 ? "" : ", ").append("<code>").append(esc(p.nothingUnder().get(i))).append("</code>");
            }
            out.append(".</p>");
        }
    }

    private void newKey(StringBuilder out, Identity identity, ApiKeyService.CreatedKey created) {
        String token = created.token();
        String host = oidc != null ? URI.create(oidc.externalUrl()).getRawAuthority() : null;
        String registry = host == null ? "REGISTRY" : host;
        String user = shellQuote(identity.name());
        out.append("<section class=\"notice\" aria-labelledby=\"newkey\"><h2 id=\"newkey\">Your new API key");
        if (!created.key().label().isEmpty()) {
            out.append(" “").append(esc(created.key().label())).append("”");
        }
        out.append("</h2><p><strong>Copy it now.</strong> It is shown only this once; the registry keeps only a hash of it.</p>");
        out.append("<label for=\"new-key\">API key</label><div class=\"copy\"><input id=\"new-key\" class=\"secret\" readonly value=\"")
                .append(esc(token)).append("\" autocomplete=\"off\" spellcheck=\"false\">")
                .append(copyButton("new-key", "Copy the API key")).append("</div>");
        out.append("<h3>Use it</h3><p>The user name is <code>").append(esc(identity.name())).append("</code>; the key is the password.</p>");
        example(out, "ex-docker", "docker", "echo " + shellQuote(token) + " | docker login " + registry + " --username " + user + " --password-stdin");
        example(out, "ex-skopeo", "skopeo", "echo " + shellQuote(token) + " | skopeo login " + registry + " --username " + user + " --password-stdin");
        example(out, "ex-oras", "oras", "echo " + shellQuote(token) + " | oras login " + registry + " --username " + user + " --password-stdin");
        example(out, "ex-ci", "CI variables (store the key as a masked secret)", "REGISTRY_USER=" + identity.name() + "\nREGISTRY_PASSWORD=" + token);
        out.append("</section>");
    }

    private static void example(StringBuilder out, String id, String title, String text) {
        out.append("<h3 id=\"").append(id).append("-title\">").append(esc(title)).append("</h3><div class=\"copy\"><pre id=\"").append(id)
                .append("\" aria-labelledby=\"").append(id).append("-title\">").append(esc(text)).append("</pre>")
                .append(copyButton(id, "Copy the " + title.replaceAll(" \\(.*", "") + " example")).append("</div>");
    }

    private static String copyButton(String target, String label) {
        return "<button type=\"button\" class=\"quiet\" data-copy=\"" + target + "\" aria-label=\"" + esc(label) + "\" hidden>Copy</button>";
    }

    private void keyList(StringBuilder out, View view) {
        out.append("<section aria-labelledby=\"keys\"><h2 id=\"keys\">Your API keys</h2>");
        List<ApiKey> list;
        try {
            list = keys.list(view.identity().name());
        } catch (ApiKeyStoreException e) {
            LOG.error("self-service page: the API key store is unavailable: {}", e.getMessage());
            out.append("<p>The key store is unavailable right now; reload the page shortly.</p></section>");
            return;
        }
        if (list.isEmpty()) {
            out.append("<p class=\"muted\">You have no API keys yet.</p></section>");
            return;
        }
        boolean manage = ApiKeyEndpoints.refusal(view.identity()) == null;
        Instant now = Instant.now();
        out.append("<table><thead><tr><th scope=\"col\">Label</th><th scope=\"col\">Scopes</th><th scope=\"col\">Created</th>")
                .append("<th scope=\"col\">Expires</th><th scope=\"col\">Last used</th><th scope=\"col\">Status</th>");
        if (manage) {
            out.append("<th scope=\"col\"><span class=\"muted\">Action</span></th>");
        }
        out.append("</tr></thead><tbody>");
        for (ApiKey k : list) {
            String label = k.label().isEmpty() ? "(no label) " + k.id() : k.label();
            out.append("<tr><td data-label=\"Label\">").append(esc(label)).append("</td><td data-label=\"Scopes\">");
            if (k.scopes().isEmpty()) {
                out.append("<span class=\"muted\">all of your rights</span>");
            } else {
                scopes(out, k.scopes());
            }
            out.append("</td><td data-label=\"Created\">").append(time(k.createdAt())).append("</td><td data-label=\"Expires\">")
                    .append(k.expiresAt() == null ? "never" : time(k.expiresAt())).append("</td><td data-label=\"Last used\">")
                    .append(k.lastUsed() == null ? "never" : time(k.lastUsed())).append("</td><td class=\"nowrap\" data-label=\"Status\"><span class=\"tag\">")
                    .append(k.revoked() ? "revoked" : k.isExpired(now) ? "expired" : "active").append("</span></td>");
            if (manage) {
                out.append("<td class=\"nowrap\" data-label=\"Action\">");
                if (!k.revoked() && !k.isExpired(now)) {
                    out.append("<form method=\"post\" action=\"").append(esc(path)).append("\" data-confirm=\"")
                            .append(esc("Revoke the key " + label + "? Tools using it stop working at once.")).append("\">")
                            .append(hidden("csrf", csrfToken(view.binding()))).append(hidden("action", "revoke")).append(hidden("id", k.id()))
                            .append("<button class=\"danger\" type=\"submit\" aria-label=\"").append(esc("Revoke " + label)).append("\">Revoke</button></form>");
                }
                out.append("</td>");
            }
            out.append("</tr>");
        }
        out.append("</tbody></table></section>");
    }

    private void createForm(StringBuilder out, View view) {
        String refusal = ApiKeyEndpoints.refusal(view.identity());
        out.append("<section aria-labelledby=\"create\"><h2 id=\"create\">Create an API key</h2>");
        if (refusal != null) {
            out.append("<p>").append(esc(refusal)).append("</p></section>");
            return;
        }
        Form form = view.form();
        Optional<Duration> max = keys.maxLifetime();
        List<String> options = lifetimes();
        String chosen = options.contains(form.lifetime()) ? form.lifetime()
                : options.contains(Integer.toString(DEFAULT_DAYS)) ? Integer.toString(DEFAULT_DAYS) : options.get(options.size() - 1);
        out.append("<form class=\"stack\" method=\"post\" action=\"").append(esc(path)).append("\">")
                .append(hidden("csrf", csrfToken(view.binding()))).append(hidden("action", "create"));
        out.append("<div><label for=\"label\">Label <span class=\"hint\">What the key is for, e.g. the CI pipeline that uses it.</span></label>")
                .append("<input id=\"label\" name=\"label\" maxlength=\"").append(MAX_LABEL).append("\" value=\"").append(esc(form.label()))
                .append("\" autocomplete=\"off\"></div>");
        out.append("<div><label for=\"lifetime\">Expires after").append(max.map(m -> " <span class=\"hint\">At most " + m.toDays()
                + " days on this registry.</span>").orElse("")).append("</label><select id=\"lifetime\" name=\"lifetime\">");
        for (String o : options) {
            out.append("<option value=\"").append(o).append('"').append(o.equals(chosen) ? " selected" : "").append('>')
                    .append(o.equals("never") ? "Never" : o.equals("365") ? "1 year" : o + " days").append("</option>");
        }
        out.append("</select></div>");
        out.append("<div><label for=\"scopes\">Scopes (optional) <span class=\"hint\">One per line, <code>PATTERN:ACTIONS</code>, e.g. ")
                .append("<code>team/**:read,create</code>. The key may then do only what both your rights and its scopes allow. ")
                .append("Empty: all of your rights.</span></label><textarea id=\"scopes\" name=\"scopes\" rows=\"3\" spellcheck=\"false\">")
                .append(esc(form.scopes())).append("</textarea></div>");
        out.append("<div><button type=\"submit\">Create key</button></div></form></section>");
    }

    private static void scopes(StringBuilder out, List<Scope> scopes) {
        for (int i = 0; i < scopes.size(); i++) {
            out.append(i == 0 ? "" : ", ").append("<code>").append(esc(scopes.get(i).toString())).append("</code>");
        }
    }

    private String page(String title, String main) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
                + "initial-scale=1\"><meta name=\"referrer\" content=\"same-origin\"><title>" + esc(title + " — " + realm) + "</title><style>"
                + STYLE + "</style></head><body><header><h1>" + esc(realm) + "</h1><p>Registry access</p></header><main>" + main
                + "</main><script>" + SCRIPT + "</script></body></html>\n";
    }

    private static String message(String kind, String text) {
        return "<section class=\"" + kind + "\" role=\"" + (kind.equals("error") ? "alert" : "status") + "\"><p>" + esc(text) + "</p></section>";
    }

    private static String notice(Map<String, List<String>> query) {
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

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + esc(value) + "\">";
    }

    private static String time(Instant t) {
        return "<time datetime=\"" + t + "\">" + WHEN.format(t) + "</time>";
    }

    private Map<String, String> headers(Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>(extra);
        h.put("Content-Security-Policy", contentSecurityPolicy);
        h.put("X-Frame-Options", "DENY");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "same-origin");
        h.put("Cache-Control", "no-store");
        return h;
    }

    private Outcome.Respond redirect(String location) {
        return new Outcome.Respond(303, headers(Map.of("Location", location)), List.of(), HTML_TYPE, new byte[0], Duration.ZERO);
    }

    /** The form token: a digest of the credential the browser sends by itself, which another site can neither read nor guess. */
    static String csrfToken(String binding) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("portcullis self-service form\0" + binding).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Quotes a word for a POSIX shell: inside single quotes nothing is special but the quote itself. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String first(Map<String, List<String>> values, String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
