package dev.portcullis.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The harness against the real oidc-provider: discovery, a full code flow with each client auth method, refusals. */
@Tag("e2e")
class OidcProviderProcessTest {
    static final String CALLBACK = "http://127.0.0.1:1/callback"; // never contacted: login() stops at the redirect
    static final OidcProviderProcess.Client BASIC = new OidcProviderProcess.Client("portcullis-basic", "basic-secret",
            "client_secret_basic", List.of(CALLBACK), List.of("http://127.0.0.1:1/"));
    static final OidcProviderProcess.Client POST = new OidcProviderProcess.Client("portcullis-post", "post-secret",
            "client_secret_post", List.of(CALLBACK), List.of("http://127.0.0.1:1/"));
    static final OidcProviderProcess.Account ALICE = new OidcProviderProcess.Account("alice-sub", "alice@example.test",
            "alice", List.of("developers", "release-managers"), "alice-password");
    static final OidcProviderProcess.Account BOB = new OidcProviderProcess.Account("bob-sub", "bob@example.test",
            "bob", List.of(), "bob-password");

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final SecureRandom RANDOM = new SecureRandom();

    static OidcProviderProcess provider;
    static JsonNode discovery;

    @BeforeAll
    static void start() throws Exception {
        long started = System.nanoTime();
        provider = OidcProviderProcess.start(List.of(BASIC, POST), List.of(ALICE, BOB));
        System.out.printf("oidc-provider listening at %s after %d ms%n", provider.issuer(), (System.nanoTime() - started) / 1_000_000);
        discovery = JSON.readTree(get(URI.create(provider.issuer() + "/.well-known/openid-configuration")).body());
    }

    @AfterAll
    static void stop() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void discoveryAdvertisesTheIssuerLogoutPkceAndBothSecretMethods() {
        assertThat(provider.issuer()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(discovery.path("issuer").asText()).isEqualTo(provider.issuer());
        assertThat(discovery.path("end_session_endpoint").asText()).isEqualTo(provider.issuer() + "/session/end");
        assertThat(texts(discovery.path("code_challenge_methods_supported"))).containsExactly("S256");
        assertThat(texts(discovery.path("response_types_supported"))).containsExactly("code");
        assertThat(texts(discovery.path("token_endpoint_auth_methods_supported")))
                .containsExactlyInAnyOrder("client_secret_basic", "client_secret_post");
        assertThat(texts(discovery.path("scopes_supported"))).contains("openid", "profile", "email", "groups");
        assertThat(texts(discovery.path("claims_supported"))).contains("email", "preferred_username", "groups");
    }

    @Test
    void codeFlowWithClientSecretBasicCarriesEmailGroupsAndNonceAndTheCodeWorksOnce() throws Exception {
        Pkce pkce = Pkce.create();
        String state = random();
        String nonce = random();
        URI callback = provider.login(authorizationUrl(BASIC, state, nonce, pkce.challenge()), "alice", "alice-password");

        Map<String, String> params = query(callback);
        assertThat(callback.toString()).startsWith(CALLBACK + "?");
        assertThat(params).containsKey("code").containsEntry("state", state).containsEntry("iss", provider.issuer());

        HttpResponse<String> tokens = exchange(BASIC, params.get("code"), pkce.verifier());
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(tokens.body());
        JWTClaimsSet id = SignedJWT.parse(body.path("id_token").asText()).getJWTClaimsSet();
        assertThat(id.getIssuer()).isEqualTo(provider.issuer());
        assertThat(id.getAudience()).containsExactly(BASIC.id());
        assertThat(id.getSubject()).isEqualTo("alice-sub");
        assertThat(id.getStringClaim("nonce")).isEqualTo(nonce);
        assertThat(id.getStringClaim("email")).isEqualTo("alice@example.test");
        assertThat(id.getStringListClaim("groups")).containsExactly("developers", "release-managers");

        String accessToken = body.path("access_token").asText();
        assertThat(userInfo(accessToken).statusCode()).isEqualTo(200);

        HttpResponse<String> replay = exchange(BASIC, params.get("code"), pkce.verifier());
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(replay.body()).path("error").asText()).isEqualTo("invalid_grant");
        // oidc-provider also revokes what the code had yielded once it sees the code replayed
        assertThat(userInfo(accessToken).statusCode()).isEqualTo(401);
    }

    @Test
    void codeFlowWithClientSecretPostAndUserInfo() throws Exception {
        Pkce pkce = Pkce.create();
        String state = random();
        String nonce = random();
        URI callback = provider.login(authorizationUrl(POST, state, nonce, pkce.challenge()), "bob@example.test", "bob-password");
        Map<String, String> params = query(callback);
        assertThat(params).containsKey("code").containsEntry("state", state);

        HttpResponse<String> tokens = exchange(POST, params.get("code"), pkce.verifier());
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(tokens.body());
        JWTClaimsSet id = SignedJWT.parse(body.path("id_token").asText()).getJWTClaimsSet();
        assertThat(id.getAudience()).containsExactly(POST.id());
        assertThat(id.getStringClaim("nonce")).isEqualTo(nonce);
        assertThat(id.getStringClaim("email")).isEqualTo("bob@example.test");
        assertThat(id.getStringListClaim("groups")).isEmpty();

        HttpResponse<String> userInfo = userInfo(body.path("access_token").asText());
        assertThat(userInfo.statusCode()).as(userInfo.body()).isEqualTo(200);
        JsonNode claims = JSON.readTree(userInfo.body());
        assertThat(claims.path("sub").asText()).isEqualTo("bob-sub");
        assertThat(claims.path("email").asText()).isEqualTo("bob@example.test");
        assertThat(claims.path("groups").isArray()).isTrue();
    }

