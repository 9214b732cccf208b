package dev.portcullis.auth.session;

import com.nimbusds.jose.CompressionAlgorithm;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Optional;

/**
 * Seals claims into a compact JWE ({@code dir} + {@code A256GCM}, DEFLATE-compressed) under the
 * current key of a {@link SessionKeyRing}, and opens them under any key of the ring. A claim
 * {@code use} binds a token to its purpose, so a login-transaction cookie can never pass for a
 * session. Expiry ({@code exp}) is enforced here, not left to the browser.
 */
final class SealedCookie {
    private SealedCookie() {
    }

    static String seal(SessionKeyRing ring, String use, JWTClaimsSet claims) {
        SessionKeyRing.Key key = ring.current();
        JWEHeader header = new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .keyID(key.id()).compressionAlgorithm(CompressionAlgorithm.DEF).build();
        EncryptedJWT jwt = new EncryptedJWT(header, new JWTClaimsSet.Builder(claims).claim("use", use).build());
        try {
            jwt.encrypt(new DirectEncrypter(key.secret()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot seal a cookie: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * The claims, if the value was sealed by a key of the ring for this use and has not expired; else nothing. Never
     * throws: a browser sends whatever cookie someone planted, and one that does not open is simply no session.
     */
    static Optional<JWTClaimsSet> open(SessionKeyRing ring, String use, String value, Clock clock) {
        try {
            EncryptedJWT jwt = EncryptedJWT.parse(value);
            JWEHeader h = jwt.getHeader();
            if (!JWEAlgorithm.DIR.equals(h.getAlgorithm()) || !EncryptionMethod.A256GCM.equals(h.getEncryptionMethod()) || h.getKeyID() == null) {
                return Optional.empty();
            }
            Optional<SessionKeyRing.Key> key = ring.find(h.getKeyID());
            if (key.isEmpty()) {
                return Optional.empty();
            }
            jwt.decrypt(new DirectDecrypter(key.get().secret()));
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (!use.equals(claims.getStringClaim("use")) || exp == null || !exp.toInstant().isAfter(clock.instant())) {
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (ParseException | JOSEException | RuntimeException e) {
            // RuntimeException too: the parser throws NullPointerException for a header of {} (e30.a.b.c.d), say
            return Optional.empty();
        }
    }
}
