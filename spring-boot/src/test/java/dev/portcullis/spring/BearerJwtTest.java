package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bearer JWTs from a trusted issuer ({@code portcullis-oidc}), whose keys are found by OIDC discovery, on the libraries
 * in the versions Spring Boot manages: the OIDC SDK parses the discovery document with json-smart, which Boot pins (a
 * version older than the SDK's own). The issuer is a JDK HTTP server on 127.0.0.1.
 */
class BearerJwtTest {
    @TempDir
    static Path dir;
    private static HttpServer issuerServer;
    private static String issuer;
    private static RSAKey key;
    private static ConfigurableApplicationContext app;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        issuerServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort();
        serve("/.well-known/openid-configuration", "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\","
                + "\"jwks_uri\":\"" + issuer + "/jwks\",\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
        serve("/jwks", new JWKSet(key.toPublicJWK()).toString());
        issuerServer.start();
        Files.writeString(dir.resolve("config.json"), """
                {
                  "http": {
                    "realm": "jobs",
                    "auth": { "bearer": { "oidc": [ { "issuer": "%s", "audiences": ["registry"], "claimMapping": { "username": "claims.sub" } } ] } },
                    "accessControl": {
                      "repositories": { "**": { "anonymousPolicy": ["read"], "policies": [{ "users": ["ci-job"], "actions": ["read", "create"] }] } }
                    }
                  }
                }
                """.formatted(issuer));
        app = TestApps.start(RegistryApplication.class, Map.of("portcullis.config", dir.resolve("config.json").toString()));
        port = TestApps.port(app);
    }

    private static void serve(String path, String json) {
        issuerServer.createContext(path, exchange -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    @AfterAll
    static void stop() {
        app.close();
        issuerServer.stop(0);
    }

    private static String token(String audience) throws Exception {
        Date now = new Date();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), new JWTClaimsSet.Builder()
                .issuer(issuer).audience(audience).subject("ci-job").issueTime(now).expirationTime(new Date(now.getTime() + 300_000)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void aJobsTokenPushes() throws Exception {
        HttpResponse<String> push = send(port, "PUT", "/v2/team/app/manifests/from-job", "Bearer " + token("registry"));
        assertThat(push.statusCode()).as(push.body()).isEqualTo(201);
        assertThat(push.body()).isEqualTo("principal=ci-job identity=ci-job auth=PORTCULLIS_BEARER");
        assertThat(send(port, "PUT", "/v2/team/app/manifests/other-audience", "Bearer " + token("another-service")).statusCode())
                .isEqualTo(401);
    }

    @Test
    void theOidcSdkRunsOnTheJsonSmartBootManages() throws Exception {
        String boot = TestApps.bootManagedVersions().get("json-smart.version");
        String running = TestApps.versionOf(net.minidev.json.JSONObject.class);
        System.out.println("json-smart.version    Boot " + boot + "      running " + running);
        assertThat(running).isEqualTo(boot);
    }
}
