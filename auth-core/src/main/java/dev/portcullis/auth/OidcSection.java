package dev.portcullis.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.ExternalTokenServer;
import dev.portcullis.auth.oidc.GitHubProviderSettings;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.oidc.OidcProviderSettings;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.InvalidPolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The OpenID Connect parts of a configuration: login providers, bearer JWT issuers, and the sessions logins make. */
final class OidcSection {
    private static final List<String> PROVIDER_FIELDS = List.of("issuer", "clientid", "clientsecret", "credentialsFile", "clientAuthMethod",
            "scopes", "claimMapping", "name", "keypath", "authurl", "tokenurl", "apiurl", "organizations");
    private static final List<String> ISSUER_FIELDS = List.of("issuer", "audiences", "claimMapping", "jwksUri", "requiredClaims",
            "skipIssuerVerification", "certificateAuthority", "certificateAuthorityFile");

    private final ConfigReader reader;
    /** Login providers: {@link OidcProviderSettings} or {@link GitHubProviderSettings}. */
    private final List<Object> providers = new ArrayList<>();
    private List<String> callbackAllowOrigins = List.of();
    private final List<BearerJwt.TrustedIssuer> bearerIssuers = new ArrayList<>();
    /** zot's external token server: {@code http.auth.bearer} realm, service and cert. */
    private @Nullable String tokenRealm;
    private @Nullable String tokenService;
    private @Nullable Path tokenCert;
    private @Nullable ExternalTokenServer tokenServer;
    private @Nullable SessionKeyRing sessionKeys;
    private Duration sessionMaxAge = Duration.ofHours(2);
    private @Nullable Boolean secureCookie;
    /** zot's {@code http.auth.secureSession}. */
    private @Nullable Boolean secureSession;
    /** Whether {@code http.tls} is given: zot then always marks its cookies Secure. */
    private boolean tls;

    OidcSection(ConfigReader reader) {
        this.reader = reader;
    }

