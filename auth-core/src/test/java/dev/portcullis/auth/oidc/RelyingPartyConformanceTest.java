package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.PlainJWT;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenID Foundation's Basic RP certification checks, one test each, named after the profile's
 * test ids, against a provider this test controls. Where the profile lets an RP choose, the choice
 * is stated. Unsigned ID tokens ({@code rp-id_token-sig-none}) are always rejected: an RP that
 * talks to the token endpoint over TLS may accept them, but a relying party that accepts
 * {@code alg: none} anywhere invites downgrade mistakes, so Portcullis never does.
 */
class RelyingPartyConformanceTest {
    static final String EXTERNAL = "https://registry.example.com";
    FakeProvider op;
    Portcullis portcullis;

    @BeforeEach
    void start() throws Exception {
        op = new FakeProvider();
        OidcLogin login = OidcLogin.builder().externalUrl(EXTERNAL).jwksRateLimit(Duration.ofMillis(1))
                .sessions(new SessionCookies(SessionKeyRing.generate(), Duration.ofHours(2), true))
                .provider(OidcProviderSettings.of("op", op.issuer(), "registry", "secret").withScopes(List.of("openid", "profile", "email")))
                .build();
        portcullis = Portcullis.builder().policy(AccessPolicy.fromZotJson("{\"repositories\": {\"**\": {\"defaultPolicy\": [\"read\"]}}}"))
                .oidc(login).build();
    }

    @AfterEach
    void stop() {
        op.close();
    }

    private Outcome.Respond login() throws Exception {
        return new Browser(portcullis, EXTERNAL).login("op", "/");
    }

    private Identity loggedIn() throws Exception {
        Browser browser = new Browser(portcullis, EXTERNAL);
        Outcome.Respond done = browser.login("op", "/");
        assertThat(done.status()).as(done.bodyText()).isEqualTo(302);
        Outcome out = browser.request("GET", "/v2/a/manifests/1");
        assertThat(out).isInstanceOf(Outcome.Proceed.class);
        return ((Outcome.Proceed) out).identity();
    }

    private static void refused(Outcome.Respond r, String why) {
        assertThat(r.status()).as(r.bodyText()).isEqualTo(401);
        assertThat(r.bodyText()).contains(why);
    }

    @Test
    void rp_response_type_code() throws Exception {
        loggedIn();
        assertThat(op.lastAuthorizeQuery).containsEntry("response_type", "code").containsKeys("state", "nonce", "code_challenge")
                .containsEntry("code_challenge_method", "S256").containsEntry("client_id", "registry");
    }

    @Test
    void rp_nonce_invalid() throws Exception {
        op.idTokens = r -> r.sign(r.standardClaims().claim("nonce", "not-the-one-sent").build());
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_aud() throws Exception {
        op.idTokens = r -> r.sign(r.standardClaims().audience("someone-else").build());
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_iat() throws Exception {
        op.idTokens = r -> r.sign(r.standardClaims().issueTime(null).build());
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_issuer_mismatch() throws Exception {
        op.idTokens = r -> r.sign(r.standardClaims().issuer("https://example.org/").build());
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_bad_sig_rs256() throws Exception {
        op.idTokens = r -> {
            String[] parts = r.sign(r.standardClaims().build()).split("\\.");
            byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
            sig[0] ^= 1;
            return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        };
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_sig_none() throws Exception {
        op.idTokens = r -> new PlainJWT(r.standardClaims().build()).serialize();
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_kid_absent_single_jwks() throws Exception {
        op.idTokens = r -> op.sign(r.standardClaims().build(), op.key, null);
        assertThat(loggedIn().name()).isEqualTo("erin@example.com");
    }

    @Test
    void rp_id_token_kid_absent_multiple_jwks() throws Exception {
        // the profile allows rejecting or trying every published key; Nimbus tries each candidate key
        op.extraKeys = List.of(FakeProvider.newKey("k2"));
        op.idTokens = r -> op.sign(r.standardClaims().build(), op.key, null);
        assertThat(loggedIn().name()).as("verified with the key that signed it").isEqualTo("erin@example.com");
        op.idTokens = r -> op.sign(r.standardClaims().build(), FakeProvider.newKey("k3"), null);
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_id_token_sub() throws Exception {
        op.idTokens = r -> r.sign(r.standardClaims().subject(null).build());
        refused(login(), "ID token is not valid");
    }

    @Test
    void rp_key_rotation_op_sign_key() throws Exception {
        loggedIn();
        op.key = FakeProvider.newKey("rotated");
        assertThat(loggedIn().name()).as("the new key is fetched on its unknown kid").isEqualTo("erin@example.com");
    }

    @Test
    void rp_userinfo_bad_sub_claim() throws Exception {
        op.userInfoSubject = "another-subject";
        refused(login(), "another subject");
    }

    @Test
    void rp_userinfo_bearer_header() throws Exception {
        loggedIn();
        assertThat(op.lastUserInfoAuthorization).startsWith("Bearer at-");
    }

    @Test
    void rp_token_endpoint_client_secret_basic() throws Exception {
        loggedIn();
        String expected = "Basic " + Base64.getEncoder().encodeToString("registry:secret".getBytes(StandardCharsets.UTF_8));
        assertThat(op.lastTokenAuthorization).isEqualTo(expected);
        assertThat(op.lastTokenForm).doesNotContainKey("client_secret").containsEntry("grant_type", "authorization_code")
                .containsKey("code_verifier").containsEntry("redirect_uri", EXTERNAL + "/auth/callback/op");
    }

    @Test
    void rp_scope_userinfo_claims() throws Exception {
        op.idTokens = r -> r.sign(r.standardClaims().claim("email", null).claim("email_verified", null)
                .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        op.userInfoClaims = "\"email\":\"erin@example.com\",\"email_verified\":true,\"groups\":[\"from-userinfo\"]";
        Identity who = loggedIn();
        assertThat(op.lastAuthorizeQuery.get("scope")).isEqualTo("openid profile email");
        assertThat(who.name()).as("the email comes from UserInfo").isEqualTo("erin@example.com");
        assertThat(who.groups()).containsExactly("from-userinfo");
    }
}
