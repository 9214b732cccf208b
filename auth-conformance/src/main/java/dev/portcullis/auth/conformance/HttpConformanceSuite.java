package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.oidc.OidcProviderSettings;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP-level behaviour every adapter must show, run unchanged against each one: Jetty, Tomcat, Netty (with and
 * without an aggregator), and the JDK's own HTTP server as the reference adapter. To hold an adapter of your own to it,
 * depend on {@code dev.portcullis:portcullis-auth-conformance} in test scope and extend this class: {@link #start} starts
 * your server on 127.0.0.1 at an ephemeral port with the given pipeline in front of the suite's application,
 * {@link EchoApplication} (built over {@link #tags()}), and answers the port; {@link #stop} stops it;
 * {@link #containerAnswers} names the malformed requests your container refuses by itself before the pipeline sees them.
 *
 * <p>The cases are grouped by subject in this class's package-private superclasses: the canonical deployment
 * ({@code DeploymentCases}), hostile input ({@code HostileInputCases}), failures, limits and the key endpoints
 * ({@code LimitAndKeyEndpointCases}), the registry token flow ({@code TokenFlowCases}); this class holds OIDC login, sessions and bearer JWTs.
 *
 * <pre>{@code
 * class MyServerConformanceTest extends HttpConformanceSuite {
 *     private MyServer server;
 *
 *     protected int start(Portcullis portcullis) throws Exception {
 *         server = MyServer.start(portcullis, new EchoApplication(portcullis, tags()));
 *         return server.port();
 *     }
 *
 *     protected void stop() throws Exception {
 *         server.close();
 *     }
 * }
 * }</pre>
 */
public abstract class HttpConformanceSuite extends TokenFlowCases {
    /** Serves with OIDC login through the provider {@code corp} of {@code idp}; answers the registry's external URL. */
    private String serveWithLogin(MockOAuth2Server idp) throws Exception {
        String external = "https://registry.example.com";
        OidcLogin login = OidcLogin.builder().externalUrl(external)
                .sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true))
                .provider(OidcProviderSettings.of("corp", idp.issuerUrl("corp").toString(), "registry", "secret")).build();
        serve(b -> b.oidc(login));
        return external;
    }

    /** Follows the provider's redirect for an authorization URL; returns the registry-relative callback target. */
    private static String providerRoundTrip(@Nullable String authorizationUrl, String externalUrl) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        assertThat(authorizationUrl).as("the login's redirect to the provider").isNotNull();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(Objects.requireNonNull(authorizationUrl))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        String back = r.headers().firstValue("Location").orElseThrow();
        assertThat(back).startsWith(externalUrl);
        return back.substring(externalUrl.length());
    }

    private static String cookie(RawHttp.Response r, String name) {
        return r.headers().getOrDefault("set-cookie", List.of()).stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie in " + r.headers()));
    }

    @Test
    void theSelfServicePageMintsAndRevokesKeysThroughItsForms() throws Exception {
        String auth = basic("ops", "ops-password");
        RawHttp.Response page = get("/auth/", auth);
        assertThat(page.status()).isEqualTo(200);
        assertThat(String.valueOf(page.header("Content-Type")).replace(" ", "")).isEqualToIgnoringCase("text/html;charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).startsWith("default-src 'none'; ");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.body()).contains("Signed in as ops");
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(csrf.find()).isTrue();
        String form = "csrf=" + csrf.group(1) + "&action=create&label=from+the+page&lifetime=7&scopes=team%2F**%3Aread";
        RawHttp.Response created = RawHttp.send(port, "POST", "/auth/", List.of(auth, "Content-Type: application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.UTF_8));
        assertThat(created.status()).isEqualTo(200);
        java.util.regex.Matcher shown = java.util.regex.Pattern.compile("id=\"new-key\" class=\"secret\" readonly value=\"(pck_[^\"]+)\"")
                .matcher(created.body());
        assertThat(shown.find()).as(created.body()).isTrue();
        String key = shown.group(1);
        assertThat(get("/v2/team/app/manifests/latest", basic("ops", key)).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "POST", "/auth/", List.of(auth), "action=create&label=forged&lifetime=7".getBytes(StandardCharsets.UTF_8))
                .status()).as("a form without the page's token").isEqualTo(403);

        String id = key.substring(4, key.indexOf('_', 4));
        RawHttp.Response revoked = RawHttp.send(port, "POST", "/auth/", List.of(auth),
                ("csrf=" + csrf.group(1) + "&action=revoke&id=" + id).getBytes(StandardCharsets.UTF_8));
        assertThat(revoked.status()).isEqualTo(303);
        assertThat(revoked.header("Location")).isEqualTo("/auth/?notice=revoked");
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", key)));
        assertThat(keys.list("ops")).hasSize(1);
    }

    @Test
    void oidcLoginGivesASessionThatPushesMintsAKeyAndLogsOut() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String external = serveWithLogin(idp);
            idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-7", "JWT", List.of("registry"),
                    Map.of("email", "erin@example.com", "email_verified", true, "groups", List.of("artifact-workloads")), 3600));

            RawHttp.Response start = get("/auth/login?provider=corp&callback_ui=/ui/keys");
            assertThat(start.status()).isEqualTo(302);
            String loginCookie = cookie(start, "__Host-portcullis_login");
            RawHttp.Response done = get(providerRoundTrip(start.header("Location"), external), "Cookie: " + loginCookie);
            assertThat(done.status()).as(done.body()).isEqualTo(302);
            assertThat(done.header("Location")).isEqualTo("/ui/keys");
            assertThat(done.headers().get("set-cookie")).as("the login cookie cleared and the session set: two headers").hasSize(2);
            String session = "Cookie: " + cookie(done, "__Host-portcullis_session");

            assertThat(send("PUT", "/v2/team/app/manifests/from-browser", session, "Origin: https://elsewhere.example").status())
                    .as("a session write from another page").isEqualTo(403);
            RawHttp.Response push = send("PUT", "/v2/team/app/manifests/from-browser", session, "X-Portcullis-Csrf: 1");
            assertThat(push.status()).isEqualTo(201);
            assertThat(push.body()).isEqualTo("user=erin@example.com mountsDenied=");
            assertThat(send("DELETE", "/v2/team/app/manifests/from-browser", session, "X-Portcullis-Csrf: 1").status()).isEqualTo(403);

            assertThat(RawHttp.send(port, "POST", "/auth/apikey", List.of(session, "Origin: https://evil.example"), "{}".getBytes(StandardCharsets.UTF_8))
                    .status()).as("cross-site").isEqualTo(403);
            RawHttp.Response minted = RawHttp.send(port, "POST", "/auth/apikey", List.of(session, "X-Portcullis-Csrf: 1"),
                    "{\"label\": \"laptop\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(minted.status()).as(minted.body()).isEqualTo(201);
            String key = JSON.readTree(minted.body()).get("apiKey").asText();
            assertThat(send("PUT", "/v2/team/app/manifests/from-key", basic("erin@example.com", key)).status())
                    .as("the key carries the groups recorded at login").isEqualTo(201);

            RawHttp.Response out = send("POST", "/auth/logout", session, "X-Portcullis-Csrf: 1");
            assertThat(out.status()).isEqualTo(200);
            assertThat(JSON.readTree(out.body()).get("endSessionUrl").asText()).startsWith(idp.issuerUrl("corp").toString());
            assertThat(out.header("Set-Cookie")).startsWith("__Host-portcullis_session=;").contains("Max-Age=0");
        } finally {
            idp.shutdown();
        }
    }

    /** zot's rule, over HTTP: a callback_ui whose path holds an encoded backslash or slash sends the browser to '/'. */
    @ParameterizedTest
    @ValueSource(strings = {"/%5Cevil.example", "/%5cevil.example", "/%2Fevil.example", "/%2fevil.example"})
    void anEncodedSeparatorInCallbackUiSendsTheBrowserHome(String callbackUi) throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String external = serveWithLogin(idp);
            idp.enqueueCallback(new DefaultOAuth2TokenCallback("corp", "u-7", "JWT", List.of("registry"),
                    Map.of("email", "erin@example.com", "email_verified", true), 3600));
            RawHttp.Response start = get("/auth/login?provider=corp&callback_ui=" + java.net.URLEncoder.encode(callbackUi, StandardCharsets.UTF_8));
            assertThat(start.status()).isEqualTo(302);
            RawHttp.Response done = get(providerRoundTrip(start.header("Location"), external), "Cookie: " + cookie(start, "__Host-portcullis_login"));
            assertThat(done.status()).as(done.body()).isEqualTo(302);
            assertThat(done.header("Location")).isEqualTo("/");
        } finally {
            idp.shutdown();
        }
    }

    /** A session or login cookie that does not open (garbled, forged, planted) is no cookie: anonymous, never an error. */
    @ParameterizedTest
    @ValueSource(strings = {"e30.a.b.c.d", "e30....", "bnVsbA.a.b.c.d", "W10.a.b.c.d", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoxfQ.a.b.c.d",
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiWm1oNnJmaGkifQ..AAAAAAAAAAAAAAAA.AAAA.AA", "....."})
    void aCookieThatDoesNotOpenIsNoSessionNeverAnError(String garbled) throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            OidcLogin login = OidcLogin.builder().externalUrl("http://127.0.0.1")
                    .sessions(new SessionCookies(SessionKeyRing.of(List.of(new byte[32])), Duration.ofHours(2), false))
                    .provider(OidcProviderSettings.of("corp", idp.issuerUrl("corp").toString(), "registry", "secret")).build();
            serve(b -> b.oidc(login));
            String session = "Cookie: portcullis_session=" + garbled;
            RawHttp.Response pull = get("/v2/team/app/manifests/latest", session);
            assertThat(pull.status()).isEqualTo(200);
            assertThat(pull.body()).isEqualTo("user=anonymous mountsDenied=");
            assertUnauthorized(send("PUT", "/v2/team/app/manifests/v1", session, "X-Portcullis-Csrf: 1"));
            assertThat(get("/auth/", session).status()).as("the self-service page, logged out").isEqualTo(200);
            assertThat(send("POST", "/auth/logout", session, "X-Portcullis-Csrf: 1").status()).isEqualTo(200);
            RawHttp.Response callback = get("/auth/callback/corp?code=c&state=s", "Cookie: portcullis_login=" + garbled);
            assertThat(callback.status()).as(callback.body()).isEqualTo(401);
        } finally {
            idp.shutdown();
        }
    }

    @Test
    void aBearerJwtFromATrustedIssuerAuthenticatesAndAnyOtherGets401() throws Exception {
        MockOAuth2Server ci = new MockOAuth2Server();
        ci.start(InetAddress.getByName("127.0.0.1"), 0);
        try {
            String issuer = ci.issuerUrl("ci").toString();
            serve(b -> b.bearerJwt(new BearerJwt(List.of(new BearerJwt.TrustedIssuer(issuer, List.of("registry"), "claims.sub", "groups", null, Map.of())))));
            String job = ci.issueToken("ci", "job", new DefaultOAuth2TokenCallback("ci", "pipeline-42", "JWT", List.of("registry"),
                    Map.of("groups", List.of("artifact-workloads")), 300)).serialize();
            RawHttp.Response r = send("PUT", "/v2/team/app/manifests/from-ci", "Authorization: Bearer " + job);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.body()).isEqualTo("user=pipeline-42 mountsDenied=");
            String foreign = ci.issueToken("ci", "job", new DefaultOAuth2TokenCallback("ci", "pipeline-42", "JWT", List.of("another-service"),
                    Map.of(), 300)).serialize();
            assertUnauthorized(send("PUT", "/v2/team/app/manifests/from-ci", "Authorization: Bearer " + foreign));
        } finally {
            ci.shutdown();
        }
    }
}
