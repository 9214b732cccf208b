package dev.portcullis.examples.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Keycloak ({@code keycloak-quarkus-dist}, the version of the {@code keycloak.version} property) in a child
 * process, for end-to-end tests of the OIDC login: {@code kc.sh start-dev} on 127.0.0.1 with a free port, an
 * in-memory database ({@code --db=dev-mem}) and one realm, {@value #REALM}, imported at start
 * ({@code --import-realm}). The realm has a confidential client {@value #CLIENT_ID} (standard flow, PKCE S256, no
 * consent) allowed to redirect to exactly the given URIs, the groups {@code admins} and {@code artifact-workloads},
 * and the given users with verified e-mail addresses, first and last names (Keycloak's user profile would otherwise
 * ask for them at the first login) and permanent passwords, so a login goes straight back to the client.
 *
 * <p>The client's scopes are spelled out: {@code basic} ({@code sub}), {@code email} ({@code email},
 * {@code email_verified}), {@code profile} ({@code preferred_username}) and {@code groups}, a group-membership
 * mapper ({@code oidc-group-membership-mapper}, claim {@code groups}, plain names without the {@code /} path) into the
 * ID token, the access token and UserInfo. A realm file with {@code clientScopes} gets none of Keycloak's built-in
 * scopes, and Keycloak refuses an authorization request for a scope the client does not have
 * ({@code invalid_scope}), so all four are here: the registry asks for {@code openid email profile groups}.
 *
 * <p>The distribution comes from the examples module's {@code e2e} profile, which unpacks it into
 * {@code examples/target/keycloak} and passes its path as the system property {@code keycloak.home}. Each start runs
 * a copy in the given directory: {@code start-dev} rebuilds the server into its own {@code lib/quarkus} and reads the
 * realm from its own {@code data/import}. Keycloak runs on the test's JVM ({@code JAVA_HOME} = {@code java.home};
 * Keycloak 26 supports 17, 21 and 25) with a 512 MiB heap; its output goes to {@code keycloak.log} in that directory.
 * Starting takes about 35 s on 2 cores, most of it the rebuild.
 *
 * <pre>{@code
 * try (KeycloakProcess kc = KeycloakProcess.start(tmp, "client-secret",
 *         List.of("http://127.0.0.1:" + port + "/auth/callback/oidc"),
 *         List.of(new KeycloakProcess.User("erin", "erin@example.com", "erin-password", "artifact-workloads")))) {
 *     // kc.issuer(): http://127.0.0.1:<port>/realms/portcullis
 * }
 * }</pre>
 */
public final class KeycloakProcess implements AutoCloseable {
    /** The realm that is imported. */
    public static final String REALM = "portcullis";
    /** The confidential client of the registry. */
    public static final String CLIENT_ID = "registry";
    /** How to get the distribution: the examples module's e2e profile unpacks it. */
    public static final String INSTALL = "mvn -B -pl examples verify -Pe2e (the e2e profile unpacks org.keycloak:keycloak-quarkus-dist"
            + " into examples/target/keycloak and sets -Dkeycloak.home)";
    /** The longest that Keycloak may take to serve the realm's discovery document. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

    /** A user of the realm, member of one group. */
    public record User(String username, String email, String password, String group) {
        public User {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(email, "email");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(group, "group");
        }

        @Override
        public String toString() {
            return "User[username=" + username + ", email=" + email + ", group=" + group + "]";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LOG_LINES_SHOWN = 40;

    private final Process process;
    private final String baseUrl;
    private final Path log;

    private KeycloakProcess(Process process, String baseUrl, Path log) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.log = log;
    }