    /**
     * OpenID Connect needs Nimbus, which portcullis-auth-core leaves to the applications that use it: without it, an error
     * that names what to add, before any class that uses it is loaded.
     */
    private static void requireLibrary(String field) {
        try {
            Class.forName("com.nimbusds.oauth2.sdk.AuthorizationRequest", false, OidcSection.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InvalidPolicyException(field + " needs OpenID Connect, whose library (com.nimbusds:oauth2-oidc-sdk) is not on the"
                    + " class path: add the dependency dev.portcullis:portcullis-oidc to the application");
        }
    }

    /** zot's {@code http.auth.openid}: the providers people log in with. */
    void openid(JsonNode node) {
        requireLibrary("http.auth.openid");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "providers" -> node.get(k).fields().forEachRemaining(e -> providers.add(provider(e.getKey(), e.getValue())));
                case "callbackAllowOrigins" -> callbackAllowOrigins = ConfigReader.strings(node.get(k), "http.auth.openid.callbackAllowOrigins");
                default -> reader.unknownField("http.auth.openid", k, List.of("providers", "callbackAllowOrigins"));
            }
        }
        if (providers.isEmpty()) {
            throw new InvalidPolicyException("http.auth.openid.providers must name at least one provider");
        }
    }

    private Object provider(String name, JsonNode node) {
        String path = "http.auth.openid.providers." + name;
        String clientId = null;
        String clientSecret = null;
        String issuer = null;
        List<String> scopes = List.of("openid", "email", "profile");
        String usernameClaim = null;
        String groupsClaim = "groups";
        OidcProviderSettings.ClientAuth clientAuth = OidcProviderSettings.ClientAuth.CLIENT_SECRET_BASIC;
        boolean gitHub = name.equals("github"); // zot's one OAuth2 provider: GitHub, named so
        String authUrl = GitHubProviderSettings.GITHUB_AUTHORIZATION;
        String tokenUrl = GitHubProviderSettings.GITHUB_TOKEN;
        String apiUrl = GitHubProviderSettings.GITHUB_API;
        List<String> organizations = List.of();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "issuer" -> issuer = ConfigReader.text(node, k, path + ".issuer");
                case "clientid" -> clientId = ConfigReader.text(node, k, path + ".clientid");
                case "clientsecret" -> clientSecret = reader.secret(ConfigReader.text(node, k, path + ".clientsecret"), path + ".clientsecret");
                case "credentialsFile" -> {
                    Path file = reader.path(ConfigReader.text(node, k, path + ".credentialsFile"), path + ".credentialsFile");
                    try {
                        JsonNode creds = ConfigReader.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
                        clientId = ConfigReader.text(creds, "clientid", file + ": clientid");
                        clientSecret = ConfigReader.text(creds, "clientsecret", file + ": clientsecret");
                    } catch (IOException e) {
                        throw new InvalidPolicyException(path + ".credentialsFile: cannot read " + file + " as {\"clientid\", \"clientsecret\"}"
                                + (e instanceof JsonProcessingException j && j.getLocation() != null ? " (line " + j.getLocation().getLineNr() + ")" : ": " + e.getMessage()));
                    }
                }
                case "clientAuthMethod" -> {
                    try {
                        clientAuth = OidcProviderSettings.ClientAuth.fromConfig(ConfigReader.text(node, k, path + ".clientAuthMethod"));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidPolicyException(path + ".clientAuthMethod: " + e.getMessage());
                    }
                }
                case "scopes" -> scopes = ConfigReader.strings(node.get(k), path + ".scopes");
                case "claimMapping" -> {
                    JsonNode m = ConfigReader.object(node.get(k), path + ".claimMapping");
                    m.fieldNames().forEachRemaining(f -> {
                        if (!f.equals("username") && !f.equals("groups")) {
                            reader.unknownField(path + ".claimMapping", f, List.of("username", "groups"));
                        }
                    });
                    if (m.has("username")) {
                        usernameClaim = ConfigReader.text(m, "username", path + ".claimMapping.username");
                    }
                    if (m.has("groups")) {
                        groupsClaim = ConfigReader.text(m, "groups", path + ".claimMapping.groups");
                    }
                }
                case "name" -> {
                    // zot's display name for its UI; the key is the name in URLs
                }
                case "keypath" -> throw ConfigReader.unsupported(path + ".keypath", "private_key_jwt client authentication");
                case "organizations" -> {
                    if (!gitHub) {
                        throw new InvalidPolicyException(path + ".organizations: only the provider named 'github' takes organizations");
                    }
                    organizations = ConfigReader.strings(node.get(k), path + ".organizations");
                }
                case "authurl", "tokenurl", "apiurl" -> {
                    if (!gitHub) {
                        throw new InvalidPolicyException(path + "." + k + ": only the provider named 'github' (OAuth2 without discovery) takes "
                                + k + "; an OpenID provider's endpoints come from its issuer's discovery document");
                    }
                    String url = ConfigReader.text(node, k, path + "." + k);
                    switch (k) {
                        case "authurl" -> authUrl = url;
                        case "tokenurl" -> tokenUrl = url;
                        default -> apiUrl = url;
                    }
                }
                default -> reader.unknownField(path, k, PROVIDER_FIELDS);
            }
        }
        if (clientId == null || clientSecret == null) {
            throw new InvalidPolicyException(path + " needs clientid and clientsecret, or a credentialsFile holding both");
        }
        if (gitHub) {
            return gitHub(path, node, clientId, clientSecret, scopes, usernameClaim, authUrl, tokenUrl, apiUrl, organizations);
        }
        if (issuer == null) {
            throw new InvalidPolicyException(path + " needs an issuer (the OpenID provider's URL, whose discovery document gives its endpoints);"
                    + " only the provider named 'github' logs in without one");
        }
        try {
            return new OidcProviderSettings(name, issuer, clientId, clientSecret, clientAuth, scopes, usernameClaim, groupsClaim);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(path + ": " + e.getMessage());
        }
    }

    /** zot's {@code providers.github}: OAuth2 with GitHub's (or GitHub Enterprise Server's) endpoints. */
    private GitHubProviderSettings gitHub(String path, JsonNode node, String clientId, String clientSecret, List<String> scopes,
            @Nullable String usernameClaim, String authUrl, String tokenUrl, String apiUrl, List<String> organizations) {
        if (node.has("issuer")) {
            throw new InvalidPolicyException(path + ".issuer: the provider named 'github' is GitHub's OAuth2 login, as in zot, which has no"
                    + " issuer; to log in through an OpenID provider (Dex with a GitHub connector, say), give it another name");
        }
        if (node.has("clientAuthMethod")) {
            throw new InvalidPolicyException(path + ".clientAuthMethod: GitHub takes the client secret in the token request's form; remove the field");
        }
        if (node.path("claimMapping").has("groups")) {
            throw new InvalidPolicyException(path + ".claimMapping.groups: a GitHub user's groups are their organizations (org) and teams"
                    + " (org/team); remove the field");
        }
        if (node.has("authurl") != node.has("tokenurl")) {
            throw new InvalidPolicyException(path + ": give both authurl and tokenurl (GitHub Enterprise Server), or neither (github.com)");
        }
        if (node.has("authurl") && !node.has("apiurl")) {
            throw new InvalidPolicyException(path + ": with authurl and tokenurl, give apiurl too (GitHub Enterprise Server: https://HOST/api/v3),"
                    + " else the user would be looked up at github.com");
        }
        try {
            return new GitHubProviderSettings(path.substring(path.lastIndexOf('.') + 1), clientId, clientSecret,
                    node.has("scopes") ? scopes : GitHubProviderSettings.DEFAULT_SCOPES, authUrl, tokenUrl, apiUrl,
                    usernameClaim == null ? "email" : usernameClaim, organizations);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(path + ": " + e.getMessage());
        }
    }

    /** zot's {@code http.auth.bearer}: issuers whose JWTs authenticate directly. */
    void bearer(JsonNode node) {
        requireLibrary("http.auth.bearer");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "oidc" -> {
                    if (!node.get(k).isArray()) {
                        throw new InvalidPolicyException("http.auth.bearer.oidc must be an array of trusted issuers");
                    }
                    int i = 0;
                    for (JsonNode issuer : node.get(k)) {
                        bearerIssuers.add(trustedIssuer(issuer, "http.auth.bearer.oidc[" + i++ + "]"));
                    }
                }
                case "realm" -> tokenRealm = ConfigReader.text(node, k, "http.auth.bearer.realm");
                case "service" -> tokenService = ConfigReader.text(node, k, "http.auth.bearer.service");
                case "cert" -> tokenCert = reader.path(ConfigReader.text(node, k, "http.auth.bearer.cert"), "http.auth.bearer.cert");
                case "upstreamTokenEndpoint", "awsSecretsManager" ->
                        throw ConfigReader.unsupported("http.auth.bearer." + k, "zot's " + k + " for the token server's key (give it in cert)");
                default -> reader.unknownField("http.auth.bearer", k, List.of("oidc", "realm", "service", "cert", "upstreamTokenEndpoint", "awsSecretsManager"));
            }
        }
    }

    private BearerJwt.TrustedIssuer trustedIssuer(JsonNode node, String path) {
        String issuer = ConfigReader.text(node, "issuer", path + ".issuer");
        List<String> audiences = ConfigReader.strings(node.get("audiences"), path + ".audiences");
        String username = null;
        String groups = null;
        JsonNode mapping = node.path("claimMapping");
        for (Iterator<String> it = mapping.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "username" -> username = ConfigReader.text(mapping, k, path + ".claimMapping.username");
                case "groups" -> groups = ConfigReader.text(mapping, k, path + ".claimMapping.groups");
                default -> throw ConfigReader.unsupported(path + ".claimMapping." + k, "CEL variables and validations");
            }
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "issuer", "audiences", "claimMapping", "jwksUri", "requiredClaims" -> {
                }
                case "skipIssuerVerification" -> throw ConfigReader.unsupported(path + ".skipIssuerVerification", "skipping the issuer check");
                case "certificateAuthority", "certificateAuthorityFile" -> throw ConfigReader.unsupported(path + "." + k,
                        "a private CA for the issuer (add it to the JVM's trust store instead)");
                default -> reader.unknownField(path, k, ISSUER_FIELDS);
            }
        }
        java.net.URI jwks = node.has("jwksUri") ? java.net.URI.create(ConfigReader.text(node, "jwksUri", path + ".jwksUri")) : null;
        java.util.Map<String, List<String>> required = new java.util.LinkedHashMap<>();
        if (node.has("requiredClaims")) {
            JsonNode r = node.get("requiredClaims");
            if (!r.isObject()) {
                throw new InvalidPolicyException(path + ".requiredClaims must be an object of claim → allowed values, e.g. {\"repository_owner\": [\"my-org\"]}");
            }
            r.fields().forEachRemaining(e -> required.put(e.getKey(), ConfigReader.strings(e.getValue(), path + ".requiredClaims." + e.getKey())));
        }
        try {
            return new BearerJwt.TrustedIssuer(issuer, audiences, username, groups, jwks, required);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(path + ": " + e.getMessage());
        }
    }

    /** {@code portcullis.sessions}. */
    void sessionSettings(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.sessions." + k;
            switch (k) {
                case "keys" -> {
                    try {
                        sessionKeys = SessionKeyRing.parse(reader.secret(ConfigReader.text(node, k, path), path));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidPolicyException(path + ": " + e.getMessage());
                    }
                }
                case "maxAgeMinutes" -> sessionMaxAge = Duration.ofMinutes(ConfigReader.positive(node, k, path));
                case "secureCookie" -> secureCookie = ConfigReader.bool(node, k, path);
                default -> reader.unknownField("portcullis.sessions", k, List.of("keys", "maxAgeMinutes", "secureCookie"));
            }
        }
    }

    /** zot's {@code http.auth.secureSession}: whether session cookies carry {@code Secure}. */
    void secureSession(boolean secure) {
        secureSession = secure;
    }

    /** {@code http.tls} is given: as in zot, session cookies carry {@code Secure} unless the portcullis section says otherwise. */
    void tls() {
        tls = true;
    }

    /**
     * Whether session cookies carry {@code Secure}: {@code portcullis.sessions.secureCookie} if given; else, as in zot,
     * always with {@code http.tls}, else {@code http.auth.secureSession}; else (where zot says no) when the registry's
     * URL is https.
     */
    private boolean secureCookies(String externalUrl) {
        if (secureCookie != null) {
            return secureCookie;
        }
        if (tls) {
            return true;
        }
        return secureSession != null ? secureSession : externalUrl.regionMatches(true, 0, "https:", 0, 6);
    }

    /** zot's session key file {@code {"hashKey", "encryptKey"}}, or a Portcullis key ring {@code {"keys": [...]}}. */
    /** zot's {@code http.auth.sessionKeysFile}. */
    void sessionKeysFile(Path file) {
        sessionKeys = zotSessionKeys(file);
    }

    private static SessionKeyRing zotSessionKeys(Path file) {
        try {
            JsonNode root = ConfigReader.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root != null && root.has("keys")) {
                return SessionKeyRing.load(file);
            }
            if (root == null || !root.path("hashKey").isTextual() || root.path("hashKey").textValue().isEmpty()) {
                throw new InvalidPolicyException("http.auth.sessionKeysFile " + file + ": expected zot's {\"hashKey\", \"encryptKey\"}"
                        + " or a Portcullis key ring {\"keys\": [...]}");
            }
            // one AES-256 key derived from zot's two secrets, so the same file serves both
            byte[] material = ("portcullis-session-key\0" + root.path("hashKey").textValue() + "\0" + root.path("encryptKey").asText(""))
                    .getBytes(StandardCharsets.UTF_8);
            return SessionKeyRing.of(List.of(java.security.MessageDigest.getInstance("SHA-256").digest(material)));
        } catch (IOException e) {
            throw new InvalidPolicyException("http.auth.sessionKeysFile: cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException("http.auth.sessionKeysFile: " + e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The session key ring: the configured one, else the data directory's {@code session-keys.json} (made if absent). */
    SessionKeyRing sessionKeys(Path dataDirectory) {
        SessionKeyRing ring = sessionKeys;
        if (ring == null) {
            ring = sessionKeys = SessionKeyRing.loadOrCreate(dataDirectory.resolve("session-keys.json"));
        }
        return ring;
    }

    /** Whether any login, bearer issuer or external token server is configured. */
    boolean configured() {
        return !providers.isEmpty() || !bearerIssuers.isEmpty() || tokenRealm != null || tokenCert != null;
    }

    /** What must hold across the sections once all are read. */
    void check(@Nullable String externalUrl, String endpointPrefix) {
        if (secureCookie != null && secureSession != null && !secureCookie.equals(secureSession)) {
            throw new InvalidPolicyException("http.auth.secureSession is " + secureSession + " but portcullis.sessions.secureCookie is "
                    + secureCookie + "; they say the same thing: keep one");
        }
        if (secureSession != null && providers.isEmpty()) {
            reader.warnings.add("http.auth.secureSession has no effect here: Portcullis makes session cookies only for OpenID Connect"
                    + " logins (http.auth.openid), and none is configured");
        }
        if (!configured()) {
            return; // and nothing of OpenID Connect is loaded: the application may not have its library
        }
        List<OidcProviderSettings> openIdProviders = providers.stream().filter(p -> p instanceof OidcProviderSettings)
                .map(p -> (OidcProviderSettings) p).toList();
        BearerJwt.audienceClash(bearerIssuers, openIdProviders).ifPresent(why -> {
            throw new InvalidPolicyException("http.auth.bearer.oidc: " + why);
        });
        if (tokenRealm != null || tokenService != null || tokenCert != null) {
            if (tokenRealm == null || tokenService == null || tokenCert == null) {
                throw new InvalidPolicyException("http.auth.bearer: an external token server needs realm (its URL), service and cert (its"
                        + " certificate or public key); missing: " + String.join(", ", java.util.stream.Stream.of(
                        tokenRealm == null ? "realm" : null, tokenService == null ? "service" : null, tokenCert == null ? "cert" : null)
                        .filter(Objects::nonNull).toList()));
            }
            try {
                tokenServer = new ExternalTokenServer(tokenRealm, tokenService, ExternalTokenServer.loadKey(tokenCert), java.time.Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException("http.auth.bearer.cert: " + e.getMessage());
            }
        }
        if (!providers.isEmpty() && externalUrl == null) {
            throw new InvalidPolicyException("http.auth.openid needs http.externalUrl, the URL users reach the registry at"
                    + " (the providers redirect back to <externalUrl>" + endpointPrefix + "/callback/<provider>)");
        }
    }

    /** Login (with its sessions) and bearer JWTs, on the pipeline. */
    void apply(Portcullis.Builder b, String endpointPrefix, @Nullable String externalUrl, Path dataDirectory) {
        if (!providers.isEmpty()) {
            String url = Objects.requireNonNull(externalUrl, "check() requires it with providers");
            SessionKeyRing ring = sessionKeys(dataDirectory);
            boolean secure = secureCookies(url);
            OidcLogin.Builder login = OidcLogin.builder().endpointPrefix(endpointPrefix).externalUrl(url)
                    .callbackAllowOrigins(callbackAllowOrigins).sessions(new SessionCookies(ring, sessionMaxAge, secure));
            for (Object p : providers) {
                if (p instanceof GitHubProviderSettings g) {
                    login.provider(g);
                } else {
                    login.provider((OidcProviderSettings) p);
                }
            }
            OidcLogin built = login.build();
            b.oidc(built).closeWith(built);
        }
        if (!bearerIssuers.isEmpty()) {
            BearerJwt jwt = new BearerJwt(bearerIssuers);
            b.bearerJwt(jwt).closeWith(jwt);
        }
        if (tokenServer != null) {
            b.externalTokenServer(tokenServer);
        }
    }
}
