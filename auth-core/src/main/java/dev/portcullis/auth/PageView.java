package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.session.Session;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Permissions;
import dev.portcullis.policy.Subject;
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
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The self-service page's HTML, from the templates under {@code page/} (which escape every value) with its style sheet
 * and script as resources; the Content-Security-Policy allows exactly those two, by hashes computed once.
 */
final class PageView {
    static final int MAX_LABEL = 100;
    private static final int DEFAULT_DAYS = 90;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final String STYLE = Html.resource("page.css");
    private static final String SCRIPT = Html.resource("page.js");
    private static final Html.Template PAGE = Html.Template.load("page");
    private static final Html.Template MESSAGE = Html.Template.load("message");
    private static final Html.Template LOGGED_OUT = Html.Template.load("logged-out");
    private static final Html.Template LOGIN_BUTTON = Html.Template.load("login-button");
    private static final Html.Template PARAGRAPH = Html.Template.load("paragraph");
    private static final Html.Template MUTED = Html.Template.load("muted");
    private static final Html.Template MUTED_SPAN = Html.Template.load("muted-span");
    private static final Html.Template CODE = Html.Template.load("code");
    private static final Html.Template RIGHTS = Html.Template.load("rights");
    private static final Html.Template RIGHT = Html.Template.load("right");
    private static final Html.Template NOTHING_UNDER = Html.Template.load("nothing-under");
    private static final Html.Template WHO = Html.Template.load("who");
    private static final Html.Template SESSION_END = Html.Template.load("session-end");
    private static final Html.Template TIME = Html.Template.load("time");
    private static final Html.Template HIDDEN = Html.Template.load("hidden");
    private static final Html.Template LOGOUT = Html.Template.load("logout");
    private static final Html.Template YOUR_RIGHTS = Html.Template.load("your-rights");
    private static final Html.Template KEY_LIMITS = Html.Template.load("key-limits");
    private static final Html.Template NEW_KEY = Html.Template.load("new-key");
    private static final Html.Template EXAMPLE = Html.Template.load("example");
    private static final Html.Template COPY_BUTTON = Html.Template.load("copy-button");
    private static final Html.Template KEYS = Html.Template.load("keys");
    private static final Html.Template KEYS_TABLE = Html.Template.load("keys-table");
    private static final Html.Template ACTION_HEADER = Html.Template.load("action-header");
    private static final Html.Template KEY_ROW = Html.Template.load("key-row");
    private static final Html.Template KEY_ACTION = Html.Template.load("key-action");
    private static final Html.Template REVOKE = Html.Template.load("revoke");
    private static final Html.Template CREATE = Html.Template.load("create");
    private static final Html.Template CREATE_FORM = Html.Template.load("create-form");
    private static final Html.Template MAX_HINT = Html.Template.load("max-hint");
    private static final Html.Template OPTION = Html.Template.load("option");
    private static final Html.Template OPTION_SELECTED = Html.Template.load("option-selected");
    /** The style and script this page may run, and where its forms may go: computed once. */
    private static final String SOURCES = "default-src 'none'; style-src '" + sha256(STYLE) + "'; script-src '" + sha256(SCRIPT) + "'";

    /**
     * What one rendering shows. {@code created} is the key just made: its secret appears in this response only.
     *
     * @param binding what the form tokens are bound to: the credential the browser sends by itself, or null
     * @param policy the policy the request was decided by, whose rights the page shows
     */
    record View(AccessPolicy policy, @Nullable Identity identity, @Nullable Session session, @Nullable String binding, @Nullable String notice,
                @Nullable String error, ApiKeyService.@Nullable CreatedKey created, Form form, @Nullable List<ApiKey> keys) {
    }

    /** The create form's values, kept when the form is shown again with an error: nothing a person typed is lost. */
    record Form(String label, String lifetime, String scopes) {
        static final Form EMPTY = new Form("", "", "");
    }

