package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.RepositoryPattern;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The tokens of the registry token flow ({@code {prefix}/token}): JWS compact tokens ({@code HS256}, a standard JWT
 * that clients treat as opaque) signed under a key derived from the current key of a {@link SessionKeyRing} and
 * verified under any key of it, so that replicas sharing the ring accept each other's tokens and a rotation keeps the
 * tokens of the previous key valid. The signing key is HMAC-SHA256(ring key, a fixed label, the issuer and the service):
 * never the ring key itself, which also seals session cookies, and a token of another issuer or service does not verify
 * (they bind it as {@code iss} and {@code aud} would, without lengthening a header every request sends). Claims:
 * {@code sub} (absent for an anonymous token), {@code grp}, {@code key} (the API key it was minted from), {@code access}
 * (the Docker token specification's grants), {@code use} ({@code access} or {@code refresh}), {@code iat}, {@code exp}.
 * Verified access tokens are remembered, by their signature, until they expire. Thread-safe.
 */
final class RegistryTokens {
    static final String ACCESS = "access";
    static final String REFRESH = "refresh";
    /** The grammar of an OCI repository name: the only names a token grants (so a name is never a glob). */
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String LABEL = "portcullis registry token signing key v2";
    /** Clock skew allowed between replicas for {@code iat} and {@code nbf}. */
    private static final long SKEW_SECONDS = 60;

    /** What a token grants on one resource, in the specification's words: {@code pull}, {@code push}, {@code delete}. */
    record Grant(String type, String name, Set<String> actions) {
        Grant {
            actions = Set.copyOf(actions);
        }
    }

    /**
     * A verified token's claims. {@code subject} is null for an anonymous token. {@code attempt} is what the token
     * authenticates as, made once: {@link Authenticator.Attempt#ANONYMOUS}, or the caller narrowed to the grants.
     */
    record Token(@Nullable String subject, List<String> groups, @Nullable String keyId, List<Grant> access, Instant issuedAt,
            Instant expiresAt, String use, Authenticator.Attempt attempt) {
        Token(@Nullable String subject, List<String> groups, @Nullable String keyId, List<Grant> access, Instant issuedAt,
                Instant expiresAt, String use) {
            this(subject, groups, keyId, access, issuedAt, expiresAt, use, subject == null || subject.isEmpty() ? Authenticator.Attempt.ANONYMOUS
                    : new Authenticator.Attempt.Authenticated(new Identity(subject, groups, Identity.AuthMethod.REGISTRY_TOKEN, keyId, scopes(access))));
        }
    }

    /**
     * A ring key's signing key and the encoded header of its tokens, exactly as this service writes it: a token whose
     * header is not one of these is not ours.
     */
    private record Signer(String header, SecretKeySpec key) {
    }

    /** The current key's signer first. */
    private final List<Signer> signers = new ArrayList<>();
    private final String service;
    private final Duration lifetime;
    private final Duration refreshLifetime;
    private final Clock clock;
    private final Cache<String, Token> verified;

    RegistryTokens(SessionKeyRing ring, String issuer, String service, Duration lifetime, Duration refreshLifetime, Clock clock) {
        this.service = service;
        this.lifetime = lifetime;
        this.refreshLifetime = refreshLifetime;
        this.clock = clock;
        for (SessionKeyRing.Key key : ring.keys()) {
            byte[] label = (LABEL + "\0" + issuer + "\0" + service).getBytes(StandardCharsets.UTF_8);
            signers.add(new Signer(B64.encodeToString(("{\"alg\":\"HS256\",\"kid\":\"" + key.id() + "\"}").getBytes(StandardCharsets.UTF_8)),
                    new SecretKeySpec(hmac(new SecretKeySpec(key.secret().getEncoded(), "HmacSHA256"), label), "HmacSHA256")));
        }
        this.verified = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(lifetime.plusSeconds(SKEW_SECONDS)).build();
    }

    /** The service tokens are minted for: the {@code service} of the challenge and the tokens' {@code aud}. */
    String service() {
        return service;
    }

    Duration lifetime() {
        return lifetime;
    }

    Duration refreshLifetime() {
        return refreshLifetime;
    }

    Instant now() {
        return clock.instant();
    }

    /** Whether the token has the header of one of this ring's keys: then it is this service's to verify, valid or not. */
    boolean isOurs(String token) {
        int dot = token.indexOf('.');
        return dot > 0 && signer(token.substring(0, dot)) != null;
    }

    /**
     * A signed token. {@code id} null: an anonymous token.
     *
     * @param expiresAt when it ends; the caller bounds it by the credential's own expiry
     */
    String mint(String use, @Nullable Identity id, List<Grant> access, Instant expiresAt) {
        Instant now = clock.instant();
        ObjectNode claims = JSON.createObjectNode();
        if (id != null) {
            claims.put("sub", id.name());
            ArrayNode groups = claims.putArray("grp");
            id.groups().forEach(groups::add);
            if (id.keyId() != null) {
                claims.put("key", id.keyId());
            }
        }
        ArrayNode grants = claims.putArray("access");
        for (Grant g : access) {
            ObjectNode o = grants.addObject();
            o.put("type", g.type());
            o.put("name", g.name());
            ArrayNode actions = o.putArray("actions");
            g.actions().stream().sorted().forEach(actions::add);
        }
        claims.put("use", use);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        Signer current = signers.get(0);
        String signingInput = current.header() + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + B64.encodeToString(hmac(current.key(), signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The claims of a valid access token, from memory when it verified before; null when it is not valid (any reason). */
    @Nullable Token verifyAccess(String token) {
        int lastDot = token.lastIndexOf('.');
        if (lastDot < 0) {
            return null;
        }
        String signature = token.substring(lastDot + 1);
        Token t = verified.getIfPresent(signature);
        if (t == null) {
            t = verify(token, ACCESS);
            if (t == null) {
                return null;
            }
            verified.put(signature, t);
        }
        // keyed by the signature, an HMAC of the rest: a hit with another header or payload would need that HMAC
        return t.expiresAt().isAfter(clock.instant()) ? t : null;
    }

    /** The claims of a valid token of this use, verified in full (signature, issuer, audience, times); else null. */
    @Nullable Token verify(String token, String use) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        Signer signer = signer(parts[0]);
        if (signer == null) {
            return null;
        }
        byte[] signature;
        JsonNode claims;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
            byte[] expected = hmac(signer.key(), (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!MessageDigest.isEqual(expected, signature)) {
                return null;
            }
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
        long now = clock.instant().getEpochSecond();
        if (claims == null || !claims.isObject() || !use.equals(claims.path("use").asText()) || !claims.path("exp").canConvertToLong()
                || claims.path("exp").asLong() <= now || claims.path("iat").asLong(Long.MAX_VALUE) > now + SKEW_SECONDS) {
            return null;
        }
        List<String> groups = new ArrayList<>();
        claims.path("grp").forEach(g -> groups.add(g.asText()));
        List<Grant> access = new ArrayList<>();
        for (JsonNode g : claims.path("access")) {
            Set<String> actions = new LinkedHashSet<>();
            g.path("actions").forEach(a -> actions.add(a.asText()));
            access.add(new Grant(g.path("type").asText(), g.path("name").asText(), actions));
        }
        String subject = claims.hasNonNull("sub") && !claims.get("sub").asText().isEmpty() ? claims.get("sub").asText() : null;
        String key = claims.hasNonNull("key") ? claims.get("key").asText() : null;
        return new Token(subject, List.copyOf(groups), key, List.copyOf(access), Instant.ofEpochSecond(claims.path("iat").asLong()),
                Instant.ofEpochSecond(claims.path("exp").asLong()), use);
    }

    private @Nullable Signer signer(String header) {
        for (Signer s : signers) {
            if (s.header().equals(header)) {
                return s;
            }
        }
        return null;
    }

    /** Whether {@code name} is an OCI repository name, the only kind of name a token grants. */
    static boolean isRepositoryName(String name) {
        return name.length() <= 255 && REPOSITORY.matcher(name).matches();
    }

    /** The policy actions a token action stands for: pull = read, push = create and update, delete = delete, * = all. */
    static Set<Action> actions(String tokenAction) {
        return switch (tokenAction) {
            case "pull" -> EnumSet.of(Action.READ);
            case "push" -> EnumSet.of(Action.CREATE, Action.UPDATE);
            case "delete" -> EnumSet.of(Action.DELETE);
            case "*" -> EnumSet.allOf(Action.class);
            default -> EnumSet.noneOf(Action.class);
        };
    }

    /** A token's repository grants as scopes, for {@link Identity#scopes()}: each names exactly one repository. */
    static List<Scope> scopes(List<Grant> access) {
        List<Scope> scopes = new ArrayList<>();
        for (Grant g : access) {
            Set<Action> actions = EnumSet.noneOf(Action.class);
            g.actions().forEach(a -> actions.addAll(actions(a)));
            if (g.type().equals("repository") && isRepositoryName(g.name()) && !actions.isEmpty()) {
                scopes.add(new Scope(RepositoryPattern.compile(g.name()), actions));
            }
        }
        return List.copyOf(scopes);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }
}
