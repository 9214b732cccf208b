package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.apikey.KeyVerification;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OIDC login end to end through {@link Portcullis#handle}: mock-oauth2-server for real flows, {@link FakeProvider} for forgeries. */
class OidcLoginTest {
    static final String EXTERNAL = "https://registry.example.com";
    static final String POLICY = """
            {"repositories": {"**": {"policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}],
                                     "defaultPolicy": ["read"], "anonymousPolicy": ["read"]}},
             "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]}}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    MockOAuth2Server mock;
    ApiKeyService keys;
    final MutableClock clock = new MutableClock();
    final SessionKeyRing ring = SessionKeyRing.generate();

    static final class MutableClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() throws Exception {
        mock = new MockOAuth2Server();
        mock.start(InetAddress.getByName("127.0.0.1"), 0);
        keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
    }

    @AfterEach
    void stop() {
        mock.shutdown();
        keys.close();
    }

    Portcullis portcullis(OidcProviderSettings... providers) {
        OidcLogin.Builder login = OidcLogin.builder().externalUrl(EXTERNAL).callbackAllowOrigins(List.of("https://ui.example.com"))
                .sessions(new SessionCookies(ring, Duration.ofHours(2), true, clock)).retryAfter(Duration.ZERO)
                .jwksRateLimit(Duration.ofMillis(1));
        for (OidcProviderSettings p : providers) {
            login.provider(p);
        }
        return Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).apiKeys(keys).oidc(login.build()).existence((repo, tag) -> false).build();
    }

    @Test
    void bearerJwtsWhoseAudienceIsALoginClientIdAreRefusedInCodeToo() {
        OidcLogin login = OidcLogin.builder().externalUrl(EXTERNAL).sessions(new SessionCookies(ring, Duration.ofHours(2), true, clock))
                .provider(mockProvider()).build();
        BearerJwt bearer = new BearerJwt(List.of(BearerJwt.TrustedIssuer.of("https://ci.example", "registry")));
        assertThatThrownBy(() -> Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).oidc(login).bearerJwt(bearer).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("bearer JWTs: the audience 'registry' of https://ci.example is the client id"
                        + " of OIDC provider 'mock'; give bearer tokens an audience of their own");
    }

    OidcProviderSettings mockProvider() {
        return OidcProviderSettings.of("mock", mock.issuerUrl("default").toString(), "registry", "secret");
    }

    void enqueue(String subject, Map<String, Object> claims) {
        Map<String, Object> all = new HashMap<>(claims);
        if (all.containsKey("email")) {
            all.putIfAbsent("email_verified", true);
        }
        mock.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of("registry"), all, 3600));
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        for (String p : uri.getRawQuery().split("&")) {
            int eq = p.indexOf('=');
            out.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static Identity identity(Outcome out) {
        assertThat(out).as(out instanceof Outcome.Respond r ? r.status() + " " + r.bodyText() : "").isInstanceOf(Outcome.Proceed.class);
        return ((Outcome.Proceed) out).identity();
    }

    // ------------------------------------------------------------------ the flow

    @Test
    void loginSetsASealedSessionThatAuthenticatesLaterRequests() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-123", Map.of("email", "erin@example.com", "groups", List.of("artifact-workloads", "staff")));
        Outcome.Respond start = browser.respond("GET", "/auth/login?provider=mock&callback_ui=/ui/keys");
        assertThat(start.status()).as(start.bodyText()).isEqualTo(302);
        URI authorize = URI.create(start.headers().get("Location"));
        Map<String, String> params = query(authorize);
        assertThat(params).containsKeys("state", "nonce", "code_challenge").containsEntry("code_challenge_method", "S256")
                .containsEntry("redirect_uri", EXTERNAL + "/auth/callback/mock").containsEntry("response_type", "code");
        assertThat(params.get("scope")).startsWith("openid");
        assertThat(start.cookies()).singleElement().satisfies(c -> assertThat(c).startsWith("__Host-portcullis_login=")
                .contains("; Path=/;", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=600"));
        assertThat(browser.cookies.get("__Host-portcullis_login")).doesNotContain(params.get("nonce")).doesNotContain(params.get("state"));

        Outcome.Respond done = browser.callback(browser.providerRedirect(authorize));
        assertThat(done.status()).as(done.bodyText()).isEqualTo(302);
        assertThat(done.headers()).containsEntry("Location", "/ui/keys");
        assertThat(done.cookies()).anySatisfy(c -> assertThat(c).startsWith("__Host-portcullis_login=;").contains("Max-Age=0"));
        assertThat(done.cookies()).anySatisfy(c -> assertThat(c).startsWith("__Host-portcullis_session=")
                .contains("Path=/", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=7200"));
        assertThat(browser.cookies).containsOnlyKeys("__Host-portcullis_session");

        Outcome.Respond crossSite = browser.respond("PUT", "/v2/team/app/manifests/v1", "Host: registry.example.com",
                "Origin: https://elsewhere.example.com");
        assertThat(crossSite.status()).as("a session write from another page is refused").isEqualTo(403);
        Identity who = identity(browser.request("PUT", "/v2/team/app/manifests/v1", "X-Portcullis-Csrf: 1"));
        assertThat(who.name()).isEqualTo("erin@example.com");
        assertThat(who.method()).isEqualTo(Identity.AuthMethod.SESSION);
        assertThat(who.groups()).containsExactly("artifact-workloads", "staff");
    }

    @Test
    void theSessionEndsAtItsMaximumAgeWhateverTheBrowserKeeps() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-1", Map.of("email", "erin@example.com", "groups", List.of("artifact-workloads")));
        assertThat(browser.login("mock", "/").status()).isEqualTo(302);
        assertThat(identity(browser.request("PUT", "/v2/team/app/manifests/v1", "X-Portcullis-Csrf: 1")).name()).isEqualTo("erin@example.com");
        clock.now = clock.now.plus(Duration.ofHours(2)).plusSeconds(1);
        Outcome.Respond late = browser.respond("PUT", "/v2/team/app/manifests/v1", "X-Portcullis-Csrf: 1");
        assertThat(late.status()).as("an expired session is no session: anonymous, so 401").isEqualTo(401);
        assertThat(identity(browser.request("GET", "/v2/team/app/manifests/v1"))).as("anonymous read still works").isNull();
    }

    @Test
    void sessionsSurviveKeyRotationAndRestartsButNotAForeignKey() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-1", Map.of("email", "erin@example.com"));
        browser.login("mock", "/");
        String cookie = "Cookie: __Host-portcullis_session=" + browser.cookies.get("__Host-portcullis_session");
        SessionCookies rotated = new SessionCookies(ring.rotate(), Duration.ofHours(2), true, clock);
        assertThat(rotated.read(List.of(cookie.substring(8)))).as("an old key still opens").isPresent();
        SessionCookies foreign = new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true, clock);
        assertThat(foreign.read(List.of(cookie.substring(8)))).isEmpty();
        String tampered = cookie.substring(8, cookie.length() - 3) + (cookie.endsWith("A") ? "BBB" : "AAA");
        assertThat(rotated.read(List.of(tampered))).isEmpty();
    }

    @Test
    void callbackUiFollowsZotsRules() throws Exception {
        Portcullis p = portcullis(mockProvider());
        for (String[] c : new String[][] {{"https://ui.example.com/keys", "https://ui.example.com/keys"}, {"//evil.example/x", "/"},
                {"https://evil.example/", "/"}, {EXTERNAL + "/home", EXTERNAL + "/home"}}) {
            enqueue("u-1", Map.of("email", "erin@example.com"));
            Outcome.Respond done = new Browser(p, EXTERNAL).login("mock", java.net.URLEncoder.encode(c[0], StandardCharsets.UTF_8));
            assertThat(done.headers().get("Location")).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void nestedGroupClaimsAndAConfiguredUserNameClaim() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider().withClaims("preferred_username", "realm_access.roles")), EXTERNAL);
        enqueue("u-1", Map.of("preferred_username", "erin", "email", "erin@example.com",
                "realm_access", Map.of("roles", List.of("admins", "offline_access"))));
        browser.login("mock", "/");
        Identity who = identity(browser.request("DELETE", "/v2/team/app/manifests/v1", "X-Portcullis-Csrf: 1"));
        assertThat(who.name()).isEqualTo("erin");
        assertThat(who.groups()).containsExactly("admins", "offline_access");
    }

    @Test
    void anEmailTheProviderDoesNotVouchForNamesNobody() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-1", Map.of("email", "ceo@example.com", "email_verified", false));
        Outcome.Respond done = browser.login("mock", "/");
        assertThat(done.status()).isEqualTo(401);
        assertThat(done.bodyText()).contains("email_verified");
        assertThat(browser.cookies).doesNotContainKey("__Host-portcullis_session");
        mock.enqueueCallback(new DefaultOAuth2TokenCallback("default", "u-1", "JWT", List.of("registry"), Map.of("email", "ceo@example.com"), 3600));
        assertThat(new Browser(portcullis(mockProvider()), EXTERNAL).login("mock", "/").status()).as("no email_verified at all").isEqualTo(401);
    }

    @Test
    void aConfiguredUserNameClaimThatIsMissingFailsTheLoginClearly() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider().withClaims("preferred_username", "groups")), EXTERNAL);
        enqueue("u-1", Map.of("email", "erin@example.com"));
        Outcome.Respond done = browser.login("mock", "/");
        assertThat(done.status()).isEqualTo(401);
        assertThat(done.bodyText()).contains("no 'preferred_username' claim", "claimMapping.username");
        assertThat(browser.cookies).doesNotContainKey("__Host-portcullis_session");
    }

    @Test
    void threeHundredGroupsFitInTheCookie() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        List<String> groups = IntStream.range(0, 300).mapToObj(i -> "team-" + i).toList();
        enqueue("u-1", Map.of("email", "erin@example.com", "groups", groups));
        assertThat(browser.login("mock", "/").status()).isEqualTo(302);
        assertThat(browser.cookies.get("__Host-portcullis_session").length()).isLessThan(4000);
        assertThat(identity(browser.request("GET", "/v2/team/app/manifests/v1")).groups()).hasSize(300).containsAll(groups);
    }

    @Test
    void tooManyGroupsForACookieFailTheLoginWithAClearMessage() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        List<String> groups = IntStream.range(0, 3000).mapToObj(i -> "group-" + java.util.UUID.randomUUID()).toList();
        enqueue("u-1", Map.of("email", "erin@example.com", "groups", groups));
        Outcome.Respond done = browser.login("mock", "/");
        assertThat(done.status()).isEqualTo(500);
        assertThat(done.bodyText()).contains("3000 groups", "more than a browser keeps in a cookie");
        assertThat(browser.cookies).doesNotContainKey("__Host-portcullis_session");
    }

    @Test
    void loginRecordsGroupsForApiKeysAndTheSessionMintsKeysWithTheCsrfCheck() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-1", Map.of("email", "erin@example.com", "groups", List.of("artifact-workloads")));
        browser.login("mock", "/");
        Outcome.Respond crossSite = browser.respond("POST", "/auth/apikey", "Host: registry.example.com", "Origin: https://evil.example");
        assertThat(crossSite.status()).isEqualTo(403);
        Outcome.Respond created = browser.respond("POST", "/auth/apikey", "Host: registry.example.com", "X-Portcullis-Csrf: 1");
        assertThat(created.status()).as(created.bodyText()).isEqualTo(201);
        String token = JSON.readTree(created.body()).get("apiKey").asText();
        KeyVerification v = keys.verify(token);
        assertThat(v).isInstanceOf(KeyVerification.Valid.class);
        assertThat(((KeyVerification.Valid) v).groups()).containsExactly("artifact-workloads");
        assertThat(browser.respond("GET", "/auth/apikey").status()).as("listing needs no CSRF header").isEqualTo(200);
    }

    @Test
    void logoutClearsTheSessionAndNamesTheProvidersLogout() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-1", Map.of("email", "erin@example.com"));
        browser.login("mock", "/");
        assertThat(browser.respond("POST", "/auth/logout", "Host: registry.example.com", "Origin: https://evil.example").status()).isEqualTo(403);
        Outcome.Respond out = browser.respond("POST", "/auth/logout", "X-Portcullis-Csrf: 1");
        assertThat(out.status()).isEqualTo(200);
        JsonNode body = JSON.readTree(out.body());
        URI end = URI.create(body.get("endSessionUrl").asText());
        assertThat(end.toString()).startsWith(mock.issuerUrl("default").toString());
        assertThat(query(end)).containsKey("id_token_hint").containsEntry("post_logout_redirect_uri", EXTERNAL + "/");
        assertThat(browser.cookies).doesNotContainKey("__Host-portcullis_session");
        assertThat(browser.respond("GET", "/auth/logout").status()).isEqualTo(405);
    }

    // ------------------------------------------------------------------ what must fail

    @Test
    void providerErrorsAreAClear401() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        Outcome.Respond start = browser.respond("GET", "/auth/login?provider=mock");
        String state = query(URI.create(start.headers().get("Location"))).get("state");
        Outcome.Respond denied = browser.respond("GET", "/auth/callback/mock?error=access_denied&error_description=User%20said%20no&state=" + state,
                "Accept: text/html");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.contentType()).startsWith("text/html");
        assertThat(denied.bodyText()).contains("access_denied", "User said no");
    }

    @Test
    void aTamperedOrMissingStateOrTransactionIsRefused() throws Exception {
        Portcullis p = portcullis(mockProvider());
        Browser browser = new Browser(p, EXTERNAL);
        Outcome.Respond start = browser.respond("GET", "/auth/login?provider=mock");
        URI back = browser.providerRedirect(URI.create(start.headers().get("Location")));
        String tampered = back.toString().replaceAll("state=[^&]+", "state=forged");
        assertThat(browser.callback(URI.create(tampered)).status()).isEqualTo(401);

        Browser other = new Browser(p, EXTERNAL); // a callback in a browser that never started the login
        Outcome.Respond r = other.callback(back);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.bodyText()).contains("expired or was started in another browser");
        assertThat(p.handle(dev.portcullis.auth.TestRequest.of("GET", "/auth/login?provider=nope"))).satisfies(o ->
                assertThat(((Outcome.Respond) o).status()).isEqualTo(400));
    }

    @Test
    void aReplayedCallbackIsRefused() throws Exception {
        Browser browser = new Browser(portcullis(mockProvider()), EXTERNAL);
        enqueue("u-1", Map.of("email", "erin@example.com"));
        Outcome.Respond start = browser.respond("GET", "/auth/login?provider=mock");
        String loginCookie = browser.cookies.get("__Host-portcullis_login");
        URI back = browser.providerRedirect(URI.create(start.headers().get("Location")));
        assertThat(browser.callback(back).status()).isEqualTo(302);
        browser.cookies.clear();
        browser.cookies.put("__Host-portcullis_login", loginCookie); // an attacker replays the whole callback
        Outcome.Respond again = browser.callback(back);
        assertThat(again.status()).isEqualTo(401);
        assertThat(browser.cookies).doesNotContainKey("__Host-portcullis_session");
    }

    @Test
    void aProviderThatIsDownGives503AndLoginRecoversWhenItIsBackWhileSessionsKeepWorking() throws Exception {
        try (FakeProvider fake = new FakeProvider()) {
            Portcullis p = portcullis(OidcProviderSettings.of("fake", fake.issuer(), "registry", "secret"));
            Browser loggedIn = new Browser(p, EXTERNAL);
            assertThat(loggedIn.login("fake", "/").status()).isEqualTo(302);
            Browser midway = new Browser(p, EXTERNAL);
            URI back = midway.providerRedirect(URI.create(midway.respond("GET", "/auth/login?provider=fake").headers().get("Location")));
            fake.down = true;

            assertThat(identity(loggedIn.request("GET", "/v2/team/app/manifests/v1")).name()).as("sessions need no provider").isEqualTo("erin@example.com");
            Outcome.Respond tokenEndpointDown = midway.callback(back);
            assertThat(tokenEndpointDown.status()).isEqualTo(503);
            assertThat(tokenEndpointDown.bodyText()).contains("token endpoint failed", "try again shortly");
            Outcome.Respond neverDiscovered = new Browser(portcullis(OidcProviderSettings.of("fake", fake.issuer(), "registry", "secret")), EXTERNAL)
                    .respond("GET", "/auth/login?provider=fake");
            assertThat(neverDiscovered.status()).isEqualTo(503);
            assertThat(neverDiscovered.bodyText()).contains("cannot be reached");

            fake.down = false;
            assertThat(midway.login("fake", "/").status()).as("the same browser logs in once the provider is back").isEqualTo(302);
        }
        OidcProviderSettings refused = mockProvider();
        mock.shutdown();
        Outcome.Respond connectionRefused = new Browser(portcullis(refused), EXTERNAL).respond("GET", "/auth/login?provider=mock");
        assertThat(connectionRefused.status()).isEqualTo(503);
        assertThat(connectionRefused.bodyText()).contains("cannot be reached");
    }

    @Test
    void aHungOrGarbledProviderGives503WithinTheTimeoutWhileSessionsAndKeysKeepWorking() throws Exception {
        try (FakeProvider fake = new FakeProvider()) {
            OidcProviderSettings settings = OidcProviderSettings.of("fake", fake.issuer(), "registry", "secret");
            OidcLogin.Builder login = OidcLogin.builder().externalUrl(EXTERNAL).sessions(new SessionCookies(ring, Duration.ofHours(2), true, clock))
                    .retryAfter(Duration.ZERO).jwksRateLimit(Duration.ofMillis(1)).providerTimeout(Duration.ofMillis(500)).provider(settings);
            Portcullis p = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).apiKeys(keys).oidc(login.build())
                    .existence((repo, tag) -> false).build();
            Browser loggedIn = new Browser(p, EXTERNAL);
            assertThat(loggedIn.login("fake", "/").status()).isEqualTo(302);
            String key = keys.create(new ApiKeyService.KeyRequest("erin@example.com", List.of(), "ci", List.of(), null, "test")).token();
            Browser midway = new Browser(p, EXTERNAL);
            URI back = midway.providerRedirect(URI.create(midway.respond("GET", "/auth/login?provider=fake").headers().get("Location")));

            fake.hung = true;
            long start = System.nanoTime();
            Outcome.Respond hung = midway.callback(back);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(hung.status()).isEqualTo(503);
            assertThat(hung.bodyText()).contains("try again shortly");
            assertThat(waited).as("bounded by the 500 ms timeout, not by the provider").isLessThan(Duration.ofSeconds(5));
            assertThat(identity(loggedIn.request("GET", "/v2/team/app/manifests/v1")).name()).as("sessions need no provider").isEqualTo("erin@example.com");
            assertThat(identity(new Browser(p, EXTERNAL).request("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer " + key)).name())
                    .as("nor do API keys").isEqualTo("erin@example.com");

            fake.hung = false;
            Browser again = new Browser(p, EXTERNAL);
            URI back2 = again.providerRedirect(URI.create(again.respond("GET", "/auth/login?provider=fake").headers().get("Location")));
            fake.garbage = true;
            Outcome.Respond garbled = again.callback(back2);
            assertThat(garbled.status()).isEqualTo(503);
            assertThat(garbled.bodyText()).doesNotContain("hotel");

            fake.garbage = false;
            assertThat(new Browser(p, EXTERNAL).login("fake", "/").status()).as("and login recovers").isEqualTo(302);
        }
    }

    @Test
    void forgedIdTokensAreRefused() throws Exception {
        try (FakeProvider fake = new FakeProvider()) {
            Portcullis p = portcullis(OidcProviderSettings.of("fake", fake.issuer(), "registry", "secret"));
            Map<String, java.util.function.Function<FakeProvider.TokenRequest, String>> forgeries = new java.util.LinkedHashMap<>();
            forgeries.put("wrong issuer", r -> r.sign(r.standardClaims().issuer("https://evil.example").build()));
            forgeries.put("for another client", r -> r.sign(r.standardClaims().audience("another-client").build()));
            forgeries.put("for several clients, authorized party another", r -> r.sign(r.standardClaims()
                    .audience(List.of("registry", "another-client")).claim("azp", "another-client").build()));
            forgeries.put("wrong nonce", r -> r.sign(r.standardClaims().claim("nonce", "guessed").build()));
            forgeries.put("no nonce", r -> r.sign(r.standardClaims().claim("nonce", null).build()));
            forgeries.put("signed by another key with the same kid", r -> fake.sign(r.standardClaims().build(), FakeProvider.newKey("k1")));
            forgeries.put("alg none", r -> new PlainJWT(r.standardClaims().build()).serialize());
            forgeries.put("HS256 keyed with the public key", r -> {
                try {
                    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), r.standardClaims().build());
                    jwt.sign(new MACSigner(fake.key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
                    return jwt.serialize();
                } catch (com.nimbusds.jose.JOSEException e) {
                    throw new IllegalStateException(e);
                }
            });
            forgeries.put("tampered payload", r -> {
                String[] parts = r.sign(r.standardClaims().build()).split("\\.");
                String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8).replace("erin@", "admin@");
                return parts[0] + "." + Base64URL.encode(payload) + "." + parts[2];
            });
            forgeries.put("expired an hour ago", r -> r.sign(r.standardClaims()
                    .expirationTime(new java.util.Date(System.currentTimeMillis() - 3_600_000)).build()));
            forgeries.put("issued an hour in the future", r -> r.sign(r.standardClaims()
                    .issueTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build()));
            List<String> accepted = new ArrayList<>();
            for (var f : forgeries.entrySet()) {
                fake.idTokens = f.getValue();
                Browser browser = new Browser(p, EXTERNAL);
                Outcome.Respond done = browser.login("fake", "/");
                if (done.status() != 401 || browser.cookies.containsKey("__Host-portcullis_session")) {
                    accepted.add(f.getKey() + " → " + done.status() + " " + done.bodyText());
                }
            }
            assertThat(accepted).as("forgeries that got through").isEmpty();
        }
    }

    @Test
    void aUserInfoAboutSomeoneElseIsRefusedAndItsGroupsAreMergedOtherwise() throws Exception {
        try (FakeProvider fake = new FakeProvider()) {
            Portcullis p = portcullis(OidcProviderSettings.of("fake", fake.issuer(), "registry", "secret"));
            fake.userInfoSubject = "someone-else";
            Outcome.Respond mismatch = new Browser(p, EXTERNAL).login("fake", "/");
            assertThat(mismatch.status()).isEqualTo(401);
            assertThat(mismatch.bodyText()).contains("another subject");
            fake.userInfoSubject = "user-1";
            Browser ok = new Browser(p, EXTERNAL);
            assertThat(ok.login("fake", "/").status()).isEqualTo(302);
            assertThat(identity(ok.request("GET", "/v2/a/manifests/1")).groups()).containsExactly("from-userinfo");
        }
    }

    @Test
    void aRotatedProviderKeyIsFetchedOnItsUnknownKid() throws Exception {
        try (FakeProvider fake = new FakeProvider()) {
            Portcullis p = portcullis(OidcProviderSettings.of("fake", fake.issuer(), "registry", "secret"));
            assertThat(new Browser(p, EXTERNAL).login("fake", "/").status()).isEqualTo(302);
            int fetches = fake.jwksFetches.get();
            assertThat(new Browser(p, EXTERNAL).login("fake", "/").status()).isEqualTo(302);
            assertThat(fake.jwksFetches.get()).as("keys are cached").isEqualTo(fetches);
            fake.key = FakeProvider.newKey("k2");
            Outcome.Respond tooSoon = new Browser(p, EXTERNAL).login("fake", "/");
            assertThat(tooSoon.status()).as("within the rate limit an unknown kid is not fetched").isEqualTo(401);
            assertThat(fake.jwksFetches.get()).isEqualTo(fetches);
            clock.now = clock.now.plusMillis(1); // the rate limit (1 ms here) runs on the login's clock
            assertThat(new Browser(p, EXTERNAL).login("fake", "/").status()).isEqualTo(302);
            assertThat(fake.jwksFetches.get()).isEqualTo(fetches + 1);
        }
    }
}
