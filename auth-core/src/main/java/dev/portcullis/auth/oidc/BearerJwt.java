package dev.portcullis.auth.oidc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Workload identity (zot's {@code http.auth.bearer.oidc}): JWTs from trusted issuers — CI job
 * tokens from GitHub, Forgejo or GitLab, Kubernetes service-account tokens — authenticate as
 * {@code Authorization: Bearer <jwt>} without any stored secret. Each token is checked against its
 * issuer's keys (JWKS from discovery; both refreshed by a background thread ahead of their 15-minute
 * lifespan and kept for up to 6 hours while the issuer cannot be reached; fetched again on an
 * unknown {@code kid}, rate-limited),
 * with an asymmetric algorithm only, the exact issuer, one of the configured audiences, and
 * {@code exp}/{@code nbf} with 60 s of skew. Verified tokens are remembered until they expire (at
 * most 5 minutes), so repeated requests need no key lookup. {@link #close()} stops the background
 * refreshing.
 */
public final class BearerJwt implements AutoCloseable {

    /**
     * One trusted issuer.
     *
     * @param issuer the exact {@code iss}
     * @param audiences accepted {@code aud} values (at least one)
     * @param username how to build the user name from the claims: claim paths and quoted literals
     *     joined by {@code +}, zot's default {@code claims.iss + '/' + claims.sub}
     * @param groupsClaim the claim (path) with groups, or {@code null} for none
     * @param jwksUri where the keys are, or {@code null} to find them by OIDC discovery at the issuer
     * @param requiredClaims claims a token must carry, each with one of the listed values (e.g.
     *     {@code repository_owner: [my-org]}); required for issuers that mint tokens for anyone
     */
    public record TrustedIssuer(String issuer, List<String> audiences, @Nullable String username, @Nullable String groupsClaim,
                                @Nullable URI jwksUri, Map<String, List<String>> requiredClaims) {
        /** Issuers where anyone can obtain a token with any audience: an audience alone admits strangers. */
        static final Set<String> SHARED = Set.of("https://token.actions.githubusercontent.com", "https://gitlab.com",
                "https://accounts.google.com", "https://oidc.circleci.com", "https://app.terraform.io");

        /**
         * Checks the settings and fills in defaults: a null {@code username} is zot's
         * {@code claims.iss + '/' + claims.sub}, null {@code requiredClaims} are none.
         *
         * @param issuer the exact {@code iss}; https, or http on this machine only
         * @param audiences accepted {@code aud} values
         * @param username how to build the user name from the claims, or {@code null} for the default
         * @param groupsClaim the claim (path) with groups, or {@code null} for none
         * @param jwksUri where the keys are (https), or {@code null} for discovery
         * @param requiredClaims claims a token must carry, each with one of the listed values
         * @throws IllegalArgumentException for an issuer or key URL that is not https, no audience, a user-name
         *     expression or claim path that cannot be read, or an issuer that mints tokens for anyone (GitHub Actions,
         *     gitlab.com and others) without required claims
         */
        public TrustedIssuer {
            Objects.requireNonNull(issuer, "issuer");
            Claims.requireSecure(issuer, "trusted issuer");
            if (jwksUri != null) {
                Claims.requireSecure(jwksUri.toString(), "the jwksUri of " + issuer);
            }
            audiences = List.copyOf(audiences);
            if (audiences.isEmpty()) {
                throw new IllegalArgumentException("trusted issuer " + issuer + " needs at least one audience: a token for another service must not pass");
            }
            username = username == null ? "claims.iss + '/' + claims.sub" : username;
            UserNameTemplate.parse(username); // fail at start-up, not per request
            groupsClaim = groupsClaim == null ? null : Claims.path(groupsClaim, "the groups claim of " + issuer);
            Map<String, List<String>> required = new LinkedHashMap<>();
            (requiredClaims == null ? Map.<String, List<String>>of() : requiredClaims).forEach((k, v) ->
                    required.put(Claims.path(k, "a required claim of " + issuer), List.copyOf(v)));
            requiredClaims = java.util.Collections.unmodifiableMap(required);
            if (requiredClaims.isEmpty() && SHARED.contains(issuer.replaceAll("/+$", ""))) {
                throw new IllegalArgumentException("trusted issuer " + issuer + " gives anyone a token for any audience; say whose tokens count"
                        + " with requiredClaims, e.g. {\"repository_owner_id\": [\"<your org's id>\"]} (GitHub) or {\"namespace_id\": [\"<your group's id>\"]}"
                        + " (GitLab): ids, since a name given up can be taken by someone else");
            }
        }

        /**
         * An issuer with the defaults: user name {@code iss/sub}, no groups, keys by discovery, no required claims.
         *
         * @param issuer the exact {@code iss}
         * @param audiences accepted {@code aud} values, at least one
         * @return the trusted issuer
         * @throws IllegalArgumentException as the constructor; in particular for an issuer that mints tokens for anyone
         */
        public static TrustedIssuer of(String issuer, String... audiences) {
            return new TrustedIssuer(issuer, List.of(audiences), null, null, null, Map.of());
        }

        /**
         * An issuer whose tokens count only if they carry these claims with one of the values, e.g.
         * {@code repository_owner: [my-org]}.
         *
         * @param issuer the exact {@code iss}
         * @param audiences accepted {@code aud} values, at least one
         * @param requiredClaims claim path to the values it may have; a token must match every entry
         * @return the trusted issuer
         * @throws IllegalArgumentException as the constructor
         */
        public static TrustedIssuer of(String issuer, List<String> audiences, Map<String, List<String>> requiredClaims) {
            return new TrustedIssuer(issuer, audiences, null, null, null, requiredClaims);
        }
    }

    /** The outcome of checking one token. */
    public sealed interface Result {
        /**
         * The token is valid.
         *
         * @param user the user name built from the claims
         * @param groups the groups from the groups claim; empty when the issuer has none configured
         * @param expiresAt the token's {@code exp}
         */
        record Valid(String user, List<String> groups, Instant expiresAt) implements Result {
        }

        /**
         * The token is not accepted: not a signed JWT, an untrusted issuer, a bad signature or claims, or a required
         * claim missing. The client is answered 401.
         *
         * @param reason what is wrong, for logs; it never holds the token
         */
        record Invalid(String reason) implements Result {
        }

        /**
         * The issuer's keys cannot be fetched now, so the token cannot be checked; fail closed (503).
         *
         * @param reason what could not be reached, for logs
         */
        record Unavailable(String reason) implements Result {
        }
    }

    /** While an issuer has never been reached, the least pause between two attempts. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final Map<String, IssuerState> issuers;
    private final Duration timeout;
    private final Clock clock;
    private final Cache<String, Result.Valid> verified;

    /**
     * Why these trusted issuers would accept the ID tokens of these login providers as bearer credentials (an audience
     * that is a provider's client id), or empty. Such a token also reaches the browser (as {@code id_token_hint}).
     *
     * @param trusted the trusted issuers of bearer tokens
     * @param providers the browser login's providers
     * @return the first clash found, as a message for the configuration's author; empty when there is none
     */
    public static java.util.Optional<String> audienceClash(List<TrustedIssuer> trusted, List<OidcProviderSettings> providers) {
        for (TrustedIssuer t : trusted) {
            for (OidcProviderSettings p : providers) {
                if (t.audiences().contains(p.clientId())) {
                    return java.util.Optional.of("the audience '" + p.clientId() + "' of " + t.issuer() + " is the client id of OIDC provider '"
                            + p.name() + "'; give bearer tokens an audience of their own");
                }
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The trusted issuers, as given.
     *
     * @return the issuers in the order given
     */
    public List<TrustedIssuer> trusted() {
        return issuers.values().stream().map(s -> s.trusted).toList();
    }

    /**
     * Bearer JWTs with the default timeouts: 5 s towards the issuers, at most one key fetch per issuer every 30 s.
     *
     * @param trusted the issuers whose tokens count
     * @throws IllegalArgumentException if an issuer is given twice
     */
    public BearerJwt(List<TrustedIssuer> trusted) {
        this(trusted, Duration.ofSeconds(5), Duration.ofSeconds(30), Clock.systemUTC());
    }

    /**
     * Bearer JWTs with timeouts and a clock of your own.
     *
     * @param trusted the issuers whose tokens count
     * @param timeout connect and read timeout towards the issuers
     * @param jwksRateLimit least time between two key fetches per issuer
     * @param clock the clock for token expiry in the cache, and the pause after an issuer could not be reached
     * @throws IllegalArgumentException if an issuer is given twice
     */
    public BearerJwt(List<TrustedIssuer> trusted, Duration timeout, Duration jwksRateLimit, Clock clock) {
        this(trusted, timeout, jwksRateLimit, clock, Refreshing.BACKGROUND);
    }

    BearerJwt(List<TrustedIssuer> trusted, Duration timeout, Duration jwksRateLimit, Clock clock, Refreshing.Scheduler scheduler) {
        this.timeout = timeout;
        this.clock = clock;
        Map<String, IssuerState> m = new LinkedHashMap<>();
        for (TrustedIssuer t : trusted) {
            if (m.put(t.issuer(), new IssuerState(t, jwksRateLimit, scheduler)) != null) {
                throw new IllegalArgumentException("trusted issuer " + t.issuer() + " is configured twice");
            }
        }
        this.issuers = Map.copyOf(m);
        this.verified = Caffeine.newBuilder().maximumSize(10_000).expireAfter(new Expiry<String, Result.Valid>() {
            @Override
            public long expireAfterCreate(String key, Result.Valid value, long currentTime) {
                Duration left = Duration.between(clock.instant(), value.expiresAt());
                return Math.max(0, Math.min(left.toNanos(), Duration.ofMinutes(5).toNanos()));
            }

            @Override
            public long expireAfterUpdate(String key, Result.Valid value, long currentTime, long currentDuration) {
                return currentDuration;
            }

            @Override
            public long expireAfterRead(String key, Result.Valid value, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }).build();
    }

    /**
     * Whether {@code token} looks like a JWT (three base64url parts); says nothing about validity.
     *
     * @param token the bearer token as sent
     * @return true if it is ASCII letters, digits, {@code -} and {@code _} in three parts split by two dots
     */
    public static boolean looksLikeJwt(String token) {
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
                return false;
            }
        }
        return dots == 2;
    }

    /**
     * A verification remembered from earlier, without any work that could block.
     *
     * @param token the bearer token as sent
     * @return the verification, or empty when the token is not cached or has expired: then call {@link #verify}
     */
    public Optional<Result.Valid> verifyCached(String token) {
        Result.Valid v = verified.getIfPresent(digest(token));
        return v != null && v.expiresAt().isAfter(clock.instant()) ? Optional.of(v) : Optional.empty();
    }

    /**
     * Checks a token; may fetch the issuer's discovery document and keys (blocking, bounded by the timeout). Never
     * throws for a bad token.
     *
     * @param token the bearer token as sent
     * @return {@link Result.Valid}, remembered for later; {@link Result.Invalid}; or {@link Result.Unavailable} when
     *     the issuer's keys cannot be fetched
     */
    public Result verify(String token) {
        Optional<Result.Valid> cached = verifyCached(token);
        if (cached.isPresent()) {
            return cached.get();
        }
        JWT jwt;
        String issuer;
        try {
            jwt = JWTParser.parse(token);
            issuer = jwt.getJWTClaimsSet().getIssuer();
        } catch (java.text.ParseException e) {
            return new Result.Invalid("the bearer token is not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return new Result.Invalid("the bearer token is not signed");
        }
        IssuerState state = issuer == null ? null : issuers.get(issuer);
        if (state == null) {
            return new Result.Invalid("the bearer token's issuer is not trusted");
        }
        JWTClaimsSet claims;
        try {
            claims = state.processor.process(signed, null);
        } catch (BadJOSEException e) {
            return new Result.Invalid("the bearer token from " + issuer + " is not valid: " + e.getMessage());
        } catch (JOSEException e) {
            // what failed is in the log (Refreshing); the client hears only that the issuer's keys are out of reach
            return new Result.Unavailable("cannot check the bearer token's signature: the keys of " + issuer + " cannot be fetched now");
        }
        Map<String, Object> map = claims.toJSONObject();
        for (Map.Entry<String, List<String>> required : state.trusted.requiredClaims().entrySet()) {
            Optional<String> value = Claims.string(map, required.getKey());
            if (value.isEmpty() || !required.getValue().contains(value.get())) {
                return new Result.Invalid("the bearer token from " + issuer + " does not carry a required " + required.getKey());
            }
        }
        Optional<String> user = state.template.apply(map);
        if (user.isEmpty()) {
            return new Result.Invalid("the bearer token from " + issuer + " lacks a claim its user name needs (" + state.trusted.username() + ")");
        }
        List<String> groups = state.trusted.groupsClaim() == null ? List.of() : Claims.strings(map, state.trusted.groupsClaim());
        Result.Valid valid = new Result.Valid(user.get(), groups, claims.getExpirationTime().toInstant());
        verified.put(digest(token), valid);
        return valid;
    }

    /** Stops refreshing the issuers' discovery documents and keys in the background. */
    @Override
    public void close() {
        issuers.values().forEach(IssuerState::close);
    }

    private final class IssuerState {
        private final TrustedIssuer trusted;
        private final UserNameTemplate template;
        /** The discovery document, when the issuer's keys are not configured at a fixed place. */
        private final @Nullable Refreshing<OIDCProviderMetadata> discovery;
        private final ProviderKeys keys;
        private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

        IssuerState(TrustedIssuer trusted, Duration jwksRateLimit, Refreshing.Scheduler scheduler) {
            this.trusted = trusted;
            this.template = UserNameTemplate.parse(Objects.requireNonNull(trusted.username(), "defaulted"));
            String what = "bearer JWT issuer " + trusted.issuer();
            URI jwks = trusted.jwksUri();
            Refreshing.Fetch<URI> location;
            if (jwks != null) {
                discovery = null;
                location = () -> jwks;
            } else {
                Refreshing<OIDCProviderMetadata> d = new Refreshing<>("the discovery document of " + what,
                        () -> OidcProvider.discover(trusted.issuer(), timeout), RETRY_AFTER, clock, scheduler);
                discovery = d;
                location = () -> d.get().getJWKSetURI();
            }
            keys = new ProviderKeys(what, location, timeout, jwksRateLimit, RETRY_AFTER, clock, scheduler);
            processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null, new JOSEObjectType("at+jwt")));
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(OidcProvider.ASYMMETRIC, keys));
            DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(new HashSet<>(trusted.audiences()),
                    new JWTClaimsSet.Builder().issuer(trusted.issuer()).build(), Set.of("exp", "iat"), Set.of());
            claims.setMaxClockSkew(60);
            processor.setJWTClaimsSetVerifier(claims);
        }

        void close() {
            keys.close();
            if (discovery != null) {
                discovery.close();
            }
        }
    }

    /** The user-name expression: claim paths ({@code claims.sub} or {@code sub}) and single-quoted literals joined by {@code +}. */
    record UserNameTemplate(List<String> parts, List<Boolean> literal) {
        static UserNameTemplate parse(String expression) {
            List<String> parts = new ArrayList<>();
            List<Boolean> literal = new ArrayList<>();
            int i = 0;
            String s = expression;
            while (true) {
                while (i < s.length() && s.charAt(i) == ' ') {
                    i++;
                }
                if (i >= s.length()) {
                    throw new IllegalArgumentException("user name expression '" + expression + "' ends where a claim or a 'literal' is expected");
                }
                if (s.charAt(i) == '\'') {
                    int end = s.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("user name expression '" + expression + "': unterminated 'literal'");
                    }
                    parts.add(s.substring(i + 1, end));
                    literal.add(true);
                    i = end + 1;
                } else {
                    int end = i;
                    while (end < s.length() && s.charAt(end) != ' ' && s.charAt(end) != '+') {
                        end++;
                    }
                    String path = s.substring(i, end);
                    if (path.startsWith("claims.")) {
                        path = path.substring("claims.".length());
                    }
                    if (!path.matches("[A-Za-z0-9_:/.-]+")) {
                        String what = s.substring(i, end).equals(expression.strip()) ? "" : ": '" + s.substring(i, end) + "'";
                        throw new IllegalArgumentException("user name expression '" + expression + "'" + what + " is not a claim path; write claim paths and 'literals' joined by +, e.g. claims.iss + '/' + claims.sub"
                                + " (CEL beyond that is not supported)");
                    }
                    parts.add(path);
                    literal.add(false);
                    i = end;
                }
                while (i < s.length() && s.charAt(i) == ' ') {
                    i++;
                }
                if (i >= s.length()) {
                    return new UserNameTemplate(List.copyOf(parts), List.copyOf(literal));
                }
                if (s.charAt(i) != '+') {
                    throw new IllegalArgumentException("user name expression '" + expression + "': expected + at position " + (i + 1));
                }
                i++;
            }
        }

        Optional<String> apply(Map<String, Object> claims) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                if (literal.get(i)) {
                    b.append(parts.get(i));
                } else {
                    Optional<String> v = Claims.string(claims, parts.get(i));
                    if (v.isEmpty()) {
                        return Optional.empty();
                    }
                    b.append(v.get());
                }
            }
            return b.isEmpty() ? Optional.empty() : Optional.of(b.toString());
        }
    }

    private static String digest(String token) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
