package dev.portcullis.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.oidc.BearerJwt;
import dev.portcullis.auth.oidc.OidcLogin;
import dev.portcullis.auth.oidc.OidcProviderSettings;
import dev.portcullis.auth.session.SessionCookies;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.InvalidPolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A zot {@code config.json}, loaded as-is, plus an optional {@code portcullis} section for what zot
 * lacks. Read from zot: {@code http.realm}, {@code http.externalUrl}, {@code http.auth.htpasswd.path},
 * {@code http.auth.apikey}, {@code http.auth.failDelay}, {@code http.auth.openid} (OIDC providers with an
 * issuer), {@code http.auth.sessionKeysFile}, {@code http.auth.bearer.oidc} (trusted JWT issuers),
 * {@code http.accessControl}. Features Portcullis does not implement (LDAP, OAuth2 without OIDC,
 * a bearer token service, mTLS) are a startup error
 * naming them, never silently dropped. An unknown field is an error in the {@code portcullis} section, and anywhere
 * when it is spelt close to a known one (a misspelling that could change who may do what); other unknown fields
 * (a newer zot's) are ignored with a warning.
 *
 * <pre>{@code
 * {
 *   "http": { "realm": "registry", "auth": { "htpasswd": { "path": "htpasswd" }, "apikey": true, "failDelay": 1 },
 *             "accessControl": { ... } },
 *   "portcullis": {
 *     "dataDirectory": "data",                     // relative to this file; default: data
 *     "keyStore": "env:PORTCULLIS_KEY_STORE",      // JDBC URL or SQLite path; env:VAR or file:PATH for secrets
 *     "endpointPrefix": "/auth",
 *     "policyFile": "registry.policy",             // instead of http.accessControl
 *     "trustedProxies": ["10.0.0.1"],
 *     "failureLimit": { "attempts": 20, "windowSeconds": 60 },
 *     "apiKeys": { "prefix": "pck_", "maxLifetimeDays": 90, "overlong": "clamp", "eventPollMillis": 1000, "verifiedCacheSeconds": 300 },
 *     "sessions": { "keys": "file:session-keys.json", "maxAgeMinutes": 120, "secureCookie": true }
 *   }
 * }
 * }</pre>
 */
public final class PortcullisConfig {
    private static final Logger LOG = LoggerFactory.getLogger(PortcullisConfig.class);
    /** Stricter than zot's reader, which keeps the last of a key given twice: that, or anything after the object, is an error. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Portcullis's sections, and zot's that are not its business. */
    private static final List<String> TOP_LEVEL_FIELDS = List.of("http", "portcullis", "distSpecVersion", "storage", "log", "extensions",
            "scheduler", "cluster");
    /** zot's fields of {@code http}; those Portcullis does not read are the server's (address, port, …). */
    private static final List<String> HTTP_FIELDS = List.of("address", "port", "externalUrl", "realm", "tls", "auth", "accessControl",
            "ratelimit", "compat", "allowOrigin");
    private static final List<String> AUTH_FIELDS = List.of("htpasswd", "apikey", "failDelay", "ldap", "openid", "bearer", "sessionKeysFile",
            "sessionHashKey", "sessionEncryptKey", "sessionDriver");
    private static final List<String> PORTCULLIS_FIELDS = List.of("dataDirectory", "keyStore", "endpointPrefix", "policyFile",
            "selfServicePage", "trustedProxies", "failureLimit", "apiKeys", "sessions");
    private static final List<String> PROVIDER_FIELDS = List.of("issuer", "clientid", "clientsecret", "credentialsFile", "clientAuthMethod",
            "scopes", "claimMapping", "name", "keypath", "authurl", "tokenurl");
    private static final List<String> ISSUER_FIELDS = List.of("issuer", "audiences", "claimMapping", "jwksUri", "requiredClaims",
            "skipIssuerVerification", "certificateAuthority", "certificateAuthorityFile");

    private final Path base;
    private final List<String> warnings = new ArrayList<>();
    private String realm = "portcullis";
    private String externalUrl;
    private Path htpasswd;
    private boolean apiKeys;
    private Duration failDelay = Duration.ZERO;
    private AccessPolicy policy;
    private Path dataDirectory;
    private String keyStore;
    private String endpointPrefix = "/auth";
    /** The self-service page's path; "" for the default ({prefix}/), null when turned off. */
    private String selfServicePage = "";
    private List<String> trustedProxies = List.of();
    private int failureAttempts = 20;
    private Duration failureWindow = Duration.ofMinutes(1);
    private Duration limitedDelay = Duration.ofSeconds(1);
    private String keyPrefix = "pck_";
    private Duration maxLifetime;
    private ApiKeyService.OverlongKeys overlong = ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM;
    private Duration eventPoll = Duration.ofSeconds(1);
    private Duration verifiedCacheTtl = Duration.ofMinutes(5);
    private final List<OidcProviderSettings> providers = new ArrayList<>();
    private List<String> callbackAllowOrigins = List.of();
    private final List<BearerJwt.TrustedIssuer> bearerIssuers = new ArrayList<>();
    private SessionKeyRing sessionKeys;
    private Duration sessionMaxAge = Duration.ofHours(2);
    private Boolean secureCookie;

    private PortcullisConfig(Path base) {
        this.base = base;
        this.dataDirectory = base.resolve("data");
    }

    /** @throws InvalidPolicyException naming the file, the field and what to do */
    public static PortcullisConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidPolicyException(file + ": cannot read the configuration: " + e);
        }
        try {
            return parse(text, file.toAbsolutePath().getParent());
        } catch (InvalidPolicyException e) {
            throw new InvalidPolicyException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses configuration text; relative paths are resolved against {@code base}. */
    public static PortcullisConfig parse(String json, Path base) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // quoted text is left out: it could be a secret written without quotes
            String problem = e.getOriginalMessage().startsWith("Trailing token")
                    ? "more follows the end of the JSON object; remove it, or the '}' that closes the object too early"
                    : e.getOriginalMessage().replaceAll("'[^']*'", "'…'").replaceAll("\\(code \\d+\\)", "");
            throw new InvalidPolicyException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + problem);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPolicyException("the configuration must be a JSON object (a zot config.json)");
        }
        PortcullisConfig c = new PortcullisConfig(base);
        c.read(root, json);
        return c;
    }

    private void read(JsonNode root, String json) {
        root.fieldNames().forEachRemaining(k -> {
            if (!TOP_LEVEL_FIELDS.contains(k)) {
                unknownField("", k, TOP_LEVEL_FIELDS);
            }
        });
        JsonNode http = object(root.path("http"), "http");
        http.fieldNames().forEachRemaining(k -> {
            if (!HTTP_FIELDS.contains(k)) {
                unknownField("http", k, HTTP_FIELDS);
            }
        });
        if (http.has("realm")) {
            realm = text(http, "realm", "http.realm");
        }
        if (http.has("externalUrl")) {
            externalUrl = text(http, "externalUrl", "http.externalUrl");
        }
        if (http.path("tls").has("cacert")) {
            unsupported("http.tls.cacert", "mutual TLS (client certificates)");
        }
        if (http.has("tls")) {
            warnings.add("http.tls is ignored: TLS is the servlet container's or Netty's job");
        }
        JsonNode auth = object(http.path("auth"), "http.auth");
        for (Iterator<String> it = auth.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "htpasswd" -> htpasswd = path(text(auth.path("htpasswd"), "path", "http.auth.htpasswd.path"), "http.auth.htpasswd.path");
                case "apikey" -> apiKeys = bool(auth, "apikey", "http.auth.apikey");
                case "failDelay" -> failDelay = Duration.ofSeconds(integer(auth, "failDelay", "http.auth.failDelay"));
                case "ldap" -> unsupported("http.auth.ldap", "LDAP authentication");
                case "openid" -> openid(object(auth.get(k), "http.auth.openid"));
                case "bearer" -> bearer(object(auth.get(k), "http.auth.bearer"));
                case "sessionKeysFile" -> sessionKeys = zotSessionKeys(path(text(auth, k, "http.auth.sessionKeysFile"), "http.auth.sessionKeysFile"));
                case "sessionHashKey", "sessionEncryptKey" -> warnings.add("http.auth." + k
                        + " is ignored: give the session keys in a file (http.auth.sessionKeysFile or portcullis.sessions.keys)");
                case "sessionDriver" -> warnings.add("http.auth.sessionDriver is ignored: Portcullis sessions are sealed cookies, no store");
                default -> unknownField("http.auth", k, AUTH_FIELDS);
            }
        }
        JsonNode ours = object(root.path("portcullis"), "portcullis");
        String policyFile = null;
        for (Iterator<String> it = ours.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "dataDirectory" -> dataDirectory = path(text(ours, k, "portcullis.dataDirectory"), "portcullis.dataDirectory");
                case "keyStore" -> keyStore = keyStore(secret(text(ours, k, "portcullis.keyStore"), "portcullis.keyStore"));
                case "endpointPrefix" -> {
                    endpointPrefix = text(ours, k, "portcullis.endpointPrefix");
                    try {
                        Portcullis.builder().endpointPrefix(endpointPrefix); // the builder's rule, checked before the start
                    } catch (IllegalArgumentException e) {
                        throw new InvalidPolicyException("portcullis.endpointPrefix: " + e.getMessage());
                    }
                }
                case "policyFile" -> policyFile = text(ours, k, "portcullis.policyFile");
                case "selfServicePage" -> {
                    selfServicePage = ours.get(k).isBoolean() && !ours.get(k).asBoolean() ? null
                            : text(ours, k, "portcullis.selfServicePage (a path such as \"/account/\", or false)");
                    if (selfServicePage != null && (!selfServicePage.startsWith("/") || selfServicePage.startsWith("/v2/"))) {
                        throw new InvalidPolicyException("portcullis.selfServicePage '" + selfServicePage
                                + "' must be a path outside /v2/, such as \"/account/\" (or false to turn the page off)");
                    }
                }
                case "trustedProxies" -> trustedProxies = proxies(strings(ours.get(k), "portcullis.trustedProxies"));
                case "failureLimit" -> failureLimitSettings(object(ours.get(k), "portcullis.failureLimit"));
                case "apiKeys" -> apiKeySettings(object(ours.get(k), "portcullis.apiKeys"));
                case "sessions" -> sessionSettings(object(ours.get(k), "portcullis.sessions"));
                default -> unknownField("portcullis", k, PORTCULLIS_FIELDS);
            }
        }
        BearerJwt.audienceClash(bearerIssuers, providers).ifPresent(why -> {
            throw new InvalidPolicyException("http.auth.bearer.oidc: " + why);
        });
        if (!providers.isEmpty() && externalUrl == null) {
            throw new InvalidPolicyException("http.auth.openid needs http.externalUrl, the URL users reach the registry at"
                    + " (the providers redirect back to <externalUrl>" + endpointPrefix + "/callback/<provider>)");
        }
        boolean accessControl = http.has("accessControl") && !http.get("accessControl").isNull();
        if (policyFile != null) {
            if (accessControl) {
                throw new InvalidPolicyException("both http.accessControl and portcullis.policyFile are given; keep one policy");
            }
            policy = AccessPolicy.load(path(policyFile, "portcullis.policyFile"));
        } else {
            policy = AccessPolicy.fromZotJson(root.has("http") ? json : "{\"http\": {}}");
        }
        if (!policy.hasAccessControl() && htpasswd == null && !apiKeys && keyStore == null && providers.isEmpty() && bearerIssuers.isEmpty()) {
            // zot: with no authentication configured at all, everyone passes
            warnings.add("no authentication and no accessControl are configured: everyone may do everything, as in zot");
            policy = AccessPolicy.builder().repository("**", r -> r.anonymousPolicy(Action.values()))
                    .metrics(List.of(), Action.READ).build();
        }
    }

    /**
     * A field this file does not know. In the {@code portcullis} section, in a provider's claim mapping (who the user
     * is), or spelt close to a field it knows (a misspelling, or another case), it is an error: ignored, it could change
     * who may do what. Elsewhere it is zot's business (or a newer zot's), ignored with a warning.
     */
    private void unknownField(String path, String key, java.util.Collection<String> known) {
        String where = path.isEmpty() ? key : path + "." + key;
        if (path.isEmpty() && HTTP_FIELDS.stream().anyMatch(key::equalsIgnoreCase)) {
            throw new InvalidPolicyException("the field '" + key + "' belongs under http, as in zot: {\"http\": {\"" + key + "\": …}}");
        }
        java.util.Optional<String> meant = dev.portcullis.policy.Spelling.closest(key, known);
        if (meant.isPresent()) {
            throw new InvalidPolicyException("unknown field " + where + ": did you mean " + (path.isEmpty() ? "" : path + ".") + meant.get()
                    + "? A misspelt field is not ignored, since it could change who may do what");
        }
        if (path.startsWith("portcullis") || path.endsWith(".claimMapping")) { // ours, or who the user is
            throw new InvalidPolicyException("unknown field " + where + "; the fields of " + path + " are " + String.join(", ", known));
        }
        warnings.add(path.isEmpty() ? "unknown top-level field '" + key + "' is ignored" : "unknown field " + where + " is ignored");
    }

    /**
     * A JDBC URL as it is, or a SQLite file path resolved against this file's directory. Another URL (a libpq
     * {@code postgres://user:password@host/db}, say) is an error, never a file of that name.
     */
    private String keyStore(String value) {
        if (value.startsWith("jdbc:")) {
            return value;
        }
        try {
            JdbcApiKeyStore.refuseOtherUrl(value, "portcullis.keyStore");
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(e.getMessage());
        }
        Path fromConfig = path(value, "portcullis.keyStore");
        Path fromWorkingDirectory = Path.of(value).toAbsolutePath();
        if (!Files.exists(fromConfig) && Files.exists(fromWorkingDirectory) && !fromConfig.equals(fromWorkingDirectory)) {
            // earlier versions read it there: an empty store here would silently invalidate every key
            throw new InvalidPolicyException("portcullis.keyStore '" + value + "' is relative to the configuration file's directory, where"
                    + " there is no " + fromConfig.getFileName() + ", but there is " + fromWorkingDirectory + "; give the path absolute");
        }
        return fromConfig.toString();
    }

    /** A path relative to this file's directory; one the file system cannot hold (a NUL, say) is an error naming where. */
    private Path path(String value, String field) {
        try {
            return base.resolve(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidPolicyException(field + " is not a valid path: " + e.getReason());
        }
    }

    /** {@code node} if it is an object, or missing (an empty object); else an error naming where. */
    private static JsonNode object(JsonNode node, String path) {
        if (node == null || node.isMissingNode()) {
            return JSON.createObjectNode();
        }
        if (!node.isObject()) {
            throw new InvalidPolicyException(path + " must be an object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return node;
    }

    private void openid(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "providers" -> node.get(k).fields().forEachRemaining(e -> providers.add(provider(e.getKey(), e.getValue())));
                case "callbackAllowOrigins" -> callbackAllowOrigins = strings(node.get(k), "http.auth.openid.callbackAllowOrigins");
                default -> unknownField("http.auth.openid", k, List.of("providers", "callbackAllowOrigins"));
            }
        }
        if (providers.isEmpty()) {
            throw new InvalidPolicyException("http.auth.openid.providers must name at least one provider");
        }
    }

    private OidcProviderSettings provider(String name, JsonNode node) {
        String path = "http.auth.openid.providers." + name;
        String clientId = null;
        String clientSecret = null;
        String issuer = null;
        List<String> scopes = List.of("openid", "email", "profile");
        String usernameClaim = null;
        String groupsClaim = "groups";
        OidcProviderSettings.ClientAuth clientAuth = OidcProviderSettings.ClientAuth.CLIENT_SECRET_BASIC;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "issuer" -> issuer = text(node, k, path + ".issuer");
                case "clientid" -> clientId = text(node, k, path + ".clientid");
                case "clientsecret" -> clientSecret = secret(text(node, k, path + ".clientsecret"), path + ".clientsecret");
                case "credentialsFile" -> {
                    Path file = path(text(node, k, path + ".credentialsFile"), path + ".credentialsFile");
                    try {
                        JsonNode creds = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
                        clientId = text(creds, "clientid", file + ": clientid");
                        clientSecret = text(creds, "clientsecret", file + ": clientsecret");
                    } catch (IOException e) {
                        throw new InvalidPolicyException(path + ".credentialsFile: cannot read " + file + " as {\"clientid\", \"clientsecret\"}"
                                + (e instanceof JsonProcessingException j && j.getLocation() != null ? " (line " + j.getLocation().getLineNr() + ")" : ": " + e.getMessage()));
                    }
                }
                case "clientAuthMethod" -> {
                    try {
                        clientAuth = OidcProviderSettings.ClientAuth.fromConfig(text(node, k, path + ".clientAuthMethod"));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidPolicyException(path + ".clientAuthMethod: " + e.getMessage());
                    }
                }
                case "scopes" -> scopes = strings(node.get(k), path + ".scopes");
                case "claimMapping" -> {
                    JsonNode m = object(node.get(k), path + ".claimMapping");
                    m.fieldNames().forEachRemaining(f -> {
                        if (!f.equals("username") && !f.equals("groups")) {
                            unknownField(path + ".claimMapping", f, List.of("username", "groups"));
                        }
                    });
                    if (m.has("username")) {
                        usernameClaim = text(m, "username", path + ".claimMapping.username");
                    }
                    if (m.has("groups")) {
                        groupsClaim = text(m, "groups", path + ".claimMapping.groups");
                    }
                }
                case "name" -> {
                    // zot's display name for its UI; the key is the name in URLs
                }
                case "keypath" -> unsupported(path + ".keypath", "private_key_jwt client authentication");
                case "authurl", "tokenurl" -> unsupported(path + "." + k, "OAuth2 login without OIDC discovery (e.g. GitHub)");
                default -> unknownField(path, k, PROVIDER_FIELDS);
            }
        }
        if (issuer == null) {
            unsupported(path + " without an issuer", "OAuth2 login without OIDC discovery (e.g. GitHub)");
        }
        if (clientId == null || clientSecret == null) {
            throw new InvalidPolicyException(path + " needs clientid and clientsecret, or a credentialsFile holding both");
        }
        try {
            return new OidcProviderSettings(name, issuer, clientId, clientSecret, clientAuth, scopes, usernameClaim, groupsClaim);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(path + ": " + e.getMessage());
        }
    }

    private void bearer(JsonNode node) {
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
                case "realm", "service", "cert", "upstreamTokenEndpoint", "awsSecretsManager" ->
                        unsupported("http.auth.bearer." + k, "a Docker token service (bearer realm/service/cert)");
                default -> unknownField("http.auth.bearer", k, List.of("oidc", "realm", "service", "cert", "upstreamTokenEndpoint", "awsSecretsManager"));
            }
        }
    }

    private BearerJwt.TrustedIssuer trustedIssuer(JsonNode node, String path) {
        String issuer = text(node, "issuer", path + ".issuer");
        List<String> audiences = strings(node.get("audiences"), path + ".audiences");
        String username = null;
        String groups = null;
        JsonNode mapping = node.path("claimMapping");
        for (Iterator<String> it = mapping.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "username" -> username = text(mapping, k, path + ".claimMapping.username");
                case "groups" -> groups = text(mapping, k, path + ".claimMapping.groups");
                default -> unsupported(path + ".claimMapping." + k, "CEL variables and validations");
            }
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "issuer", "audiences", "claimMapping", "jwksUri", "requiredClaims" -> {
                }
                case "skipIssuerVerification" -> unsupported(path + ".skipIssuerVerification", "skipping the issuer check");
                case "certificateAuthority", "certificateAuthorityFile" -> unsupported(path + "." + k,
                        "a private CA for the issuer (add it to the JVM's trust store instead)");
                default -> unknownField(path, k, ISSUER_FIELDS);
            }
        }
        java.net.URI jwks = node.has("jwksUri") ? java.net.URI.create(text(node, "jwksUri", path + ".jwksUri")) : null;
        java.util.Map<String, List<String>> required = new java.util.LinkedHashMap<>();
        if (node.has("requiredClaims")) {
            JsonNode r = node.get("requiredClaims");
            if (!r.isObject()) {
                throw new InvalidPolicyException(path + ".requiredClaims must be an object of claim → allowed values, e.g. {\"repository_owner\": [\"my-org\"]}");
            }
            r.fields().forEachRemaining(e -> required.put(e.getKey(), strings(e.getValue(), path + ".requiredClaims." + e.getKey())));
        }
        try {
            return new BearerJwt.TrustedIssuer(issuer, audiences, username, groups, jwks, required);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(path + ": " + e.getMessage());
        }
    }

    private void sessionSettings(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.sessions." + k;
            switch (k) {
                case "keys" -> {
                    try {
                        sessionKeys = SessionKeyRing.parse(secret(text(node, k, path), path));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidPolicyException(path + ": " + e.getMessage());
                    }
                }
                case "maxAgeMinutes" -> sessionMaxAge = Duration.ofMinutes(positive(node, k, path));
                case "secureCookie" -> secureCookie = bool(node, k, path);
                default -> unknownField("portcullis.sessions", k, List.of("keys", "maxAgeMinutes", "secureCookie"));
            }
        }
    }

    /** zot's session key file {@code {"hashKey", "encryptKey"}}, or a Portcullis key ring {@code {"keys": [...]}}. */
    private static SessionKeyRing zotSessionKeys(Path file) {
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
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

    private void failureLimitSettings(JsonNode node) {
        failureAttempts = positive(node, "attempts", "portcullis.failureLimit.attempts");
        failureWindow = Duration.ofSeconds(positive(node, "windowSeconds", "portcullis.failureLimit.windowSeconds"));
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.failureLimit." + k;
            switch (k) {
                case "attempts", "windowSeconds" -> { } // both required, read above
                case "delayMillis" -> limitedDelay = Duration.ofMillis(integer(node, k, path));
                default -> unknownField("portcullis.failureLimit", k, List.of("attempts", "windowSeconds", "delayMillis"));
            }
        }
    }

    private void apiKeySettings(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.apiKeys." + k;
            switch (k) {
                case "prefix" -> keyPrefix = text(node, k, path);
                case "maxLifetimeDays" -> maxLifetime = Duration.ofDays(integer(node, k, path));
                case "overlong" -> overlong = switch (text(node, k, path)) {
                    case "clamp" -> ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM;
                    case "refuse" -> ApiKeyService.OverlongKeys.REFUSE;
                    default -> throw new InvalidPolicyException(path + " must be \"clamp\" or \"refuse\"");
                };
                case "eventPollMillis" -> eventPoll = Duration.ofMillis(positive(node, k, path));
                case "verifiedCacheSeconds" -> verifiedCacheTtl = Duration.ofSeconds(integer(node, k, path));
                default -> unknownField("portcullis.apiKeys", k, List.of("prefix", "maxLifetimeDays", "overlong", "eventPollMillis",
                        "verifiedCacheSeconds"));
            }
        }
    }

    private static void unsupported(String field, String what) {
        throw new InvalidPolicyException(field + ": " + what + " is not supported by Portcullis yet; remove " + field
                + " or run zot's own authentication for it");
    }

    private String secret(String value, String field) {
        try {
            return Secrets.resolve(value, field, base);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(e.getMessage());
        }
    }

    private static String text(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw new InvalidPolicyException(path + " must be a string");
        }
        return v.textValue();
    }

    private static boolean bool(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || !v.isBoolean()) {
            throw new InvalidPolicyException(path + " must be true or false");
        }
        return v.booleanValue();
    }

    private static int integer(JsonNode node, String key, String path) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw new InvalidPolicyException(path + " must be a non-negative whole number");
        }
        return v.intValue();
    }

    /** A whole number of at least 1: where 0 would turn a defence off or make no sense. */
    private static int positive(JsonNode node, String key, String path) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw new InvalidPolicyException(path + " must be a whole number of at least 1");
        }
        return v.intValue();
    }

    /** Proxy addresses as the container reports a peer's: IP addresses, one by one (a range would never match). */
    private static List<String> proxies(List<String> addresses) {
        for (String a : addresses) {
            if (a.contains("/")) {
                throw new InvalidPolicyException("portcullis.trustedProxies: '" + a + "' is a range; list each proxy's address (ranges are not supported)");
            }
            if (!a.matches("(\\d{1,3}\\.){3}\\d{1,3}") && !a.matches("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?")) { // Jetty brackets IPv6
                throw new InvalidPolicyException("portcullis.trustedProxies: '" + a + "' is not an IP address; list each proxy's address as the"
                        + " container reports it (e.g. 10.0.0.7)");
            }
        }
        return addresses;
    }

    private static List<String> strings(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw new InvalidPolicyException(path + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> {
            if (!n.isTextual()) {
                throw new InvalidPolicyException(path + "[" + out.size() + "] must be a string");
            }
            out.add(n.textValue());
        });
        return out;
    }

    /** Fields that were ignored, for the operator. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public AccessPolicy policy() {
        return policy;
    }

    public String realm() {
        return realm;
    }

    /** zot's {@code http.externalUrl}, or {@code null}. */
    public String externalUrl() {
        return externalUrl;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The key store: the configured one, else {@code keys.db} in the data directory. */
    public String keyStore() {
        return keyStore != null ? keyStore : dataDirectory.resolve("keys.db").toString();
    }

    /**
     * A pipeline builder set up from this configuration — add the application's
     * {@link Portcullis.Builder#existence existence lookup} or routes, then build. Opens the key
     * store when API keys are on; {@link Portcullis#close()} closes it. Logs the ignored fields.
     */
    public Portcullis.Builder builder() {
        warnings.forEach(w -> LOG.warn("configuration: {}", w));
        Portcullis.Builder b = Portcullis.builder().policy(policy).realm(realm).endpointPrefix(endpointPrefix).failDelay(failDelay)
                .failureLimit(failureAttempts, failureWindow).limitedDelay(limitedDelay).trustedProxies(trustedProxies);
        if (htpasswd != null) {
            b.htpasswd(htpasswd);
        }
        if (selfServicePage == null) {
            b.withoutSelfServicePage();
        } else if (!selfServicePage.isEmpty()) {
            b.selfServicePage(selfServicePage);
        }
        if (apiKeys || keyStore != null) {
            JdbcApiKeyStore store = JdbcApiKeyStore.open(keyStore());
            ApiKeyService.Builder keys = ApiKeyService.builder(store).prefix(keyPrefix).eventPollInterval(eventPoll)
                    .verifiedCache(verifiedCacheTtl, 10_000);
            if (maxLifetime != null) {
                keys.maxLifetime(maxLifetime, overlong);
            }
            ApiKeyService service = keys.build();
            b.apiKeys(service).closeWith(service).closeWith(store);
        }
        if (!providers.isEmpty()) {
            SessionKeyRing ring = sessionKeys != null ? sessionKeys : SessionKeyRing.loadOrCreate(dataDirectory.resolve("session-keys.json"));
            boolean secure = secureCookie != null ? secureCookie : externalUrl.regionMatches(true, 0, "https:", 0, 6);
            OidcLogin.Builder login = OidcLogin.builder().endpointPrefix(endpointPrefix).externalUrl(externalUrl)
                    .callbackAllowOrigins(callbackAllowOrigins).sessions(new SessionCookies(ring, sessionMaxAge, secure));
            providers.forEach(login::provider);
            b.oidc(login.build());
        }
        if (!bearerIssuers.isEmpty()) {
            b.bearerJwt(new BearerJwt(bearerIssuers));
        }
        return b;
    }

    public Portcullis build() {
        return builder().build();
    }
}
