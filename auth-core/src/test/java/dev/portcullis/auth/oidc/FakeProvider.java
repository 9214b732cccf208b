package dev.portcullis.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A deliberately misbehaving OpenID Provider for the negative cases a real provider never
 * produces (a forged signature, alg none, HS256 keyed with the public key, a rotated key, a
 * UserInfo about someone else). One JDK HTTP server on 127.0.0.1; the ID token is whatever
 * {@link #idTokens} makes of the request.
 */
final class FakeProvider implements AutoCloseable {
    /** What the token endpoint knows when it makes an ID token. */
    record TokenRequest(String issuer, String clientId, String nonce, FakeProvider provider) {
        JWTClaimsSet.Builder standardClaims() {
            Date now = new Date();
            return new JWTClaimsSet.Builder().issuer(issuer).audience(clientId).subject("user-1").issueTime(now)
                    .expirationTime(new Date(now.getTime() + 300_000)).claim("nonce", nonce).claim("email", "erin@example.com")
                    .claim("email_verified", true);
        }

        String sign(JWTClaimsSet claims) {
            return provider.sign(claims, provider.key);
        }
    }

    private final HttpServer server;
    private final String issuer;
    volatile RSAKey key;
    /** Published besides {@link #key} (e.g. a second key for the multiple-keys cases). */
    volatile List<RSAKey> extraKeys = List.of();
    /** The UserInfo claims besides {@code sub}. */
    volatile String userInfoClaims = "\"groups\":[\"from-userinfo\"]";
    /** What the last token and UserInfo requests carried, for checking how the client called. */
    volatile Map<String, String> lastTokenForm = Map.of();
    volatile String lastTokenAuthorization;
    volatile String lastUserInfoAuthorization;
    volatile Map<String, String> lastAuthorizeQuery = Map.of();
    volatile Function<TokenRequest, String> idTokens = r -> r.sign(r.standardClaims().build());
    volatile String userInfoSubject = "user-1";
    /** When set, every endpoint answers 503, like a provider behind a load balancer with no healthy node. */
    volatile boolean down;
    /** When set, every endpoint holds the request without answering until the provider is closed (a hung provider). */
    volatile boolean hung;
    /** When set, every endpoint answers 200 with a body that is not JSON (a captive portal, a misrouted proxy). */
    volatile boolean garbage;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
    final AtomicInteger jwksFetches = new AtomicInteger();
    final AtomicInteger discoveryFetches = new AtomicInteger();
    private final Map<String, String> nonces = new ConcurrentHashMap<>();
    private final Map<String, com.sun.net.httpserver.HttpHandler> contexts = new java.util.LinkedHashMap<>();

    FakeProvider() throws IOException {
        key = newKey("k1");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        contexts.put("/.well-known/openid-configuration", x -> discovery(x, "{\"issuer\":\"" + issuer + "\","
                + "\"authorization_endpoint\":\"" + issuer + "/authorize\",\"token_endpoint\":\"" + issuer + "/token\","
                + "\"userinfo_endpoint\":\"" + issuer + "/userinfo\",\"jwks_uri\":\"" + issuer + "/jwks\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        contexts.put("/authorize", this::authorize);
        contexts.put("/token", this::token);
        contexts.put("/userinfo", x -> {
            lastUserInfoAuthorization = x.getRequestHeaders().getFirst("Authorization");
            json(x, 200, "{\"sub\":\"" + userInfoSubject + "\"" + (userInfoClaims.isEmpty() ? "" : "," + userInfoClaims) + "}");
        });
        contexts.put("/jwks", x -> {
            jwksFetches.incrementAndGet();
            List<com.nimbusds.jose.jwk.JWK> published = new java.util.ArrayList<>();
            published.add(key.toPublicJWK());
            extraKeys.forEach(k -> published.add(k.toPublicJWK()));
            json(x, 200, new JWKSet(published).toString());
        });
        contexts.forEach((path, handler) -> server.createContext(path, x -> {
            if (down) {
                json(x, 503, "{\"error\":\"temporarily_unavailable\"}");
            } else if (hung) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                x.close();
            } else if (garbage) {
                byte[] page = "<html><body>Please sign in to the hotel Wi-Fi</body></html>\u0000{".getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(200, page.length);
                x.getResponseBody().write(page);
                x.close();
            } else {
                handler.handle(x);
            }
        }));
        server.setExecutor(threads);
        server.start();
    }

    private void discovery(HttpExchange x, String document) throws IOException {
        discoveryFetches.incrementAndGet();
        json(x, 200, document);
    }

    String issuer() {
        return issuer;
    }

    static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    String sign(JWTClaimsSet claims, RSAKey with) {
        return sign(claims, with, with.getKeyID());
    }

    /** Signs with {@code with}, naming {@code kid} in the header ({@code null}: no kid at all). */
    String sign(JWTClaimsSet claims, RSAKey with, String kid) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
            jwt.sign(new RSASSASigner(with));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        lastAuthorizeQuery = q;
        String code = UUID.randomUUID().toString();
        nonces.put(code, q.getOrDefault("nonce", ""));
        x.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state=" + q.get("state"));
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private void token(HttpExchange x) throws IOException {
        Map<String, String> form = query(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        lastTokenForm = form;
        lastTokenAuthorization = x.getRequestHeaders().getFirst("Authorization");
        String nonce = nonces.remove(form.get("code"));
        if (nonce == null) {
            json(x, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        String idToken = idTokens.apply(new TokenRequest(issuer, "registry", nonce, this));
        json(x, 200, "{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"token_type\":\"Bearer\",\"expires_in\":300,\"id_token\":\"" + idToken + "\"}");
    }

    /** A query string or form body, decoded; also the GitHub stand-in's. */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void json(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    URI base() {
        return URI.create(issuer);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
