package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.policy.InvalidPolicyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zot's external token server ({@code http.auth.bearer} realm, service, cert) from a zot config: the challenge names
 * it, its tokens grant what their access claim says and nothing else (the policy is not asked, as in zot), and a token
 * without expiry, for another service, or not signed by its key is refused.
 */
class ExternalTokenServerTest {
    @TempDir
    Path dir;

    final RSAKey key = generate();
    final RSAKey other = generate();

    static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyID("ts").generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    Portcullis portcullis(Path cert) {
        return PortcullisConfig.parse("""
                {"http": {"realm": "zot", "auth": {"bearer": {"realm": "https://auth.example/token", "service": "zot-registry", "cert": "%s"}},
                  "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}}}
                """.formatted(cert.toString()), dir).build();
    }

    Path pem() throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.toRSAPublicKey().getEncoded());
        return Files.writeString(dir.resolve("key.pem"), "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
    }

    String token(RSAKey signer, String sub, Object aud, Instant exp, List<Map<String, Object>> access) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer("token-server").subject(sub).issueTime(new Date()).claim("access", access);
        if (aud != null) {
            claims.claim("aud", aud);
        }
        if (exp != null) {
            claims.expirationTime(Date.from(exp));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ts").build(), claims.build());
        jwt.sign(new RSASSASigner(signer));
        return "Authorization: Bearer " + jwt.serialize();
    }

    @Test
    void itsTokensGrantWhatTheirAccessClaimSaysAndTheChallengeNamesIt() throws Exception {
        Portcullis p = portcullis(pem());
        Outcome.Respond ping = (Outcome.Respond) p.handle(TestRequest.of("GET", "/v2/"));
        assertThat(ping.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"https://auth.example/token\",service=\"zot-registry\"");
        Instant exp = Instant.now().plusSeconds(300);
        String push = token(key, "ci", "zot-registry", exp, List.of(Map.of("type", "repository", "name", "team/app", "actions", List.of("pull", "push"))));
        Outcome allowed = p.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", push));
        assertThat(allowed).as("the policy grants ci nothing; the token grants push").isInstanceOf(Outcome.Proceed.class);
        assertThat(((Outcome.Proceed) allowed).identity().method()).isEqualTo(Identity.AuthMethod.EXTERNAL_TOKEN);
        Outcome.Respond elsewhere = (Outcome.Respond) p.handle(TestRequest.of("PUT", "/v2/team/other/manifests/v1", push));
        assertThat(elsewhere.status()).isEqualTo(403);
        assertThat(((Outcome.Respond) p.handle(TestRequest.of("DELETE", "/v2/team/app/manifests/v1", push))).status()).isEqualTo(403);

        String expiredEntry = token(key, "ci", null, exp, List.of(Map.of("type", "repository", "name", "team/app", "actions", List.of("push"),
                "exp", Instant.now().minusSeconds(1).getEpochSecond())));
        assertThat(((Outcome.Respond) p.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", expiredEntry))).status()).isEqualTo(403);
    }

    @Test
    void aTokenWithoutExpiryForAnotherServiceOrOfAnotherKeyIsRefused() throws Exception {
        Portcullis p = portcullis(pem());
        List<Map<String, Object>> access = List.of(Map.of("type", "repository", "name", "team/app", "actions", List.of("push")));
        Instant exp = Instant.now().plusSeconds(300);
        for (String refused : List.of(token(key, "ci", "zot-registry", null, access), token(key, "ci", "another-registry", exp, access),
                token(other, "ci", "zot-registry", exp, access), token(key, "ci", "zot-registry", Instant.now().minusSeconds(5), access))) {
            assertThat(((Outcome.Respond) p.handle(TestRequest.of("PUT", "/v2/team/app/manifests/v1", refused))).status()).isEqualTo(401);
        }
    }

    @Test
    void theKeyIsReadFromAJwksOrRefusedNamingTheFile() throws Exception {
        Path jwks = Files.writeString(dir.resolve("keys.json"), new JWKSet(key.toPublicJWK()).toString());
        Portcullis p = portcullis(jwks);
        String push = token(key, "ci", "zot-registry", Instant.now().plusSeconds(60), List.of(Map.of("type", "repository", "name", "team/app",
                "actions", List.of("*"))));
        assertThat(p.handle(TestRequest.of("DELETE", "/v2/team/app/manifests/v1", push))).isInstanceOf(Outcome.Proceed.class);
        Path two = Files.writeString(dir.resolve("two.json"), new JWKSet(List.of(key.toPublicJWK(), other.toPublicJWK())).toString());
        assertThatThrownBy(() -> portcullis(two)).isInstanceOf(InvalidPolicyException.class).hasMessageContaining("exactly one key");
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a key");
        assertThatThrownBy(() -> portcullis(junk)).isInstanceOf(InvalidPolicyException.class).hasMessageContaining("junk.pem");
    }
}
