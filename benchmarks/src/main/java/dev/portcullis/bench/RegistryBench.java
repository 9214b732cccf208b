package dev.portcullis.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.examples.registry.RegistryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * The example registry set up for {@code scripts/bench.sh}: started with or without Portcullis, on
 * Jetty or Netty, with one small blob and one manifest, and a credential for every mode — a cached
 * API key (Basic and Bearer), a session cookie (one group, and 300 groups), bearer JWTs (RS256,
 * ES256) from issuers whose keys a local JWKS server hands out. Prints {@code KEY=VALUE} lines the
 * script reads, then serves until its standard input closes.
 *
 * <pre>java -cp benchmarks.jar dev.portcullis.bench.RegistryBench jetty|netty protected|baseline DATA_DIR [PATTERNS] [oci|maven] [tls]</pre>
 *
 * <p>With {@code tls}, the registry serves HTTPS (zot's {@code http.tls}) and asks for client certificates, which are
 * credentials ({@code http.tls.cacert}): the certificate authority, a client certificate of it and its key are written to
 * DATA_DIR and printed as TLS_CA, TLS_CERT and TLS_KEY, for a client that presents it (the bench loads it with TlsLoad).
 * With {@code PATTERNS} > 0, the policy holds that many repository patterns (the 10,000-pattern worst case). With
 * {@code maven}, the example's Maven repositories instead of the OCI registry: {@code BLOB} is then a 1 KiB jar and
 * {@code MANIFEST} its artifact's {@code maven-metadata.xml}.
 */
public final class RegistryBench {
    /** The client the seeding and the token request use: over TLS when the registry serves it. */
    private static HttpClient http = HttpClient.newHttpClient();

    private RegistryBench() {
    }

    public static void main(String[] args) throws Exception {
        RegistryServer.Kind kind = RegistryServer.Kind.valueOf(args[0].toUpperCase(java.util.Locale.ROOT));
        boolean protect = args[1].equals("protected");
        Path data = Path.of(args[2]).toAbsolutePath();
        int patterns = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        RegistryServer.Store what = args.length > 4 ? RegistryServer.Store.valueOf(args[4].toUpperCase(java.util.Locale.ROOT))
                : RegistryServer.Store.OCI;
        Files.createDirectories(data);
        boolean tls = args.length > 5 && args[5].equals("tls");
        dev.portcullis.auth.conformance.TestPki ca = dev.portcullis.auth.conformance.TestPki.create("Bench CA");
        if (tls) {
            ca.server().writePem(data.resolve("server.cert"), data.resolve("server.key"));
            ca.writePem(data.resolve("ca.pem"));
            ca.client("CN=lena", List.of(), Duration.ZERO).writePem(data.resolve("client.cert"), data.resolve("client.key"));
        }
        http = tls ? HttpClient.newBuilder().sslContext(ca.clientContext(null)).build() : HttpClient.newHttpClient();

        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rs").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("es").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve(jwks, "/rs/jwks", rsa);
        serve(jwks, "/es/jwks", ec);
        jwks.start();
        String base = "http://127.0.0.1:" + jwks.getAddress().getPort();

        // an LDAP directory for the ldap-basic mode: UnboundID's in-memory server, in this process (a cached bind never asks it)
        com.unboundid.ldap.listener.InMemoryDirectoryServerConfig ldapConfig = new com.unboundid.ldap.listener.InMemoryDirectoryServerConfig(
                "dc=example,dc=org");
        ldapConfig.setListenerConfigs(com.unboundid.ldap.listener.InMemoryListenerConfig.createLDAPConfig("plain",
                java.net.InetAddress.getByName("127.0.0.1"), 0, null));
        ldapConfig.setSchema(null);
        com.unboundid.ldap.listener.InMemoryDirectoryServer ldap = new com.unboundid.ldap.listener.InMemoryDirectoryServer(ldapConfig);
        ldap.add("dn: dc=example,dc=org", "objectClass: domain", "dc: example");
        ldap.add("dn: ou=Users,dc=example,dc=org", "objectClass: organizationalUnit", "ou: Users");
        ldap.add("dn: uid=lena,ou=Users,dc=example,dc=org", "objectClass: inetOrgPerson", "uid: lena", "cn: Lena", "sn: L",
                "userPassword: lena-password", "memberOf: artifact-workloads");
        ldap.startListening();

        Path config = data.resolve("bench-config.json");
        String text = config(base, patterns, ldap.getListenPort());
        Files.writeString(config, tls ? text.replace("{\"http\": {", "{\"http\": {\"tls\": {\"cert\": \"server.cert\", \"key\": \"server.key\","
                + " \"cacert\": \"ca.pem\"},") : text);
        Map<String, String> out = new LinkedHashMap<>();
        String ci;
        try (JdbcApiKeyStore store = JdbcApiKeyStore.open(data.resolve("keys.db").toString()); ApiKeyService keys = ApiKeyService.builder(store).build()) {
            ci = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "bench", List.of(), null, "bench")).token();
        }
        RegistryServer.Options options = new RegistryServer.Options(kind, config, data, 0, "127.0.0.1", null, what);
        RegistryServer server = protect ? RegistryServer.start(options) : RegistryServer.startWithoutPortcullis(options);
        String url = (tls ? "https" : "http") + "://127.0.0.1:" + server.port();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("ci:" + ci).getBytes(StandardCharsets.UTF_8));
        String[] seeded = what == RegistryServer.Store.MAVEN ? seedMaven(url, protect ? auth : null) : seed(url, protect ? auth : null);

        SessionCookies sessions = new SessionCookies(SessionKeyRing.load(data.resolve("session-keys.json")), Duration.ofHours(8), false);
        List<String> manyGroups = new ArrayList<>(IntStream.range(0, 299).mapToObj(i -> "team-" + i).toList());
        manyGroups.add("artifact-workloads");
        out.put("PORT", Integer.toString(server.port()));
        if (tls) {
            out.put("TLS_CA", data.resolve("ca.pem").toString());
            out.put("TLS_CERT", data.resolve("client.cert").toString());
            out.put("TLS_KEY", data.resolve("client.key").toString());
        }
        out.put("BLOB", seeded[0]);
        out.put("MANIFEST", seeded[1]);
        out.put("BASIC", auth);
        out.put("BEARER_KEY", "Bearer " + ci);
        out.put("LDAP_BASIC", "Basic " + Base64.getEncoder().encodeToString("lena:lena-password".getBytes(StandardCharsets.UTF_8)));
        if (protect && what == RegistryServer.Store.OCI) {
            // a registry token of ci's key for the seeded repository, as docker fetches one (a day long: the runs outlast 5 minutes)
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(url
                    + "/auth/token?service=portcullis&scope=repository:bench/app:pull,push")).header("Authorization", auth).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (token.statusCode() != 200) {
                throw new IllegalStateException("the token service answered " + token.statusCode() + ": " + token.body());
            }
            out.put("REGISTRY_TOKEN", "Bearer " + new com.fasterxml.jackson.databind.ObjectMapper().readTree(token.body()).get("token").asText());
        }
        out.put("WRONG_BASIC", "Basic " + Base64.getEncoder().encodeToString(("ci:" + wrong(ci)).getBytes(StandardCharsets.UTF_8)));
        out.put("SESSION", "Cookie: " + pair(sessions.issue("erin@example.com", List.of("artifact-workloads"), "bench", null).setCookie()));
        out.put("SESSION_300", "Cookie: " + pair(sessions.issue("erin@example.com", manyGroups, "bench", null).setCookie()));
        out.put("JWT_RS256", "Bearer " + jwt(base + "/rs", new RSASSASigner(rsa), JWSAlgorithm.RS256, rsa));
        out.put("JWT_ES256", "Bearer " + jwt(base + "/es", new ECDSASigner(ec), JWSAlgorithm.ES256, ec));
        PrintStream stdout = System.out;
        out.forEach((k, v) -> stdout.println(k + "=" + v));
        stdout.println("READY");
        stdout.flush();
        System.in.read(); // until the script closes our standard input
        server.close();
        jwks.stop(0);
        ldap.shutDown(true);
        System.exit(0);
    }

    private static void serve(HttpServer server, String path, JWK key) {
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        server.createContext(path, x -> {
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
    }

    /**
     * The bundled policy, an OIDC provider that is never contacted (sessions need one), two bearer issuers, an LDAP
     * directory, and optional filler patterns.
     */
    private static String config(String jwksBase, int patterns, int ldapPort) {
        StringBuilder filler = new StringBuilder();
        for (int i = 0; i < patterns; i++) {
            filler.append("\"generated/team-").append(i).append("/**\": {\"policies\": [{\"users\": [\"u").append(i)
                    .append("\"], \"actions\": [\"read\"]}]},\n");
        }
        return """
                {"http": {"externalUrl": "http://127.0.0.1:5000",
                  "auth": {"apikey": true,
                    "openid": {"providers": {"bench": {"issuer": "http://127.0.0.1:9/never-contacted", "clientid": "registry-login", "clientsecret": "unused"}}},
                    "bearer": {"oidc": [
                      {"issuer": "%1$s/rs", "audiences": ["registry"], "jwksUri": "%1$s/rs/jwks", "claimMapping": {"username": "claims.sub", "groups": "groups"}},
                      {"issuer": "%1$s/es", "audiences": ["registry"], "jwksUri": "%1$s/es/jwks", "claimMapping": {"username": "claims.sub", "groups": "groups"}}]},
                    "ldap": {"address": "127.0.0.1", "port": %3$d, "insecure": true, "baseDN": "ou=Users,dc=example,dc=org",
                             "userGroupAttribute": "memberOf"}},
                  "accessControl": {"repositories": {%2$s
                      "**": {"anonymousPolicy": ["read"], "defaultPolicy": ["read"],
                             "policies": [{"groups": ["artifact-workloads"], "actions": ["read", "create"]}]}},
                    "adminPolicy": {"groups": ["admins"], "actions": ["read", "create", "update", "delete"]},
                    "metrics": {"anonymousPolicy": ["read"]}}},
                 "portcullis": {"registryTokens": {"lifetimeSeconds": 86400}}}
                """.formatted(jwksBase, filler, ldapPort);
    }

    /** Pushes a 1 KiB blob, a config and a manifest to bench/app:v1; returns the blob's and the manifest's paths. */
    private static String[] seed(String url, @Nullable String auth) throws Exception {
        byte[] blob = new byte[1024];
        new Random(1).nextBytes(blob);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String b = upload(http, url, auth, blob);
        String c = upload(http, url, auth, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + b + "\",\"size\":1024}]}")
                .getBytes(StandardCharsets.UTF_8);
        send(http, "PUT", url + "/v2/bench/app/manifests/v1", auth, "application/vnd.oci.image.manifest.v1+json", manifest, 201);
        return new String[] {"/v2/bench/app/blobs/" + b, "/v2/bench/app/manifests/v1"};
    }

    /** Deploys a 1 KiB jar as bench:app:1.0 to releases, with its metadata; returns the jar's and the metadata's paths. */
    private static String[] seedMaven(String url, @Nullable String auth) throws Exception {
        byte[] jar = new byte[1024];
        new Random(1).nextBytes(jar);
        String app = "/maven/releases/bench/app/";
        send(http, "PUT", url + app + "1.0/app-1.0.jar", auth, "application/java-archive", jar, 201);
        byte[] metadata = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata><groupId>bench</groupId><artifactId>app</artifactId>"
                + "<versioning><latest>1.0</latest><release>1.0</release><versions><version>1.0</version></versions>"
                + "<lastUpdated>20261207000000</lastUpdated></versioning></metadata>\n").getBytes(StandardCharsets.UTF_8);
        send(http, "PUT", url + app + "maven-metadata.xml", auth, "application/xml", metadata, 201);
        return new String[] {app + "1.0/app-1.0.jar", app + "maven-metadata.xml"};
    }

    private static String upload(HttpClient http, String url, @Nullable String auth, byte[] content) throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        send(http, "POST", url + "/v2/bench/app/blobs/uploads/?digest=" + digest, auth, "application/octet-stream", content, 201);
        return digest;
    }

    private static void send(HttpClient http, String method, String url, @Nullable String auth, String type, byte[] body, int expected) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", type);
        if (auth != null) {
            r.header("Authorization", auth);
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static String jwt(String issuer, JWSSigner signer, JWSAlgorithm alg, JWK key) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), new JWTClaimsSet.Builder()
                .issuer(issuer).subject("ci-job").audience("registry").claim("groups", List.of("artifact-workloads"))
                .issueTime(new Date()).expirationTime(new Date(System.currentTimeMillis() + 4 * 3_600_000L)).build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** The key with one character of its secret changed: what a guessing attacker sends (its checksum no longer matches). */
    private static String wrong(String token) {
        char last = token.charAt(token.length() - 8);
        return token.substring(0, token.length() - 8) + (last == 'a' ? 'b' : 'a') + token.substring(token.length() - 7);
    }

    private static String pair(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }
}