    /**
     * Copies the distribution into {@code dir}, writes the realm, starts Keycloak and waits, at most
     * {@link #STARTUP_TIMEOUT}, until the realm's discovery document is served.
     *
     * @param redirectUris the exact redirect URIs of the client {@value #CLIENT_ID}
     * @throws IllegalStateException if there is no distribution at {@code -Dkeycloak.home}
     * @throws IOException if Keycloak exits or does not serve the realm in time; the message has its last log lines
     */
    public static KeycloakProcess start(Path dir, String clientSecret, List<String> redirectUris, List<User> users) throws IOException {
        Path home = copyDistribution(locateDistribution(), dir.toAbsolutePath().resolve("keycloak"));
        Files.createDirectories(home.resolve("data/import"));
        Files.writeString(home.resolve("data/import/" + REALM + "-realm.json"), realm(clientSecret, redirectUris, users));

        int port = freePort();
        String baseUrl = "http://127.0.0.1:" + port;
        List<String> command = List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--hostname=" + baseUrl,
                // nothing is exposed on the management interface (no health, no metrics); a free port all the same
                "--http-management-port=" + freePort(),
                "--db=dev-mem", "--import-realm");
        Path log = dir.toAbsolutePath().resolve("keycloak.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("KC_") || k.startsWith("KEYCLOAK_") || k.startsWith("QUARKUS_") || k.startsWith("JAVA_OPTS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        // a master-realm admin is created at the first start; nothing here uses it, so its password is thrown away
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", randomSecret());

        Instant started = Instant.now();
        Process process = builder.start();
        KeycloakProcess keycloak = new KeycloakProcess(process, baseUrl, log);
        try {
            keycloak.awaitRealm(started);
        } catch (IOException | RuntimeException e) {
            keycloak.close();
            throw e;
        }
        System.out.printf("[keycloak] %s serves realm %s after %d ms (log: %s)%n", baseUrl, REALM,
                Duration.between(started, Instant.now()).toMillis(), log);
        return keycloak;
    }

    /** {@code http://127.0.0.1:<port>/realms/portcullis}. */
    public String issuer() {
        return baseUrl + "/realms/" + REALM;
    }

    /** The realm's discovery document. */
    public String discoveryUrl() {
        return issuer() + "/.well-known/openid-configuration";
    }

