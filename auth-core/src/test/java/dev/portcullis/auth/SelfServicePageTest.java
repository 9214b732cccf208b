package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The self-service page through the pipeline: what a person sees logged out and logged in, minting a key that is
 * shown once and works, revoking it, form tokens, escaping, and the page's security headers. The HTML is parsed
 * (jsoup), so assertions are about elements and text, not about substrings of markup.
 */
class SelfServicePageTest {
    static final AccessPolicy POLICY = AccessPolicy.fromZotJson("""
            {"repositories": {"**": {"defaultPolicy": ["read"], "anonymousPolicy": ["read"]},
                              "team/**": {"policies": [{"groups": ["developers"], "actions": ["read", "create"]}], "defaultPolicy": ["read"]},
                              "secret/**": {"policies": [{"users": ["sam"], "actions": ["read"]}]}}}""");

    final SessionCookies sessions = new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), false);
    final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
    ApiKeyService keys = keys(b -> { });
    Portcullis portcullis = Portcullis.builder().policy(POLICY).realm("Example registry").sessions(sessions).apiKeys(keys)
            .existence((repository, tag) -> false).build();

    ApiKeyService keys(Consumer<ApiKeyService.Builder> settings) {
        ApiKeyService.Builder b = ApiKeyService.builder(store).hasher(new Argon2Hasher(256, 1, 1));
        settings.accept(b);
        return b.build();
    }

    @AfterEach
    void close() {
        keys.close();
    }

    /** The Cookie header of a fresh browser session. */
    String login(String user, String... groups) {
        String setCookie = sessions.issue(user, List.of(groups), "oidc", null).setCookie();
        return "Cookie: " + setCookie.substring(0, setCookie.indexOf(';'));
    }

    Outcome.Respond respond(TestRequest request) {
        Outcome o = portcullis.handle(request);
        assertThat(o).as("%s %s is answered by the page", request.method(), request.target()).isInstanceOf(Outcome.Respond.class);
        return (Outcome.Respond) o;
    }

    Document get(String... headers) {
        Outcome.Respond r = respond(TestRequest.of("GET", "/auth/", headers));
        assertThat(r.status()).isEqualTo(200);
        return Jsoup.parse(r.bodyText());
    }

    Outcome.Respond post(String form, String... headers) {
        return respond(TestRequest.of("POST", "/auth/", headers).withBody(form));
    }

    static String token(Document page) {
        return page.selectFirst("input[name=csrf]").attr("value");
    }

    static String form(String... pairs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            s.append(i == 0 ? "" : "&").append(pairs[i]).append('=').append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    String createKey(String cookie, String label, String scopes) {
        Outcome.Respond r = post(form("csrf", token(get(cookie)), "action", "create", "label", label, "lifetime", "30", "scopes", scopes), cookie);
        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        return Jsoup.parse(r.bodyText()).getElementById("new-key").attr("value");
    }

    int pull(String user, String token) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
        Outcome o = portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", "Authorization: Basic " + basic));
        return o instanceof Outcome.Respond r ? r.status() : 200;
    }

    @Test
    void aVisitorWithoutALoginSeesHowToLogInAndWhatAnonymousMayDo() {
        Document page = get();
        assertThat(page.title()).isEqualTo("Log in — Example registry");
        assertThat(page.selectFirst("header h1").text()).isEqualTo("Example registry");
        // no OIDC provider here: a browser's password prompt (htpasswd users, or an API key as the password)
        assertThat(page.select("a.button").eachText()).containsExactly("Log in with a password");
        assertThat(page.selectFirst("a.button").attr("href")).isEqualTo("/auth/?login");
        assertThat(page.select("#anon ~ ul li").eachText()).containsExactly("read in every other repository");
        assertThat(page.select("form")).isEmpty();

        Outcome.Respond prompt = respond(TestRequest.of("GET", "/auth/?login"));
        assertThat(prompt.status()).isEqualTo(401);
        assertThat(prompt.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"Example registry\"");
    }

    @Test
    void aLoggedInPersonSeesNameGroupsSessionEndAndRightsInPlainWords() {
        Document page = get(login("erin@example.com", "developers", "staff"));
        assertThat(page.selectFirst("#who").text()).isEqualTo("Signed in as erin@example.com");
        assertThat(page.select("dt").eachText()).containsExactly("Groups", "Signed in with", "Session ends");
        assertThat(page.select("dd").eachText()).startsWith("developers, staff", "a browser login through oidc");
        assertThat(page.select("dd time").attr("datetime")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(page.select("#rights ~ ul li").eachText())
                .containsExactly("read, create under team/**", "read in every other repository");
        assertThat(page.selectFirst("#rights ~ p").text()).isEqualTo("Nothing in repositories governed by secret/**.");
        assertThat(page.select("button").eachText()).contains("Log out", "Create key");
        assertThat(page.selectFirst("#keys ~ p").text()).isEqualTo("You have no API keys yet.");
    }

    @Test
    void everyPageIsServedWithAStrictPolicyThatAllowsExactlyItsOwnStyleAndScript() throws Exception {
        Outcome.Respond r = respond(TestRequest.of("GET", "/auth/", login("erin", "developers")));
        assertThat(r.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(r.headers()).containsEntry("X-Frame-Options", "DENY").containsEntry("Cache-Control", "no-store")
                .containsEntry("X-Content-Type-Options", "nosniff").containsEntry("Referrer-Policy", "same-origin");
        String csp = r.headers().get("Content-Security-Policy");
        Document page = Jsoup.parse(r.bodyText());
        assertThat(page.select("script")).hasSize(1);
        assertThat(page.select("style")).hasSize(1);
        assertThat(page.select("[src], link, [style]")).as("no external resources, no inline style attributes").isEmpty();
        assertThat(csp).startsWith("default-src 'none'; ")
                .contains("style-src '" + hash(page.selectFirst("style").data()) + "'")
                .contains("script-src '" + hash(page.selectFirst("script").data()) + "'")
                .contains("form-action 'self'").contains("frame-ancestors 'none'").contains("base-uri 'none'");
    }

    static String hash(String text) throws Exception {
        return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNewKeyIsShownOnceWithReadyToPasteLoginsAndWorks() {
        String cookie = login("erin@example.com", "developers");
        Outcome.Respond r = post(form("csrf", token(get(cookie)), "action", "create", "label", "ci pipeline", "lifetime", "30",
                "scopes", "team/**:read,create"), cookie);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("Cache-Control", "no-store");
        Document page = Jsoup.parse(r.bodyText());
        String key = page.getElementById("new-key").attr("value");
        assertThat(key).startsWith("pck_");
        assertThat(page.selectFirst("#newkey").text()).isEqualTo("Your new API key “ci pipeline”");
        assertThat(page.getElementById("ex-docker").text())
                .isEqualTo("echo '" + key + "' | docker login REGISTRY --username 'erin@example.com' --password-stdin");
        assertThat(page.getElementById("ex-skopeo").text()).contains("skopeo login");
        assertThat(page.getElementById("ex-oras").text()).contains("oras login");
        assertThat(page.getElementById("ex-ci").wholeText()).isEqualTo("REGISTRY_USER=erin@example.com\nREGISTRY_PASSWORD=" + key);
        assertThat(page.select("button[data-copy]")).allMatch(b -> b.hasAttr("hidden"), "copy buttons appear only with JavaScript");

        assertThat(pull("erin@example.com", key)).as("the key pushes under its scope").isEqualTo(200);

        Document later = get(cookie);
        assertThat(later.html()).as("the secret is never shown again").doesNotContain(key);
        Element row = later.selectFirst("#keys ~ table tbody tr");
        assertThat(row.select("td").eachText()).startsWith("ci pipeline", "team/**:read,create");
        assertThat(row.selectFirst("td[data-label=Status]").text()).isEqualTo("active");
        ApiKey stored = keys.list("erin@example.com").get(0);
        assertThat(stored.creator()).startsWith("self-service page");
        assertThat(stored.expiresAt()).isBetween(stored.createdAt().plus(Duration.ofDays(30)).minusSeconds(60),
                stored.createdAt().plus(Duration.ofDays(30)).plusSeconds(60));
    }

    @Test
    void revokingInThePageLocksTheKeyOutAtOnce() {
        String cookie = login("erin", "developers");
        String key = createKey(cookie, "laptop", "");
        assertThat(pull("erin", key)).isEqualTo(200);
        Document page = get(cookie);
        Element revoke = page.selectFirst("form:has(input[name=action][value=revoke])");
        assertThat(revoke.selectFirst("button").attr("aria-label")).isEqualTo("Revoke laptop");
        Outcome.Respond r = post(form("csrf", token(page), "action", "revoke", "id", revoke.selectFirst("input[name=id]").attr("value")), cookie);
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.headers()).containsEntry("Location", "/auth/?notice=revoked");
        assertThat(pull("erin", key)).isEqualTo(401);
        Document after = Jsoup.parse(respond(TestRequest.of("GET", "/auth/?notice=revoked", cookie)).bodyText());
        assertThat(after.selectFirst("section.notice").text()).isEqualTo("The key was revoked. Tools that use it are refused from now on.");
        assertThat(after.selectFirst("td[data-label=Status]").text()).isEqualTo("revoked");
        assertThat(after.select("form:has(input[value=revoke])")).isEmpty();
    }

    @Test
    void nobodyRevokesAnotherPersonsKeyHere() {
        String erin = createKey(login("erin", "developers"), "erin's", "");
        String id = keys.list("erin").get(0).id();
        String mallory = login("mallory");
        Outcome.Respond r = post(form("csrf", token(get(mallory)), "action", "revoke", "id", id), mallory);
        assertThat(r.headers()).containsEntry("Location", "/auth/?notice=not-found");
        assertThat(pull("erin", erin)).isEqualTo(200);
    }

    @Test
    void aFormWithoutThisSessionsTokenChangesNothing() {
        String cookie = login("erin", "developers");
        String otherToken = token(get(login("erin", "developers"))); // the same person, another session
        for (String form : List.of(form("action", "create", "label", "x", "lifetime", "30"),
                form("csrf", otherToken, "action", "create", "label", "x", "lifetime", "30"),
                form("csrf", "", "action", "create", "label", "x", "lifetime", "30"))) {
            Outcome.Respond r = post(form, cookie, "Origin: http://127.0.0.1");
            assertThat(r.status()).isEqualTo(403);
            assertThat(Jsoup.parse(r.bodyText()).selectFirst("section.error").text()).startsWith("The form was refused");
        }
        assertThat(keys.list("erin")).isEmpty();
    }

    /**
     * A credential the browser sends without an Authorization header (a client certificate, here a header a proxy sets)
     * leaves the forms nothing to bind to: they are refused, never bound to a value anyone can compute.
     */
    @Test
    void anIdentityWithoutAnAuthorizationHeaderGetsNoFormThatWorks() {
        Authenticator clientCertificate = new Authenticator() {
            @Override
            public Attempt cached(Presented presented) {
                List<String> subject = presented.request().headers("X-Client-Cert-Subject");
                return subject.isEmpty() ? Attempt.NOT_MINE : new Attempt.Authenticated(
                        new Identity(subject.get(0), List.of("developers"), Identity.AuthMethod.OTHER, null, List.of()));
            }

            @Override
            public Attempt verify(Presented presented) {
                return cached(presented);
            }
        };
        portcullis = Portcullis.builder().policy(POLICY).apiKeys(keys).authenticator(clientCertificate).existence((repository, tag) -> false).build();
        String cert = "X-Client-Cert-Subject: erin";
        assertThat(get(cert).selectFirst("input[name=csrf]").attr("value")).doesNotContain(PageView.csrfToken("authorization null"));
        for (String csrf : List.of(PageView.csrfToken("authorization null"), PageView.csrfToken("authorization "), "")) {
            Outcome.Respond r = post(form("csrf", csrf, "action", "create", "label", "x", "lifetime", "30"), cert);
            assertThat(r.status()).as(csrf).isIn(401, 403);
        }
        assertThat(keys.list("erin")).isEmpty();
    }

    @Test
    void markupInNamesGroupsLabelsAndScopesIsShownAsText() {
        String name = "<script>alert(1)</script>\"'@x";
        String group = "\"><img src=x onerror=alert(2)>";
        String cookie = login(name, group);
        String label = "<b onmouseover=alert(3)>bold</b>'\"&amp;";
        createKey(cookie, label, "");
        Outcome.Respond created = post(form("csrf", token(get(cookie)), "action", "create", "label", label, "lifetime", "7"), cookie);
        Document[] pages = {get(cookie), Jsoup.parse(created.bodyText())};
        for (Document page : pages) {
            assertThat(page.select("script")).hasSize(1);
            assertThat(page.select("img, b, [onerror], [onmouseover]")).isEmpty();
            assertThat(page.selectFirst("#who").text()).isEqualTo("Signed in as " + name);
            assertThat(page.selectFirst("dd code").text()).isEqualTo(group);
        }
        assertThat(pages[0].selectFirst("td[data-label=Label]").text()).isEqualTo(label);
        assertThat(pages[1].selectFirst("#newkey").text()).isEqualTo("Your new API key “" + label + "”");
        // the shell examples quote the user name so that pasting them runs nothing else
        assertThat(pages[1].getElementById("ex-docker").text()).endsWith("--username '<script>alert(1)</script>\"'\\''@x' --password-stdin");
    }

    @Test
    void aMistakeInTheFormIsExplainedAndWhatWasTypedIsKept() {
        String cookie = login("erin", "developers");
        Outcome.Respond r = post(form("csrf", token(get(cookie)), "action", "create", "label", "nightly", "lifetime", "7",
                "scopes", "team/**:read\nteam/**:write"), cookie);
        assertThat(r.status()).isEqualTo(400);
        Document page = Jsoup.parse(r.bodyText());
        assertThat(page.selectFirst("section.error").text()).isEqualTo(
                "scope 'team/**:write': unknown action 'write' — did you mean 'create'? Valid actions are: read, create, update, delete.");
        assertThat(page.getElementById("label").attr("value")).isEqualTo("nightly");
        assertThat(page.getElementById("scopes").text()).isEqualTo("team/**:read\nteam/**:write");
        assertThat(page.selectFirst("#lifetime option[selected]").attr("value")).isEqualTo("7");
        assertThat(keys.list("erin")).isEmpty();
    }

    @Test
    void theExpiryChoicesStopAtTheConfiguredMaximum() {
        keys.close();
        keys = keys(b -> b.maxLifetime(Duration.ofDays(60), ApiKeyService.OverlongKeys.REFUSE));
        portcullis = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).build();
        Document page = get(login("erin"));
        assertThat(page.select("#lifetime option").eachAttr("value")).containsExactly("7", "30", "60");
        assertThat(page.selectFirst("#lifetime option[selected]").attr("value")).isEqualTo("60");
        assertThat(page.selectFirst("label[for=lifetime] .hint").text()).isEqualTo("At most 60 days on this registry.");

        keys.close();
        keys = keys(b -> { });
        portcullis = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).build();
        Document unlimited = get(login("erin"));
        assertThat(unlimited.select("#lifetime option").eachAttr("value")).containsExactly("7", "30", "90", "365", "never");
        assertThat(unlimited.selectFirst("#lifetime option[selected]").attr("value")).isEqualTo("90");
    }

    /** The server holds the form to what the page offers, whatever a crafted form asks: no century-long key. */
    @Test
    void aLifetimeThePageDoesNotOfferIsRefusedAndNoKeyIsMade() {
        String cookie = login("erin");
        for (String lifetime : List.of("36500", "366", "1", "0", "-7", "3650000000", "never ", "", "ninety")) {
            Outcome.Respond r = post(form("csrf", token(get(cookie)), "action", "create", "label", "long", "lifetime", lifetime), cookie);
            assertThat(r.status()).as(lifetime).isEqualTo(400);
            assertThat(Jsoup.parse(r.bodyText()).text()).as(lifetime).contains("Choose how long the key lives from the list.");
        }
        assertThat(keys.list("erin")).isEmpty();

        keys.close();
        keys = keys(b -> b.maxLifetime(Duration.ofDays(60), ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM));
        portcullis = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).build();
        for (String lifetime : List.of("90", "365", "never")) {
            Outcome.Respond r = post(form("csrf", token(get(cookie)), "action", "create", "label", "long", "lifetime", lifetime), cookie);
            assertThat(r.status()).as("beyond the maximum: " + lifetime).isEqualTo(400);
        }
        assertThat(keys.list("erin")).isEmpty();
        assertThat(post(form("csrf", token(get(cookie)), "action", "create", "label", "ok", "lifetime", "60"), cookie).status()).isEqualTo(200);
        assertThat(keys.list("erin")).singleElement().satisfies(k ->
                assertThat(k.expiresAt()).isBetween(java.time.Instant.now().plus(Duration.ofDays(60)).minusSeconds(60),
                        java.time.Instant.now().plus(Duration.ofDays(60))));
    }

    /** The key endpoint is held to the maximum lifetime the same way: clamped, or refused when so configured. */
    @Test
    void theKeyEndpointHoldsExpirationsToTheMaximumLifetime() {
        keys.close();
        keys = keys(b -> b.maxLifetime(Duration.ofDays(60), ApiKeyService.OverlongKeys.REFUSE));
        portcullis = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).build();
        String cookie = login("erin");
        for (String expiration : List.of("2126-12-07T00:00:00Z", "9999-12-31T23:59:59Z", "1999-01-01T00:00:00Z")) {
            Outcome o = portcullis.handle(TestRequest.of("POST", "/auth/apikey", cookie, "X-Portcullis-Csrf: 1")
                    .withBody("{\"label\": \"long\", \"expirationDate\": \"" + expiration + "\"}"));
            assertThat(((Outcome.Respond) o).status()).as(expiration).isEqualTo(400);
        }
        Outcome o = portcullis.handle(TestRequest.of("POST", "/auth/apikey", cookie, "X-Portcullis-Csrf: 1").withBody("{\"label\": \"none\"}"));
        assertThat(((Outcome.Respond) o).status()).as("no expiration at all is beyond any maximum").isEqualTo(400);
        assertThat(keys.list("erin")).isEmpty();

        keys.close();
        keys = keys(b -> b.maxLifetime(Duration.ofDays(60), ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM));
        portcullis = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).build();
        o = portcullis.handle(TestRequest.of("POST", "/auth/apikey", cookie, "X-Portcullis-Csrf: 1")
                .withBody("{\"label\": \"long\", \"expirationDate\": \"2126-12-07T00:00:00Z\"}"));
        assertThat(((Outcome.Respond) o).status()).isEqualTo(201);
        assertThat(keys.list("erin")).singleElement().satisfies(k ->
                assertThat(k.expiresAt()).isBeforeOrEqualTo(java.time.Instant.now().plus(Duration.ofDays(60))));
    }

    @Test
    void aKeyWithScopesSeesItsLimitsButCannotMintKeys() {
        String key = createKey(login("erin", "developers"), "scoped", "team/app:read");
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString(("erin:" + key).getBytes(StandardCharsets.UTF_8));
        Document page = get(basic);
        assertThat(page.selectFirst("p:contains(limited further)").text()).isEqualTo("This API key is limited further to: team/app:read.");
        assertThat(page.selectFirst("#create ~ p").text()).isEqualTo("an API key with scopes cannot manage API keys; use an unrestricted credential");
        assertThat(page.select("button:contains(Log out)")).as("a Basic login has no session to end").isEmpty();
        assertThat(page.select("form")).as("no forms for a credential that cannot manage keys").isEmpty();
        String token = PageView.csrfToken("authorization " + basic.substring("Authorization: ".length()));
        Outcome.Respond r = post(form("csrf", token, "action", "create", "label", "escape", "lifetime", "7"), basic);
        assertThat(r.status()).isEqualTo(403);
        assertThat(keys.list("erin")).hasSize(1);
    }

    @Test
    void aBrowsersPasswordLoginGetsFormsBoundToItsCredentials() {
        String key = createKey(login("erin", "developers"), "main", "");
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString(("erin:" + key).getBytes(StandardCharsets.UTF_8));
        Document page = get(basic);
        assertThat(page.selectFirst("dd:nth-of-type(2)").text()).startsWith("API key ");
        assertThat(token(page)).isNotEqualTo(token(get(login("erin", "developers"))));
        Outcome.Respond r = post(form("csrf", token(page), "action", "create", "label", "second", "lifetime", "7"), basic);
        assertThat(r.status()).isEqualTo(200);
        assertThat(keys.list("erin")).hasSize(2);
        assertThat(respond(TestRequest.of("GET", "/auth/?login", basic)).headers()).containsEntry("Location", "/auth/");
    }

    @Test
    void loggingOutClearsTheSessionCookie() {
        String cookie = login("erin");
        Outcome.Respond r = post(form("csrf", token(get(cookie)), "action", "logout"), cookie);
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.headers()).containsEntry("Location", "/auth/?notice=logged-out");
        assertThat(r.cookies()).singleElement().asString().startsWith("portcullis_session=;").contains("Max-Age=0");
    }

    @Test
    void loggingOutWithoutSessionsGoesBackWithNothingToClear() {
        String key = createKey(login("erin", "developers"), "main", "");
        portcullis = Portcullis.builder().policy(POLICY).apiKeys(keys).existence((repository, tag) -> false).build(); // Basic credentials only: no sessions at all
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString(("erin:" + key).getBytes(StandardCharsets.UTF_8));
        String token = PageView.csrfToken("authorization " + basic.substring("Authorization: ".length()));
        Outcome.Respond r = post(form("csrf", token, "action", "logout"), basic);
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.cookies()).isEmpty();
    }

    @Test
    void thePageCanBeMovedOrTurnedOffAndItsPathWithoutSlashRedirects() {
        assertThat(respond(TestRequest.of("GET", "/auth")).headers()).containsEntry("Location", "/auth/");
        assertThat(portcullis.readsBody("/auth/")).isTrue();
        assertThat(portcullis.readsBody("/auth/apikey")).isTrue();
        assertThat(portcullis.readsBody("/v2/team/app/blobs/uploads/")).isFalse();
        assertThat(portcullis.readsBody("/auth/apikey/pck_abc")).isTrue();
        assertThat(portcullis.readsBody("/auth/%61pikey")).as("decoded before it is matched").isTrue();
        assertThat(portcullis.readsBody("/%61uth/")).isTrue();
        assertThat(portcullis.readsBody("/auth/apikeys")).isFalse();
        assertThat(portcullis.readsBody("/auth/apikey%2Fx")).as("an ambiguous path is refused, not collected").isFalse();
        assertThat(portcullis.readsBody("/auth/x/../apikey")).isFalse();
        // the Netty handler asks readsBody only when handleWithoutBlocking leaves the request to handle
        for (String path : List.of("/auth/", "/auth/apikey", "/auth/apikey/pck_abc", "/auth/%61pikey")) {
            for (String method : List.of("GET", "POST", "DELETE")) {
                assertThat(portcullis.handleWithoutBlocking(TestRequest.of(method, path))).as(method + " " + path).isEmpty();
            }
        }

        Portcullis moved = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).selfServicePage("/account/").build();
        assertThat(moved.handle(TestRequest.of("GET", "/account/"))).isInstanceOf(Outcome.Respond.class);
        assertThat(moved.handle(TestRequest.of("GET", "/auth/"))).as("the application's again").isInstanceOf(Outcome.Proceed.class);
        Portcullis off = Portcullis.builder().policy(POLICY).sessions(sessions).apiKeys(keys).existence((repository, tag) -> false).withoutSelfServicePage().build();
        assertThat(off.handle(TestRequest.of("GET", "/auth/"))).isInstanceOf(Outcome.Proceed.class);
        assertThat(off.readsBody("/auth/")).isFalse();
    }

    @Test
    void otherMethodsAreRefused() {
        Outcome.Respond r = respond(TestRequest.of("DELETE", "/auth/", login("erin")));
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.headers()).containsEntry("Allow", "GET, HEAD, POST");
    }

    @Test
    void scopesParsedFromTheFormAreTheOnesStored() {
        String cookie = login("erin", "developers");
        createKey(cookie, "two", "team/a:read\r\n\r\n  team/b/**:read,create  ");
        assertThat(keys.list("erin").get(0).scopes()).containsExactly(Scope.parse("team/a:read"), Scope.parse("team/b/**:read,create"));
    }
}
