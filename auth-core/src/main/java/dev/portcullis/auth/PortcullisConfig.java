package dev.portcullis.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStore;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
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
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A zot {@code config.json}, loaded as-is, plus an optional {@code portcullis} section for what zot
 * lacks. Read from zot: {@code http.realm}, {@code http.externalUrl}, {@code http.auth.htpasswd.path},
 * {@code http.auth.apikey}, {@code http.auth.failDelay}, {@code http.auth.openid} (OIDC providers with an
 * issuer), {@code http.auth.sessionKeysFile}, {@code http.auth.bearer.oidc} (trusted JWT issuers),
 * {@code http.auth.bearer} {@code realm}/{@code service}/{@code cert} (an external token server),
 * {@code http.accessControl}. Features Portcullis does not implement (LDAP, OAuth2 without OIDC, mTLS) are a startup error
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
 *     "apiKeys": { "prefix": "pck_", "maxLifetimeDays": 90, "overlong": "clamp", "eventPollMillis": 1000,
 *                  "verifiedCacheSeconds": 300 },
 *     "sessions": { "keys": "file:session-keys.json", "maxAgeMinutes": 120, "secureCookie": true }
 *   }
 * }
 * }</pre>
 */
public final class PortcullisConfig {
    private static final Logger LOG = LoggerFactory.getLogger(PortcullisConfig.class);
    /** Portcullis's sections, and zot's that are not its business. */
    private static final List<String> TOP_LEVEL_FIELDS = List.of("http", "portcullis", "distSpecVersion", "storage", "log", "extensions",
            "scheduler", "cluster");
    private static final List<String> AUTH_FIELDS = List.of("htpasswd", "apikey", "failDelay", "ldap", "openid", "bearer", "sessionKeysFile",
            "sessionHashKey", "sessionEncryptKey", "sessionDriver", "secureSession", "mtls");
    private static final List<String> PORTCULLIS_FIELDS = List.of("dataDirectory", "keyStore", "endpointPrefix", "policyFile",
            "selfServicePage", "trustedProxies", "failureLimit", "apiKeys", "sessions", "registryTokens", "ldap");

    private final ConfigReader reader;
    private final List<String> warnings;
    private final OidcSection oidc;
    private final LdapSection ldap;
    private String realm = "portcullis";
    private @Nullable String externalUrl;
    private @Nullable Path htpasswd;
    private boolean apiKeys;
    private Duration failDelay = Duration.ZERO;
    private @Nullable AccessPolicy policy;
    /** Where the policy came from, for the start's summary line. */
    private String policySource = "http.accessControl";
    private Path dataDirectory;
    private @Nullable String keyStore;
    private String endpointPrefix = "/auth";
    /** The self-service page's path; "" for the default ({prefix}/), null when turned off. */
    private @Nullable String selfServicePage = "";
    private List<String> trustedProxies = List.of();
    private int failureAttempts = 20;
    private Duration failureWindow = Duration.ofMinutes(1);
    private Duration limitedDelay = Duration.ofSeconds(1);
    private String keyPrefix = "pck_";
    private @Nullable Duration maxLifetime;
    private ApiKeyService.OverlongKeys overlong = ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM;
    private Duration eventPoll = Duration.ofSeconds(1);
    private Duration verifiedCacheTtl = Duration.ofMinutes(5);
    /** {@code portcullis.registryTokens.enabled}: null for the default (on: the configuration is for an OCI registry). */
    private @Nullable Boolean registryTokens;
    private Duration registryTokenLifetime = Duration.ofMinutes(5);
    /** zot's {@code http.tls.cacert}: the authorities of client certificates, which makes them credentials. */
    private @Nullable Path clientCertificateAuthorities;
    private @Nullable JsonNode mtls;
    private @Nullable ClientCertificates clientCertificates;
    /** zot's {@code http.ratelimit}: the limit for every method first, then those per method. */
    private final List<RateLimiter.Limit> rateLimits = new ArrayList<>();

