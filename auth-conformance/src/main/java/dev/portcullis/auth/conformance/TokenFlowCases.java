package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.auth.session.SessionKeyRing;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry token flow (the Docker registry token specification) through the adapter: the Bearer challenge that names
 * the token service, anonymous and key holders' tokens from {@code GET /auth/token}, the OAuth2 form, and what a token
 * grants on the registry API.
 */
abstract class TokenFlowCases extends LimitAndKeyEndpointCases {
    /** Restarts the server with the registry token flow on (the other cases keep zot's Basic challenge). */
    private void serveWithTokens() throws Exception {
        serve(b -> b.registryTokens(SessionKeyRing.generate(), Duration.ofMinutes(5)));
    }

    private String token(String query, String... headers) throws Exception {
        RawHttp.Response r = get("/auth/token?" + query, headers);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("expires_in").asInt()).isEqualTo(300);
        return body.get("token").asText();
    }

    @Test
    void theRegistryApiNamesTheTokenServiceAndAnAnonymousTokenPulls() throws Exception {
        serveWithTokens();
        String realm = "Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"" + REALM + "\"";
        RawHttp.Response ping = get("/v2/");
        assertThat(ping.status()).isEqualTo(401);
        assertThat(ping.header("WWW-Authenticate")).isEqualTo(realm);
        RawHttp.Response push = send("PUT", "/v2/team/app/manifests/v9");
        assertThat(push.header("WWW-Authenticate")).isEqualTo(realm + ",scope=\"repository:team/app:pull,push\"");

        String anonymous = "Authorization: Bearer " + token("service=" + REALM + "&scope=repository:team/app:pull,push");
        assertThat(get("/v2/", anonymous).status()).isEqualTo(200);
        RawHttp.Response pull = get("/v2/team/app/manifests/latest", anonymous);
        assertThat(pull.status()).isEqualTo(200);
        assertThat(pull.body()).isEqualTo("user=anonymous mountsDenied=");
        assertThat(send("PUT", "/v2/team/app/manifests/v9", anonymous).status()).isEqualTo(401);
    }

    @Test
    void aKeyHoldersTokenPushesWithinItsScopeAndWrongCredentialsGetNone() throws Exception {
        serveWithTokens();
        assertThat(get("/auth/token?service=" + REALM + "&scope=repository:team/app:pull", basic("ci", ciKey + "x")).status()).isEqualTo(401);
        String bearer = "Authorization: Bearer " + token("service=" + REALM + "&scope=repository:team/app:pull,push&account=ci", basic("ci", ciKey));
        RawHttp.Response push = send("PUT", "/v2/team/app/manifests/new-tag", bearer);
        assertThat(push.status()).isEqualTo(201);
        assertThat(push.body()).isEqualTo("user=ci mountsDenied=");
        assertThat(send("PUT", "/v2/library/base/manifests/new-tag", bearer).status()).as("outside the token's scope").isEqualTo(403);
        assertThat(send("PUT", "/v2/library/base/manifests/new-tag", basic("ci", ciKey)).status()).as("Basic keeps working").isEqualTo(201);
        // htpasswd users get tokens too
        String alice = "Authorization: Bearer " + token("service=" + REALM + "&scope=repository:infra/dns:pull", basic("alice", "alice-password"));
        assertThat(get("/v2/infra/dns/tags/list", alice).body()).isEqualTo("user=alice mountsDenied=");

        keys.revoke(ciKey.substring(4, ciKey.indexOf('_', 4)));
        assertThat(send("PUT", "/v2/team/app/manifests/other-tag", bearer).status()).as("the key's revocation ends its token").isEqualTo(401);
    }

    @Test
    void theOAuth2FormGivesATokenForAPassword() throws Exception {
        serveWithTokens();
        byte[] form = ("grant_type=password&service=" + REALM + "&client_id=containerd&username=ci&password=" + URLEncoder.encode(ciKey, StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode("repository:team/app:pull,push", StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        RawHttp.Response r = RawHttp.send(port, "POST", "/auth/token", List.of("Content-Type: application/x-www-form-urlencoded"), form);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String bearer = "Authorization: Bearer " + JSON.readTree(r.body()).get("access_token").asText();
        assertThat(send("PUT", "/v2/team/app/manifests/new-tag", bearer).status()).isEqualTo(201);
        byte[] wrong = ("grant_type=password&username=ci&password=nope").getBytes(StandardCharsets.UTF_8);
        assertThat(RawHttp.send(port, "POST", "/auth/token", List.of("Content-Type: application/x-www-form-urlencoded"), wrong).status()).isEqualTo(401);
    }
}