    @Test
    void eachClientMustAuthenticateWithItsRegisteredMethod() throws Exception {
        // oidc-provider alone would take either; server.mjs holds a client to its registered method
        for (OidcProviderProcess.Client client : List.of(BASIC, POST)) {
            Pkce pkce = Pkce.create();
            URI callback = provider.login(authorizationUrl(client, random(), random(), pkce.challenge()), "alice", "alice-password");
            String otherMethod = client.authMethod().equals("client_secret_basic") ? "client_secret_post" : "client_secret_basic";
            OidcProviderProcess.Client wrongMethod = new OidcProviderProcess.Client(client.id(), client.secret(), otherMethod,
                    client.redirectUris(), client.postLogoutRedirectUris());
            HttpResponse<String> tokens = exchange(wrongMethod, query(callback).get("code"), pkce.verifier());
            assertThat(tokens.statusCode()).as(client.id() + " with " + otherMethod + ": " + tokens.body()).isEqualTo(401);
            assertThat(JSON.readTree(tokens.body()).path("error").asText()).isEqualTo("invalid_client");
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownLoginShowsTheLoginFormAgainAndYieldsNoCode() {
        assertThatThrownBy(() -> provider.login(authorizationUrl(BASIC, random(), random(), Pkce.create().challenge()), "alice", "wrong"))
                .isInstanceOf(OidcProviderProcess.LoginRejectedException.class)
                .hasMessageContaining("'alice'")
                .hasMessageContaining("Invalid login or password.");
        assertThatThrownBy(() -> provider.login(authorizationUrl(BASIC, random(), random(), Pkce.create().challenge()), "mallory", "alice-password"))
                .isInstanceOf(OidcProviderProcess.LoginRejectedException.class);
    }

    @Test
    void withoutAPkceChallengeTheClientGetsAnErrorRedirect() throws Exception {
        String state = random();
        URI url = URI.create(authorizationUrl(BASIC, state, random(), "x").toString().replaceAll("&code_challenge(_method)?=[^&]*", ""));
        assertThat(url.getQuery()).doesNotContain("code_challenge");
        Map<String, String> params = query(provider.login(url, "alice", "alice-password"));
        assertThat(params).doesNotContainKey("code").containsEntry("error", "invalid_request").containsEntry("state", state);
    }

    @Test
    void anUnregisteredRedirectUriGetsTheProvidersErrorPageShownInAnAssertionError() {
        URI url = URI.create(authorizationUrl(BASIC, random(), random(), "x").toString()
                .replace(enc(CALLBACK), enc("http://127.0.0.1:2/elsewhere")));
        assertThatThrownBy(() -> provider.login(url, "alice", "alice-password"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected the provider's login or consent form")
                .hasMessageContaining("invalid_redirect_uri");
    }

    @Test
    void aProviderThatCannotStartFailsTheStartWithItsReason() {
        OidcProviderProcess.Client invalid = new OidcProviderProcess.Client("invalid", "secret", "client_secret_basic",
                List.of("not a uri"), List.of());
        assertThatThrownBy(() -> OidcProviderProcess.start(List.of(invalid), List.of(ALICE)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with code 2 before listening")
                .hasMessageContaining("client \"invalid\" is invalid: invalid_redirect_uri");
    }

    // --- a relying party's side, by hand

    record Pkce(String verifier, String challenge) {
        static Pkce create() throws Exception {
            String verifier = random() + random();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
        }
    }

    static URI authorizationUrl(OidcProviderProcess.Client client, String state, String nonce, String codeChallenge) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("client_id", client.id());
        p.put("redirect_uri", CALLBACK);
        p.put("response_type", "code");
        p.put("scope", "openid email groups");
        p.put("state", state);
        p.put("nonce", nonce);
        p.put("code_challenge", codeChallenge);
        p.put("code_challenge_method", "S256");
        return URI.create(discovery.path("authorization_endpoint").asText() + "?" + form(p));
    }

    static HttpResponse<String> exchange(OidcProviderProcess.Client client, String code, String verifier) throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "authorization_code");
        p.put("code", code);
        p.put("redirect_uri", CALLBACK);
        p.put("code_verifier", verifier);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(discovery.path("token_endpoint").asText()))
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (client.authMethod().equals("client_secret_basic")) {
            String credentials = enc(client.id()) + ":" + enc(client.secret());
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        } else {
            p.put("client_id", client.id());
            p.put("client_secret", client.secret());
        }
        return HTTP.send(request.POST(HttpRequest.BodyPublishers.ofString(form(p))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> userInfo(String accessToken) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(discovery.path("userinfo_endpoint").asText()))
                .header("Authorization", "Bearer " + accessToken).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI uri) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + uri + ": " + response.body()).isEqualTo(200);
        return response;
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    static String form(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return sb.toString();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static List<String> texts(JsonNode array) {
        return array.valueStream().map(JsonNode::asText).toList();
    }
}