    /** The file read, for the watcher; null for text given to {@link #parse}. */
    private @Nullable Path file;
    /** The JSON as read, for the watcher's comparison of what changed. */
    private JsonNode tree = ConfigReader.JSON.createObjectNode();
    /** What {@link #load(Path, UnaryOperator)} changes in the file, again at each reload. */
    private UnaryOperator<ObjectNode> adjust = UnaryOperator.identity();
    /** The SHA-256 of the text read and of the policy file read; set by {@link #load}. */
    private String digest = "";

    private PortcullisConfig(Path base) {
        this.reader = new ConfigReader(base);
        this.warnings = reader.warnings;
        this.oidc = new OidcSection(reader);
        this.ldap = new LdapSection(reader);
        this.dataDirectory = base.resolve("data");
    }

    /**
     * Reads a configuration file; relative paths in it are resolved against its directory. Reads the files it names
     * (a policy file, session keys, secrets given as {@code file:PATH}) but opens no key store: {@link #builder()}
     * does.
     *
     * @param file the zot {@code config.json}
     * @return the configuration, checked
     * @throws InvalidPolicyException naming the file, the field and what to do
     */
    public static PortcullisConfig load(Path file) {
        return load(file, UnaryOperator.identity());
    }

    /**
     * Reads a configuration file and changes it before it is checked, the same way at every live reload: for an
     * application that adds to the file what its command line says (a data directory, an identity provider) or takes
     * out a section of its own.
     *
     * @param file the zot {@code config.json}
     * @param adjust changes the file's JSON object (given a copy) and returns it; it must not fail
     * @return the configuration, checked
     * @throws InvalidPolicyException naming the file, the field and what to do
     */
    public static PortcullisConfig load(Path file, UnaryOperator<ObjectNode> adjust) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidPolicyException(file + ": cannot read the configuration: " + e);
        }
        try {
            Path base = Objects.requireNonNull(file.toAbsolutePath().getParent(), "a file's directory");
            ObjectNode root = object(text);
            ObjectNode changed = adjust.apply(root.deepCopy());
            PortcullisConfig config = parse(changed.equals(root) ? text : changed.toPrettyString(), base); // the file's lines when unchanged
            config.file = file;
            config.adjust = adjust;
            config.digest = ConfigWatcher.fingerprint(text) + ConfigWatcher.policyFingerprint(config.tree, file);
            if (config.policySource.equals("http.accessControl")) {
                config.policySource = "http.accessControl of " + file;
            }
            return config;
        } catch (InvalidPolicyException e) {
            throw new InvalidPolicyException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses configuration text; relative paths are resolved against {@code base}.
     *
     * @param json the text of a zot {@code config.json}
     * @param base the directory that relative paths in it are resolved against, normally the file's directory
     * @return the configuration, checked
     * @throws InvalidPolicyException for malformed JSON, a field of the wrong type or value, a feature Portcullis does
     *     not implement, or an unknown field where that is an error; the message names the field and what to do
     */
    public static PortcullisConfig parse(String json, Path base) {
        PortcullisConfig c = new PortcullisConfig(base);
        c.read(object(json), json);
        return c;
    }

    /** The text as a JSON object, or an error that says where it is not one (and repeats none of its text). */
    private static ObjectNode object(String json) {
        JsonNode root;
        try {
            root = ConfigReader.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // quoted text is left out: it could be a secret written without quotes
            String problem = e.getOriginalMessage().startsWith("Trailing token")
                    ? "more follows the end of the JSON object; remove it, or the '}' that closes the object too early"
                    : e.getOriginalMessage().replaceAll("'[^']*'", "'…'").replaceAll("\\(code \\d+\\)", "");
            throw new InvalidPolicyException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + problem);
        }
        if (!(root instanceof ObjectNode object)) {
            throw new InvalidPolicyException("the configuration must be a JSON object (a zot config.json)");
        }
        return object;
    }

    private void read(JsonNode root, String json) {
        tree = root;
        root.fieldNames().forEachRemaining(k -> {
            if (!TOP_LEVEL_FIELDS.contains(k)) {
                reader.unknownField("", k, TOP_LEVEL_FIELDS);
            }
        });
        JsonNode http = ConfigReader.object(root.path("http"), "http");
        http.fieldNames().forEachRemaining(k -> {
            if (!ConfigReader.HTTP_FIELDS.contains(k)) {
                reader.unknownField("http", k, ConfigReader.HTTP_FIELDS);
            }
        });
        if (http.has("realm")) {
            realm = ConfigReader.text(http, "realm", "http.realm");
        }
        if (http.has("externalUrl")) {
            externalUrl = ConfigReader.text(http, "externalUrl", "http.externalUrl");
        }
        if (http.has("ratelimit")) {
            rateLimits(ConfigReader.object(http.get("ratelimit"), "http.ratelimit"));
        }
        if (http.has("tls")) {
            oidc.tls();
            JsonNode tls = ConfigReader.object(http.get("tls"), "http.tls");
            if (tls.has("cacert")) {
                clientCertificateAuthorities = reader.path(ConfigReader.text(tls, "cacert", "http.tls.cacert"), "http.tls.cacert");
            }
            if (tls.has("cert") || tls.has("key")) {
                warnings.add("http.tls.cert and key are ignored: TLS is the servlet container's or Netty's job"
                        + (tls.has("cacert") ? "; http.tls.cacert is read, and the container must ask clients for certificates (wantClientAuth)" : ""));
            }
        }
        JsonNode auth = ConfigReader.object(http.path("auth"), "http.auth");
        for (Iterator<String> it = auth.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "htpasswd" -> htpasswd = reader.path(ConfigReader.text(auth.path("htpasswd"), "path", "http.auth.htpasswd.path"), "http.auth.htpasswd.path");
                case "apikey" -> apiKeys = ConfigReader.bool(auth, "apikey", "http.auth.apikey");
                case "failDelay" -> failDelay = Duration.ofSeconds(ConfigReader.integer(auth, "failDelay", "http.auth.failDelay"));
                case "ldap" -> ldap.zot(ConfigReader.object(auth.get(k), "http.auth.ldap"));
                case "openid" -> oidc.openid(ConfigReader.object(auth.get(k), "http.auth.openid"));
                case "bearer" -> oidc.bearer(ConfigReader.object(auth.get(k), "http.auth.bearer"));
                case "sessionKeysFile" -> oidc.sessionKeysFile(reader.path(ConfigReader.text(auth, k, "http.auth.sessionKeysFile"), "http.auth.sessionKeysFile"));
                case "sessionHashKey", "sessionEncryptKey" -> warnings.add("http.auth." + k
                        + " is ignored: give the session keys in a file (http.auth.sessionKeysFile or portcullis.sessions.keys)");
                case "mtls" -> mtls = ConfigReader.object(auth.get(k), "http.auth.mtls");
                case "secureSession" -> oidc.secureSession(ConfigReader.bool(auth, k, "http.auth.secureSession"));
                case "sessionDriver" -> warnings.add("http.auth.sessionDriver is ignored: Portcullis sessions are sealed cookies, no store");
                default -> reader.unknownField("http.auth", k, AUTH_FIELDS);
            }
        }
        JsonNode ours = ConfigReader.object(root.path("portcullis"), "portcullis");
        String policyFile = null;
        for (Iterator<String> it = ours.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "dataDirectory" -> dataDirectory = reader.path(ConfigReader.text(ours, k, "portcullis.dataDirectory"), "portcullis.dataDirectory");
                case "keyStore" -> keyStore = keyStore(reader.secret(ConfigReader.text(ours, k, "portcullis.keyStore"), "portcullis.keyStore"));
                case "endpointPrefix" -> {
                    endpointPrefix = ConfigReader.text(ours, k, "portcullis.endpointPrefix");
                    try {
                        Portcullis.builder().endpointPrefix(endpointPrefix); // the builder's rule, checked before the start
                    } catch (IllegalArgumentException e) {
                        throw new InvalidPolicyException("portcullis.endpointPrefix: " + e.getMessage());
                    }
                }
                case "policyFile" -> policyFile = ConfigReader.text(ours, k, "portcullis.policyFile");
                case "selfServicePage" -> {
                    selfServicePage = ours.get(k).isBoolean() && !ours.get(k).asBoolean() ? null
                            : ConfigReader.text(ours, k, "portcullis.selfServicePage (a path such as \"/account/\", or false)");
                    if (selfServicePage != null && (!selfServicePage.startsWith("/") || selfServicePage.startsWith("/v2/"))) {
                        throw new InvalidPolicyException("portcullis.selfServicePage '" + selfServicePage
                                + "' must be a path outside /v2/, such as \"/account/\" (or false to turn the page off)");
                    }
                }
                case "trustedProxies" -> trustedProxies = proxies(ConfigReader.strings(ours.get(k), "portcullis.trustedProxies"));
                case "failureLimit" -> failureLimitSettings(ConfigReader.object(ours.get(k), "portcullis.failureLimit"));
                case "apiKeys" -> apiKeySettings(ConfigReader.object(ours.get(k), "portcullis.apiKeys"));
                case "sessions" -> oidc.sessionSettings(ConfigReader.object(ours.get(k), "portcullis.sessions"));
                case "registryTokens" -> registryTokenSettings(ConfigReader.object(ours.get(k), "portcullis.registryTokens"));
                case "ldap" -> {
                    if (!auth.has("ldap")) {
                        throw new InvalidPolicyException("portcullis.ldap tunes the LDAP directory of http.auth.ldap, which is not given");
                    }
                    ldap.ours(ConfigReader.object(ours.get(k), "portcullis.ldap"));
                }
                default -> reader.unknownField("portcullis", k, PORTCULLIS_FIELDS);
            }
        }
        oidc.check(externalUrl, endpointPrefix);
        clientCertificates = clientCertificates();
        boolean accessControl = http.has("accessControl") && !http.get("accessControl").isNull();
        if (policyFile != null) {
            if (accessControl) {
                throw new InvalidPolicyException("both http.accessControl and portcullis.policyFile are given; keep one policy");
            }
            Path file = reader.path(policyFile, "portcullis.policyFile");
            policy = AccessPolicy.load(file);
            policySource = file.toString();
        } else {
            policy = AccessPolicy.fromZotJson(root.has("http") ? json : "{\"http\": {}}");
        }
        if (!policy.hasAccessControl() && htpasswd == null && !apiKeys && keyStore == null && !oidc.configured() && !ldap.configured()
                && clientCertificates == null) {
            // zot: with no authentication configured at all, everyone passes
            warnings.add("no authentication and no accessControl are configured: everyone may do everything, as in zot");
            policy = AccessPolicy.builder().repository("**", r -> r.anonymousPolicy(Action.values()))
                    .metrics(List.of(), Action.READ).build();
            policySource = "none configured: everyone may do everything";
        }
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
            throw new InvalidPolicyException(String.valueOf(e.getMessage()));
        }
        Path fromConfig = reader.path(value, "portcullis.keyStore");
        Path fromWorkingDirectory = Path.of(value).toAbsolutePath();
        if (!Files.exists(fromConfig) && Files.exists(fromWorkingDirectory) && !fromConfig.equals(fromWorkingDirectory)) {
            // earlier versions read it there: an empty store here would silently invalidate every key
            throw new InvalidPolicyException("portcullis.keyStore '" + value + "' is relative to the configuration file's directory, where"
                    + " there is no " + fromConfig.getFileName() + ", but there is " + fromWorkingDirectory + "; give the path absolute");
        }
        return fromConfig.toString();
    }

    private void failureLimitSettings(JsonNode node) {
        failureAttempts = ConfigReader.positive(node, "attempts", "portcullis.failureLimit.attempts");
        failureWindow = Duration.ofSeconds(ConfigReader.positive(node, "windowSeconds", "portcullis.failureLimit.windowSeconds"));
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.failureLimit." + k;
            switch (k) {
                case "attempts", "windowSeconds" -> { } // both required, read above
                case "delayMillis" -> limitedDelay = Duration.ofMillis(ConfigReader.integer(node, k, path));
                default -> reader.unknownField("portcullis.failureLimit", k, List.of("attempts", "windowSeconds", "delayMillis"));
            }
        }
    }

    private void apiKeySettings(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.apiKeys." + k;
            switch (k) {
                case "prefix" -> keyPrefix = ConfigReader.text(node, k, path);
                case "maxLifetimeDays" -> maxLifetime = Duration.ofDays(ConfigReader.integer(node, k, path));
                case "overlong" -> overlong = switch (ConfigReader.text(node, k, path)) {
                    case "clamp" -> ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM;
                    case "refuse" -> ApiKeyService.OverlongKeys.REFUSE;
                    default -> throw new InvalidPolicyException(path + " must be \"clamp\" or \"refuse\"");
                };
                case "eventPollMillis" -> eventPoll = Duration.ofMillis(ConfigReader.positive(node, k, path));
                case "verifiedCacheSeconds" -> verifiedCacheTtl = Duration.ofSeconds(ConfigReader.integer(node, k, path));
                default -> reader.unknownField("portcullis.apiKeys", k, List.of("prefix", "maxLifetimeDays", "overlong", "eventPollMillis",
                        "verifiedCacheSeconds"));
            }
        }
    }

    private void registryTokenSettings(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String path = "portcullis.registryTokens." + k;
            switch (k) {
                case "enabled" -> registryTokens = ConfigReader.bool(node, k, path);
                case "lifetimeSeconds" -> {
                    int seconds = ConfigReader.positive(node, k, path);
                    if (seconds > 86_400) {
                        throw new InvalidPolicyException(path + " is " + seconds + "; a registry token lives at most a day (86400), e.g. 300");
                    }
                    registryTokenLifetime = Duration.ofSeconds(seconds);
                }
                default -> reader.unknownField("portcullis.registryTokens", k, List.of("enabled", "lifetimeSeconds"));
            }
        }
    }

    /** zot's mTLS: {@code http.tls.cacert} and {@code http.auth.mtls} (where the user name is read from). */
    private @Nullable ClientCertificates clientCertificates() {
        Path authorities = clientCertificateAuthorities;
        JsonNode m = mtls;
        if (authorities == null) {
            if (m != null) {
                throw new InvalidPolicyException("http.auth.mtls needs http.tls.cacert, the authorities whose client certificates are"
                        + " credentials");
            }
            return null;
        }
        try {
            ClientCertificates.Builder b = ClientCertificates.trusting(authorities);
            if (m != null) {
                List<String> known = List.of("identityAttributes", "uriSanPattern", "uriSanIndex", "dnsSanIndex", "emailSanIndex");
                m.fieldNames().forEachRemaining(f -> {
                    if (!known.contains(f)) {
                        reader.unknownField("http.auth.mtls", f, known);
                    }
                });
                if (m.has("identityAttributes")) {
                    b.identityAttributes(ConfigReader.strings(m.get("identityAttributes"), "http.auth.mtls.identityAttributes").stream()
                            .map(ClientCertificates.Attribute::parse).toList());
                }
                if (m.has("uriSanPattern")) {
                    b.uriPattern(ConfigReader.text(m, "uriSanPattern", "http.auth.mtls.uriSanPattern"));
                }
                b.indices(m.has("uriSanIndex") ? ConfigReader.integer(m, "uriSanIndex", "http.auth.mtls.uriSanIndex") : 0,
                        m.has("dnsSanIndex") ? ConfigReader.integer(m, "dnsSanIndex", "http.auth.mtls.dnsSanIndex") : 0,
                        m.has("emailSanIndex") ? ConfigReader.integer(m, "emailSanIndex", "http.auth.mtls.emailSanIndex") : 0);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidPolicyException) {
                throw e;
            }
            throw new InvalidPolicyException((m == null ? "http.tls.cacert: " : "http.auth.mtls: ") + e.getMessage());
        }
    }

    /** zot's {@code http.ratelimit}: {@code {"rate": 10, "methods": [{"method": "GET", "rate": 5}]}}. */
    private void rateLimits(JsonNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            switch (k) {
                case "rate" -> rateLimits.add(0, new RateLimiter.Limit(null, ConfigReader.positive(node, k, "http.ratelimit.rate")));
                case "methods" -> {
                    JsonNode methods = node.get(k);
                    if (!methods.isArray()) {
                        throw new InvalidPolicyException("http.ratelimit.methods must be a list such as [{\"method\": \"GET\", \"rate\": 5}]");
                    }
                    for (int i = 0; i < methods.size(); i++) {
                        String path = "http.ratelimit.methods[" + i + "]";
                        JsonNode m = ConfigReader.object(methods.get(i), path);
                        m.fieldNames().forEachRemaining(f -> {
                            if (!f.equals("method") && !f.equals("rate")) {
                                reader.unknownField(path, f, List.of("method", "rate"));
                            }
                        });
                        String method = ConfigReader.text(m, "method", path + ".method");
                        int rate = ConfigReader.positive(m, "rate", path + ".rate");
                        if (rateLimits.stream().anyMatch(l -> method.equals(l.method()))) {
                            throw new InvalidPolicyException(path + ": " + method + " has a rate already; give each method once");
                        }
                        try {
                            rateLimits.add(new RateLimiter.Limit(method, rate));
                        } catch (IllegalArgumentException e) {
                            throw new InvalidPolicyException(path + ".method: " + e.getMessage());
                        }
                    }
                }
                default -> reader.unknownField("http.ratelimit", k, List.of("rate", "methods"));
            }
        }
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

    /**
     * Fields that were ignored, for the operator; {@link #builder()} logs them.
     *
     * @return one message per warning, naming the field and why (also when nothing is configured, so that everyone may
     *     do everything); empty when there is none
     */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * The access policy: {@code portcullis.policyFile}, else zot's {@code http.accessControl}. With no authentication
     * and no access control configured at all, everyone may do everything, as in zot (with a warning).
     *
     * @return the policy; never null
     */
    public AccessPolicy policy() {
        return Objects.requireNonNull(policy, "parse sets the policy");
    }

    /**
     * zot's {@code http.realm}, for {@code WWW-Authenticate}.
     *
     * @return the realm; {@code portcullis} when the file gives none
     */
    public String realm() {
        return realm;
    }

    /**
     * zot's {@code http.externalUrl}, or {@code null}.
     *
     * @return the registry's address as its clients reach it, as written, such as {@code https://registry.example.com};
     *     null when the file gives none (required with an OIDC login)
     */
    public @Nullable String externalUrl() {
        return externalUrl;
    }

    /**
     * Where Portcullis keeps its files: {@code portcullis.dataDirectory}. Holds the key store ({@code keys.db}) and the
     * session keys ({@code session-keys.json}) unless the file names others.
     *
     * @return the directory, resolved against the configuration's; {@code data} next to the configuration by default.
     *     It need not exist yet
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * The key store: the configured one, else {@code keys.db} in the data directory.
     *
     * @return a JDBC URL, or the path of a SQLite file; named even when API keys are off, though then nothing opens it
     */
    public String keyStore() {
        return keyStore != null ? keyStore : dataDirectory.resolve("keys.db").toString();
    }

    /**
     * An API key service over {@code store} with this configuration's {@code portcullis.apiKeys} settings (prefix,
     * maximum lifetime and what happens beyond it, event poll interval, verified-token cache): the service
     * {@link #builder()} gives the pipeline, for tools that manage keys in the same store, such as the
     * {@code portcullis-keys} command line.
     *
     * <pre>{@code
     * try (JdbcApiKeyStore store = JdbcApiKeyStore.open(config.keyStore());
     *      ApiKeyService keys = config.apiKeyService(store).build()) { ... }
     * }</pre>
     *
     * @param store the key store, normally opened from {@link #keyStore()}; the service does not close it
     * @return a service builder with this configuration's settings
     */
    public ApiKeyService.Builder apiKeyService(ApiKeyStore store) {
        ApiKeyService.Builder keys = ApiKeyService.builder(store).prefix(keyPrefix).eventPollInterval(eventPoll)
                .verifiedCache(verifiedCacheTtl, 10_000);
        if (maxLifetime != null) {
            keys.maxLifetime(maxLifetime, overlong);
        }
        return keys;
    }

    /**
     * A pipeline builder set up from this configuration — add the application's
     * {@link Portcullis.Builder#existence existence lookup} or routes, then build. Opens the key
     * store when API keys are on; {@link Portcullis#close()} closes it. Logs the ignored fields. Each call opens the
     * store again, and a builder that is never built leaves it open.
     *
     * @return a builder with this configuration's policy, realm, endpoint prefix, delays, failure limit, trusted
     *     proxies, htpasswd file, self-service page, API keys and OIDC login
     * @throws dev.portcullis.auth.apikey.ApiKeyStoreException when the key store cannot be opened
     * @throws IllegalArgumentException when the session keys in the data directory cannot be read or created, or
     *     {@code portcullis.apiKeys.prefix} has characters other than lower-case letters, digits and {@code _}
     */
    public Portcullis.Builder builder() {
        warnings.forEach(w -> LOG.warn("configuration: {}", w));
        Portcullis.Builder b = Portcullis.builder().policy(policy()).realm(realm).endpointPrefix(endpointPrefix).failDelay(failDelay)
                .failureLimit(failureAttempts, failureWindow).limitedDelay(limitedDelay).trustedProxies(trustedProxies);
        b.settings.policySource = policySource;
        Path watched = file;
        if (watched != null) {
            b.settings.watch = reload -> new ConfigWatcher(watched, tree, digest, reload, f -> {
                PortcullisConfig next = load(f, adjust);
                return new ConfigWatcher.Read(next.policy(), next.policySource(), next.tree(), next.warnings(), next.digest());
            });
        }
        b.settings.rateLimits.addAll(rateLimits);
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
            ApiKeyService service = apiKeyService(store).build();
            b.apiKeys(service).closeWith(service).closeWith(store);
        }
        b.clientCertificates(clientCertificates);
        if (ldap.configured()) {
            dev.portcullis.auth.ldap.LdapDirectory directory = ldap.directory();
            b.ldap(directory).closeWith(directory);
        }
        oidc.apply(b, endpointPrefix, externalUrl, dataDirectory);
        if (externalUrl != null) {
            try {
                b.externalUrl(externalUrl);
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException("http.externalUrl: " + e.getMessage());
            }
        }
        if (Boolean.FALSE.equals(registryTokens)) {
            b.withoutRegistryTokens();
        } else {
            // the session key ring: replicas that share the data directory (or the configured keys) accept each other's
            // tokens. Unless enabled is given, on only for the OCI routes, which the application may still change.
            try {
                b.settings.tokenKeys = oidc.sessionKeys(dataDirectory);
            } catch (IllegalArgumentException e) {
                // a read-only data directory: the tokens still work, on this instance only
                LOG.warn("registry tokens: {}; signing them with a key generated at the start, which other replicas refuse", e.getMessage());
            }
            b.settings.tokenLifetime = registryTokenLifetime;
            b.settings.tokens = registryTokens;
        }
        return b;
    }

    /**
     * Builds the pipeline as the file says, with the default routes (an OCI registry) and no existence lookup. Use
     * {@link #builder()} to add routes, a lookup or anything else first.
     *
     * @return the instance; close it on shutdown, which closes the key store
     * @throws IllegalStateException as {@link Portcullis.Builder#build()} does; notably when the policy grants create
     *     without update (or the reverse), which needs an existence lookup
     * @throws dev.portcullis.auth.apikey.ApiKeyStoreException when the key store cannot be opened
     * @throws IllegalArgumentException as {@link #builder()} does
     */
    public Portcullis build() {
        return builder().build();
    }

    JsonNode tree() {
        return tree;
    }

    /** What the file held when it was read, and its policy file's, for the watcher to tell a change by. */
    String digest() {
        return digest;
    }

    String policySource() {
        return policySource;
    }
}
