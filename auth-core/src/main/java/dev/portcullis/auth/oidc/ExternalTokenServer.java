package dev.portcullis.auth.oidc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An external token server of the Docker registry token flow, as zot's {@code http.auth.bearer} with {@code realm},
 * {@code service} and {@code cert} configures one: its tokens (JWTs signed with RSA or ECDSA) are verified with its
 * public key, and their {@code access} claim is what they grant, as in zot (zot's per-entry {@code exp} too). Stricter than
 * zot: a token must carry {@code exp}, and a token whose {@code aud} is given must name the service. Verified tokens are
 * remembered until they expire. Thread-safe.
 */
public final class ExternalTokenServer {
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256,
            JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** Clock skew allowed for {@code iat} and {@code nbf}. */
    private static final Duration SKEW = Duration.ofMinutes(1);

    /**
     * One entry of a token's {@code access} claim.
     *
     * @param type the resource type, such as {@code repository}
     * @param name the resource name, such as {@code team/app}
     * @param actions what the token allows there: {@code pull}, {@code push}, {@code delete}, {@code *}
     */
    public record Access(String type, String name, List<String> actions) {
        /**
         * Keeps a copy of the actions.
         *
         * @param type the resource type
         * @param name the resource name
         * @param actions the actions
         */
        public Access {
            actions = List.copyOf(actions);
        }
    }

    /**
     * A verified token.
     *
     * @param subject its {@code sub}, the user it was issued to (empty when it has none)
     * @param access what it grants, the entries whose own {@code exp} had not passed when it was verified
     * @param expiresAt its {@code exp}
     */
    public record Verified(String subject, List<Access> access, Instant expiresAt) {
        /**
         * Keeps a copy of the grants.
         *
         * @param subject the subject
         * @param access the grants
         * @param expiresAt the expiry
         */
        public Verified {
            access = List.copyOf(access);
        }
    }

    private final String realm;
    private final String service;
    private final JWSVerifier verifier;
    private final Set<JWSAlgorithm> algorithms;
    private final Clock clock;
    /** Verified tokens, each until its first expiry: its own or that of an access entry. */
    private final Cache<String, Remembered> verified = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();

    private record Remembered(Verified verified, Instant until) {
    }

    /**
     * An external token server.
     *
     * @param realm the token server's URL, named in the challenge
     * @param service the service named in the challenge (and, when a token has an {@code aud}, in it)
     * @param key the server's public key, RSA or EC
     * @param clock the clock that times tokens
     * @throws IllegalArgumentException for another kind of key, or a realm that is not an http(s) URL
     */
    public ExternalTokenServer(String realm, String service, PublicKey key, Clock clock) {
        if (!realm.matches("(?i)https?://[^\\s\"]+")) {
            throw new IllegalArgumentException("the token server's realm '" + realm + "' must be its http(s) URL");
        }
        this.realm = realm;
        this.service = service;
        this.clock = clock;
        try {
            if (key instanceof RSAPublicKey rsa) {
                this.verifier = new RSASSAVerifier(rsa);
                this.algorithms = RSA;
            } else if (key instanceof ECPublicKey ec) {
                this.verifier = new ECDSAVerifier(ec);
                this.algorithms = EC;
            } else {
                throw new IllegalArgumentException("the token server's key is " + key.getAlgorithm() + "; RSA and EC keys are supported");
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the token server's key cannot verify signatures: " + e.getMessage(), e);
        }
    }

    /**
     * The public key in a file, as zot reads {@code http.auth.bearer.cert}: a PEM certificate, a PEM public key, or a
     * JWKS with exactly one key.
     *
     * @param file the file
     * @return the key
     * @throws IllegalArgumentException naming the file and what it holds instead
     */
    public static PublicKey loadKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            if (text.strip().startsWith("{")) {
                JWKSet set = JWKSet.parse(text);
                if (set.getKeys().size() != 1) {
                    throw new IllegalArgumentException(file + ": a JWKS with exactly one key is expected, found " + set.getKeys().size());
                }
                var jwk = set.getKeys().get(0);
                if (KeyType.RSA.equals(jwk.getKeyType())) {
                    return jwk.toRSAKey().toPublicKey();
                }
                if (KeyType.EC.equals(jwk.getKeyType())) {
                    return jwk.toECKey().toPublicKey();
                }
                throw new IllegalArgumentException(file + ": the JWKS key is of type " + jwk.getKeyType() + "; RSA and EC keys are supported");
            }
            X509Certificate cert = text.contains("BEGIN CERTIFICATE") ? X509CertUtils.parse(text) : null;
            if (cert != null) {
                return cert.getPublicKey();
            }
            int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
            int end = text.indexOf("-----END PUBLIC KEY-----");
            if (begin >= 0 && end > begin) {
                byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
                for (String algorithm : List.of("RSA", "EC")) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                    } catch (java.security.GeneralSecurityException e) {
                        // try the next kind
                    }
                }
            }
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).startsWith(file.toString())) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + ": expected a PEM certificate, a PEM public key (RSA or EC) or a JWKS with one key");
    }

    /**
     * The token server's URL, for the challenge.
     *
     * @return the realm
     */
    public String realm() {
        return realm;
    }

    /**
     * The service, for the challenge.
     *
     * @return the service
     */
    public String service() {
        return service;
    }

    /**
     * Whether a Bearer token looks like a signed JWT of one of this server's algorithms (then it is this server's to
     * verify, valid or not). Never throws.
     *
     * @param token the Bearer token
     * @return true for a JWS compact token with an RSA or EC algorithm as this server's key
     */
    public boolean claims(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || token.chars().filter(c -> c == '.').count() != 2) {
            return false;
        }
        try {
            var header = com.nimbusds.jose.JWSHeader.parse(new com.nimbusds.jose.util.Base64URL(token.substring(0, dot)));
            return algorithms.contains(header.getAlgorithm());
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The token as verified before, from memory only (no signature check): for an event loop, which leaves a token
     * not remembered to {@link #verify}.
     *
     * @param token the Bearer token
     * @return the remembered verification while it holds, else null
     */
    public @Nullable Verified cached(String token) {
        Remembered hit = verified.getIfPresent(token);
        return hit != null && hit.until().isAfter(clock.instant()) ? hit.verified() : null;
    }

    /**
     * Verifies a token: its signature, {@code exp} (required), {@code nbf} and {@code iat}, and {@code aud} when given.
     *
     * @param token the Bearer token
     * @return the verified token, or null when it is not valid (for any reason)
     */
    public @Nullable Verified verify(String token) {
        Verified hit = cached(token);
        if (hit != null) {
            return hit;
        }
        Instant now = clock.instant();
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!algorithms.contains(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (exp == null || !exp.toInstant().isAfter(now)) {
                return null;
            }
            Date nbf = claims.getNotBeforeTime();
            Date iat = claims.getIssueTime();
            if ((nbf != null && nbf.toInstant().isAfter(now.plus(SKEW))) || (iat != null && iat.toInstant().isAfter(now.plus(SKEW)))) {
                return null;
            }
            List<String> audience = claims.getAudience();
            if (!audience.isEmpty() && !audience.contains(service)) {
                return null;
            }
            List<Access> access = new ArrayList<>();
            Instant until = exp.toInstant();
            Object raw = claims.getClaim("access");
            if (raw instanceof List<?> entries) {
                for (Object e : entries) {
                    if (e instanceof Map<?, ?> m && m.get("type") instanceof String type && m.get("name") instanceof String name
                            && m.get("actions") instanceof List<?> actions) {
                        if (m.get("exp") instanceof Number n) {
                            Instant entryExp = Instant.ofEpochSecond(n.longValue());
                            if (!entryExp.isAfter(now)) {
                                continue;
                            }
                            until = entryExp.isBefore(until) ? entryExp : until; // verified again then, without this entry
                        }
                        access.add(new Access(type, name, actions.stream().filter(String.class::isInstance).map(String.class::cast).toList()));
                    }
                }
            }
            Verified v = new Verified(claims.getSubject() == null ? "" : claims.getSubject(), access, exp.toInstant());
            verified.put(token, new Remembered(v, until));
            return v;
        } catch (ParseException | JOSEException | RuntimeException e) {
            return null;
        }
    }
}
