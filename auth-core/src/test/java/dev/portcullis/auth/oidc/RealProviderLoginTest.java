package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A full login against a real, certified OpenID Provider (oidc-provider 9.13.3 on Node), through its
 * own login and consent forms, with both client authentication methods; then an API key minted with
 * the session, and a push with that key. Needs {@code npm ci --prefix auth-core/src/test/oidc-provider}
 * (done by {@code .ci/run}); runs in the {@code e2e} profile.
 */
@Tag("e2e")
class RealProviderLoginTest {
    static final String EXTERNAL = "https://registry.example.com";
    static final String POLICY = """
            {"repositories": {"**": {"policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}], "anonymousPolicy": ["read"]}}}
            """;
    static OidcProviderProcess op;
    static ApiKeyService keys;
    static Portcullis portcullis;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        List<String> callbacks = List.of(EXTERNAL + "/auth/callback/op-basic", EXTERNAL + "/auth/callback/op-post",
                EXTERNAL + "/auth/callback/op-mismatch");
        op = OidcProviderProcess.start(List.of(
                        new OidcProviderProcess.Client("registry-basic", "basic-secret", "client_secret_basic", callbacks, List.of(EXTERNAL + "/")),
                        new OidcProviderProcess.Client("registry-post", "post-secret", "client_secret_post", callbacks, List.of(EXTERNAL + "/"))),
                List.of(new OidcProviderProcess.Account("sub-erin", "erin@example.com", "erin", List.of("artifact-workloads", "staff"), "erin-password")));
        keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
        List<String> scopes = List.of("openid", "email", "profile", "groups");
        OidcLogin login = OidcLogin.builder().externalUrl(EXTERNAL).sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true))
                .provider(OidcProviderSettings.of("op-basic", op.issuer(), "registry-basic", "basic-secret").withScopes(scopes))
                .provider(OidcProviderSettings.of("op-post", op.issuer(), "registry-post", "post-secret").withScopes(scopes)
                        .withClientAuth(OidcProviderSettings.ClientAuth.CLIENT_SECRET_POST))
                .provider(OidcProviderSettings.of("op-mismatch", op.issuer(), "registry-basic", "basic-secret").withScopes(scopes)
                        .withClientAuth(OidcProviderSettings.ClientAuth.CLIENT_SECRET_POST))
                .build();
        portcullis = Portcullis.builder().policy(AccessPolicy.fromZotJson(POLICY)).apiKeys(keys).oidc(login).existence((r, t) -> false).build();
    }

    @AfterAll
    static void stop() {
        if (op != null) {
            op.close();
        }
        if (keys != null) {
            keys.close();
        }
    }

    private static Outcome.Respond login(Browser browser, String provider, String password) throws Exception {
        Outcome.Respond start = browser.respond("GET", "/auth/login?provider=" + provider + "&callback_ui=/ui/keys");
        assertThat(start.status()).as(start.bodyText()).isEqualTo(302);
        return browser.callback(op.login(URI.create(start.headers().get("Location")), "erin", password));
    }

    @ParameterizedTest
    @ValueSource(strings = {"op-basic", "op-post"})
    void aUserLogsInMintsAKeyAndPushesWithIt(String provider) throws Exception {
        Browser browser = new Browser(portcullis, EXTERNAL);
        Outcome.Respond done = login(browser, provider, "erin-password");
        assertThat(done.status()).as(done.bodyText()).isEqualTo(302);
        assertThat(done.headers()).containsEntry("Location", "/ui/keys");

        Outcome session = browser.request("GET", "/v2/team/app/manifests/v1");
        assertThat(session).isInstanceOf(Outcome.Proceed.class);
        Identity who = ((Outcome.Proceed) session).identity();
        assertThat(who.name()).isEqualTo("erin@example.com");
        assertThat(who.groups()).containsExactly("artifact-workloads", "staff");

        Outcome.Respond minted = browser.respond("POST", "/auth/apikey", "X-Portcullis-Csrf: 1");
        assertThat(minted.status()).as(minted.bodyText()).isEqualTo(201);
        String key = JSON.readTree(minted.body()).get("apiKey").asText();
        String basic = Base64.getEncoder().encodeToString(("erin@example.com:" + key).getBytes(StandardCharsets.UTF_8));
        Outcome push = portcullis.handle(TestRequest.of("PUT", "/v2/team/app/manifests/pushed-with-key", "Authorization: Basic " + basic));
        assertThat(push).isInstanceOf(Outcome.Proceed.class);
        assertThat(((Outcome.Proceed) push).identity().method()).isEqualTo(Identity.AuthMethod.API_KEY);

        Outcome.Respond out = browser.respond("POST", "/auth/logout", "X-Portcullis-Csrf: 1");
        URI end = URI.create(JSON.readTree(out.body()).get("endSessionUrl").asText());
        assertThat(end.toString()).startsWith(op.issuer() + "/session/end?");
        assertThat(end.getRawQuery()).contains("id_token_hint=", "post_logout_redirect_uri=");
    }

    @Test
    void theProviderRefusesAClientThatAuthenticatesTheWrongWay() throws Exception {
        Outcome.Respond done = login(new Browser(portcullis, EXTERNAL), "op-mismatch", "erin-password");
        assertThat(done.status()).isEqualTo(401);
        assertThat(done.bodyText()).contains("refused the code", "invalid_client");
    }

    @Test
    void aWrongPasswordNeverReachesTheRegistry() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> login(new Browser(portcullis, EXTERNAL), "op-basic", "wrong"))
                .isInstanceOf(OidcProviderProcess.LoginRejectedException.class);
    }
}