    private final String path;
    private final String realm;
    private final String prefix;
    private final @Nullable ApiKeyService keys;
    private final @Nullable OidcLogin oidc;
    private final @Nullable SessionCookies sessions;
    private final boolean passwordLogin;
    private final String contentSecurityPolicy;
    private final @Nullable String registry;
    private final boolean anonymousPulls;

    PageView(String path, String realm, String prefix, @Nullable ApiKeyService keys, @Nullable OidcLogin oidc,
             @Nullable SessionCookies sessions, boolean passwordLogin, @Nullable String registry, boolean anonymousPulls) {
        this.registry = registry;
        this.anonymousPulls = anonymousPulls;
        this.path = path;
        this.realm = realm;
        this.prefix = prefix;
        this.keys = keys;
        this.oidc = oidc;
        this.sessions = sessions;
        this.passwordLogin = passwordLogin;
        StringBuilder formAction = new StringBuilder("'self'");
        if (oidc != null) {
            // logging out sends the browser on to the provider's logout page, and form-action also governs that redirect
            oidc.providerOrigins().forEach(o -> formAction.append(' ').append(o));
        }
        this.contentSecurityPolicy = SOURCES + "; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'";
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    /** A whole page: the layout around {@code main}. */
    byte[] page(String title, Html main) {
        return (PAGE.render("title", title + " — " + realm, "style", Html.trusted(STYLE), "realm", realm, "main", main,
                "script", Html.trusted(SCRIPT)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A notice or an error, announced to screen readers. */
    static Html message(String kind, String text) {
        return MESSAGE.render("kind", kind, "role", kind.equals("error") ? "alert" : "status", "text", text);
    }

    /** The page for {@code view}: who is signed in, their rights and keys; or how to log in. */
    Html main(View view) {
        List<Html> main = new ArrayList<>();
        if (view.notice() != null) {
            main.add(message("notice", view.notice()));
        }
        if (view.error() != null) {
            main.add(message("error", view.error()));
        }
        Identity identity = view.identity();
        ApiKeyService.CreatedKey created = view.created();
        ApiKeyService keys = this.keys;
        // without a binding the page's forms are refused anyway (SelfServicePage asks the caller to log in again)
        String csrf = view.binding() == null ? "" : view.binding();
        AccessPolicy policy = view.policy(); // the request's: the whole page from the policy it was decided by
        if (identity == null) {
            main.add(loggedOut(policy));
        } else {
            if (created != null) {
                main.add(newKey(identity, created));
            }
            main.add(who(identity, view.session(), csrf));
            main.add(rights(policy, identity));
            if (keys != null) {
                main.add(KEYS.render("content", keyList(identity, view.keys(), csrf)));
                main.add(CREATE.render("content", createForm(keys, identity, view.form(), csrf)));
            }
        }
        return Html.join(main);
    }

    private Html loggedOut(AccessPolicy policy) {
        List<Html> buttons = new ArrayList<>();
        if (oidc != null) {
            for (String name : oidc.providerNames()) {
                buttons.add(LOGIN_BUTTON.render("classes", "button", "href", prefix + "/login?provider=" + urlEncode(name) + "&callback_ui="
                        + urlEncode(path), "text", "Log in with " + name));
            }
        }
        if (passwordLogin) {
            buttons.add(LOGIN_BUTTON.render("classes", oidc != null ? "button quiet" : "button", "href", path + "?login", "text",
                    "Log in with a password"));
        }
        Permissions anonymous = Permissions.of(policy, Subject.anonymous());
        Html what = anonymous.isEmpty() ? PARAGRAPH.render("text", "Anonymous access is off: every request needs a login, an API key or a token.")
                : Html.join(List.of(PARAGRAPH.render("text", "Anyone, without credentials, may:"), rightsList(anonymous)));
        return LOGGED_OUT.render("buttons", Html.join(buttons), "anonymous", what);
    }

    private Html who(Identity id, @Nullable Session login, String binding) {
        Html groups = id.groups().isEmpty() ? MUTED_SPAN.render("text", "none")
                : Html.join(id.groups().stream().map(g -> CODE.render("text", g)).toList(), Html.text(", "));
        String method = switch (id.method()) {
            case SESSION -> login == null ? "a browser login" : "a browser login through " + login.provider();
            case API_KEY -> "API key " + id.keyId();
            case HTPASSWD -> "a password";
            case LDAP -> "a directory (LDAP) password";
            case CLIENT_CERTIFICATE -> "a TLS client certificate";
            case BEARER -> "a bearer token";
            case OTHER -> "the registry's own sign-in";
            case REGISTRY_TOKEN -> "a registry token";
            case EXTERNAL_TOKEN -> "a token of the token server";
        };
        SessionCookies sessions = this.sessions;
        Html session = login == null || sessions == null ? Html.EMPTY : SESSION_END.render("end", time(sessions.endOf(login)));
        Html logout = login == null ? Html.EMPTY : LOGOUT.render("action", path, "csrf", csrfField(binding));
        return WHO.render("name", id.name(), "groups", groups, "method", method, "session", session, "logout", logout);
    }

    private Html rights(AccessPolicy policy, Identity identity) {
        Permissions p = Permissions.of(policy, identity.subject());
        Html rights = p.isEmpty() ? PARAGRAPH.render("text", "The policy grants you nothing. Ask the registry's operators for access.") : rightsList(p);
        Html limits = identity.scopes().isEmpty() ? Html.EMPTY : KEY_LIMITS.render("scopes", scopes(identity.scopes()));
        return YOUR_RIGHTS.render("rights", rights, "scopes", limits);
    }

    private static Html rightsList(Permissions p) {
        List<Html> items = new ArrayList<>();
        for (Permissions.Grants g : p.grants()) {
            String where = p.where(g.pattern());
            Html place = g.pattern() != null && where.endsWith(g.pattern())
                    ? Html.join(List.of(Html.text(where.substring(0, where.length() - g.pattern().length())), CODE.render("text", g.pattern())))
                    : Html.text(where);
            items.add(RIGHT.render("actions", g.actionWords(), "where", place));
        }
        Html nothing = p.nothingUnder().isEmpty() ? Html.EMPTY : NOTHING_UNDER.render("patterns",
                Html.join(p.nothingUnder().stream().map(n -> CODE.render("text", n)).toList(), Html.text(", ")));
        return RIGHTS.render("items", Html.join(items), "nothing", nothing);
    }

    private Html newKey(Identity identity, ApiKeyService.CreatedKey created) {
        String token = created.token();
        String host = this.registry != null ? this.registry : oidc != null ? URI.create(oidc.externalUrl()).getRawAuthority() : null;
        String registry = host == null ? "REGISTRY" : host;
        String user = shellQuote(identity.name());
        List<Html> examples = new ArrayList<>();
        for (String tool : List.of("docker", "skopeo", "oras")) {
            examples.add(example("ex-" + tool, tool, "echo " + shellQuote(token) + " | " + tool + " login " + registry + " --username " + user
                    + " --password-stdin"));
        }
        if (anonymousPulls) {
            examples.add(example("ex-docker-pull", "docker pull (no login needed where anyone may read)", "docker pull " + registry
                    + "/REPOSITORY:TAG"));
        }
        examples.add(example("ex-ci", "CI variables (store the key as a masked secret)", "REGISTRY_USER=" + identity.name()
                + "\nREGISTRY_PASSWORD=" + token));
        String label = created.key().label().isEmpty() ? "" : " “" + created.key().label() + "”";
        return NEW_KEY.render("label", label, "token", token, "copy", copyButton("new-key", "Copy the API key"), "user", identity.name(),
                "examples", Html.join(examples));
    }

    private static Html example(String id, String title, String text) {
        return EXAMPLE.render("id", id, "title", title, "text", text, "copy", copyButton(id, "Copy the " + title.replaceAll(" \\(.*", "") + " example"));
    }

    private static Html copyButton(String target, String label) {
        return COPY_BUTTON.render("target", target, "label", label);
    }

    private Html keyList(Identity identity, @Nullable List<ApiKey> keys, String binding) {
        if (keys == null) {
            return PARAGRAPH.render("text", "The key store is unavailable right now; reload the page shortly.");
        }
        if (keys.isEmpty()) {
            return MUTED.render("text", "You have no API keys yet.");
        }
        boolean manage = ApiKeyEndpoints.refusal(identity) == null;
        Instant now = Instant.now();
        List<Html> rows = new ArrayList<>();
        for (ApiKey k : keys) {
            String label = k.label().isEmpty() ? "(no label) " + k.id() : k.label();
            Html action = Html.EMPTY;
            if (manage) {
                Html form = k.revoked() || k.isExpired(now) ? Html.EMPTY : REVOKE.render("action", path, "confirm", "Revoke the key " + label
                        + "? Tools using it stop working at once.", "csrf", csrfField(binding), "id", k.id(), "label", "Revoke " + label);
                action = KEY_ACTION.render("form", form);
            }
            rows.add(KEY_ROW.render("label", label, "scopes", k.scopes().isEmpty() ? MUTED_SPAN.render("text", "all of your rights") : scopes(k.scopes()),
                    "created", time(k.createdAt()), "expires", k.expiresAt() == null ? Html.text("never") : time(k.expiresAt()),
                    "lastUsed", k.lastUsed() == null ? Html.text("never") : time(k.lastUsed()),
                    "status", k.revoked() ? "revoked" : k.isExpired(now) ? "expired" : "active", "action", action));
        }
        return KEYS_TABLE.render("actionHeader", manage ? ACTION_HEADER.render() : Html.EMPTY, "rows", Html.join(rows));
    }

    private Html createForm(ApiKeyService keys, Identity identity, Form form, String binding) {
        String refusal = ApiKeyEndpoints.refusal(identity);
        if (refusal != null) {
            return PARAGRAPH.render("text", refusal);
        }
        Optional<Duration> max = keys.maxLifetime();
        List<String> options = lifetimes(keys);
        String chosen = options.contains(form.lifetime()) ? form.lifetime()
                : options.contains(Integer.toString(DEFAULT_DAYS)) ? Integer.toString(DEFAULT_DAYS) : options.get(options.size() - 1);
        List<Html> choices = new ArrayList<>();
        for (String o : options) {
            String text = o.equals("never") ? "Never" : o.equals("365") ? "1 year" : o + " days";
            choices.add((o.equals(chosen) ? OPTION_SELECTED : OPTION).render("value", o, "text", text));
        }
        return CREATE_FORM.render("action", path, "csrf", csrfField(binding), "maxLabel", Integer.toString(MAX_LABEL), "label", form.label(),
                "maxHint", max.map(m -> MAX_HINT.render("days", Long.toString(m.toDays()))).orElse(Html.EMPTY), "options", Html.join(choices),
                "scopes", form.scopes());
    }

    /**
     * The lifetimes the page offers, in days ({@code never} only without a maximum): 7, 30, 90 and 365 days up to the
     * registry's maximum lifetime, and the maximum itself. The form is held to them.
     */
    static List<String> lifetimes(ApiKeyService keys) {
        Optional<Duration> max = keys.maxLifetime();
        long maxDays = max.map(Duration::toDays).orElse(Long.MAX_VALUE);
        List<String> options = new ArrayList<>();
        for (int days : List.of(7, 30, 90, 365)) {
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

    private static Html scopes(List<Scope> scopes) {
        return Html.join(scopes.stream().map(s -> CODE.render("text", s.toString())).toList(), Html.text(", "));
    }

    private static Html csrfField(String binding) {
        return HIDDEN.render("name", "csrf", "value", csrfToken(binding));
    }

    private static Html time(Instant t) {
        return TIME.render("iso", t.toString(), "text", WHEN.format(t));
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

    /** Quotes a word for a POSIX shell: inside single quotes nothing is special but the quote itself. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