    /** Stops Keycloak (SIGTERM to kc.sh and the JVM it started; SIGKILL after 30 s) and waits for it. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitRealm(Instant started) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(discoveryUrl())).timeout(Duration.ofSeconds(5)).build();
        Instant deadline = started.plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("Keycloak exited with code " + process.exitValue() + " before serving realm " + REALM
                        + "; the last lines of " + log + ":\n" + tail());
            }
            try {
                HttpResponse<String> response = http.send(discovery, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    String issuer = JSON.readTree(response.body()).path("issuer").asText();
                    if (!issuer.equals(issuer())) {
                        throw new IllegalStateException("Keycloak names its issuer " + issuer + ", not " + issuer() + " (--hostname)");
                    }
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while Keycloak was starting");
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS); // the polling interval; returns at once if Keycloak exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while Keycloak was starting");
            }
        }
        throw new IOException("Keycloak did not serve " + discoveryUrl() + " within " + STARTUP_TIMEOUT.toSeconds()
                + " s; the last lines of " + log + ":\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_SHOWN), lines.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    private static Path locateDistribution() {
        String home = System.getProperty("keycloak.home");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("no Keycloak distribution: the system property keycloak.home is not set; run " + INSTALL);
        }
        Path dist = Path.of(home);
        if (!Files.isRegularFile(dist.resolve("bin/kc.sh")) || !Files.isRegularFile(dist.resolve("lib/quarkus-run.jar"))) {
            throw new IllegalStateException("no Keycloak distribution at " + dist + " (-Dkeycloak.home: no bin/kc.sh or lib/quarkus-run.jar); run " + INSTALL);
        }
        return dist;
    }

    /** A plain recursive copy (about 175 MB, well under a second on a local disk); attributes kept, so kc.sh stays executable. */
    private static Path copyDistribution(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            throw new IllegalArgumentException(to + " exists: each Keycloak needs a directory of its own");
        }
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(source -> {
                try {
                    Files.copy(source, to.resolve(from.relativize(source).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return to;
    }

    /** The realm, as Keycloak's import reads it (a RealmRepresentation). */
    static String realm(String clientSecret, List<String> redirectUris, List<User> users) {
        List<Map<String, Object>> userReps = new ArrayList<>();
        for (User u : users) {
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("username", u.username());
            rep.put("email", u.email());
            rep.put("emailVerified", true);
            rep.put("firstName", capitalized(u.username()));
            rep.put("lastName", "Example");
            rep.put("enabled", true);
            rep.put("credentials", List.of(Map.of("type", "password", "value", u.password(), "temporary", false)));
            rep.put("groups", List.of("/" + u.group()));
            rep.put("requiredActions", List.of());
            userReps.add(rep);
        }
        try {
            return """
                    {
                      "realm": "%1$s",
                      "enabled": true,
                      "sslRequired": "none",
                      "registrationAllowed": false,
                      "loginWithEmailAllowed": true,
                      "groups": [ { "name": "admins" }, { "name": "artifact-workloads" } ],
                      "clientScopes": [
                        { "name": "basic", "protocol": "openid-connect",
                          "attributes": { "include.in.token.scope": "false", "display.on.consent.screen": "false" },
                          "protocolMappers": [
                            { "name": "sub", "protocol": "openid-connect", "protocolMapper": "oidc-sub-mapper",
                              "config": { "access.token.claim": "true", "introspection.token.claim": "true" } } ] },
                        { "name": "email", "protocol": "openid-connect",
                          "attributes": { "include.in.token.scope": "true", "display.on.consent.screen": "false" },
                          "protocolMappers": [
                            { "name": "email", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
                              "config": { "user.attribute": "email", "claim.name": "email", "jsonType.label": "String",
                                          "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
                                          "introspection.token.claim": "true" } },
                            { "name": "email verified", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-property-mapper",
                              "config": { "user.attribute": "emailVerified", "claim.name": "email_verified", "jsonType.label": "boolean",
                                          "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
                                          "introspection.token.claim": "true" } } ] },
                        { "name": "profile", "protocol": "openid-connect",
                          "attributes": { "include.in.token.scope": "true", "display.on.consent.screen": "false" },
                          "protocolMappers": [
                            { "name": "username", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
                              "config": { "user.attribute": "username", "claim.name": "preferred_username", "jsonType.label": "String",
                                          "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
                                          "introspection.token.claim": "true" } } ] },
                        { "name": "groups", "protocol": "openid-connect",
                          "attributes": { "include.in.token.scope": "true", "display.on.consent.screen": "false" },
                          "protocolMappers": [
                            { "name": "groups", "protocol": "openid-connect", "protocolMapper": "oidc-group-membership-mapper",
                              "config": { "claim.name": "groups", "full.path": "false",
                                          "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
                                          "introspection.token.claim": "true" } } ] }
                      ],
                      "clients": [ {
                        "clientId": "%2$s",
                        "enabled": true,
                        "protocol": "openid-connect",
                        "publicClient": false,
                        "clientAuthenticatorType": "client-secret",
                        "secret": %3$s,
                        "standardFlowEnabled": true,
                        "implicitFlowEnabled": false,
                        "directAccessGrantsEnabled": false,
                        "serviceAccountsEnabled": false,
                        "consentRequired": false,
                        "redirectUris": %4$s,
                        "webOrigins": [],
                        "attributes": { "pkce.code.challenge.method": "S256" },
                        "defaultClientScopes": [ "basic", "email", "profile", "groups" ],
                        "optionalClientScopes": []
                      } ],
                      "users": %5$s
                    }
                    """.formatted(REALM, CLIENT_ID, JSON.writeValueAsString(clientSecret), JSON.writeValueAsString(redirectUris),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(userReps));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** A port that was free a moment ago on 127.0.0.1 (the OS's ephemeral range; nothing holds it afterwards). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
