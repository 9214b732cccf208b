package dev.portcullis.auth.apikey;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Argon2id hashing of key secrets, as PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$…}) so
 * that parameters can change: a hash made under other parameters still verifies and is then
 * re-hashed.
 *
 * <p>Each stored hash ends with a 24-bit fingerprint of the secret ({@code #} and four base64url
 * characters): a SHA-256 of the hash's salt and the secret, cut to 24 bits. It tells almost every
 * wrong secret from the right one without Argon2 (a random secret passes one time in 16.7 million),
 * so a flood of wrong secrets for a key's public id costs neither Argon2 work nor a lock-out of the
 * key's owner. It is no verifier: some 2<sup>172</sup> secrets of a key's 2<sup>196</sup> share it,
 * so it gives whoever reads the store nothing to check a guess against. A hash stored before
 * fingerprints has none, and gets one when its key next verifies.
 *
 * @param memoryKiB memory cost in KiB (default 19 MiB = 19456)
 * @param iterations time cost (default 2)
 * @param parallelism lanes (default 1)
 */
public record Argon2Hasher(int memoryKiB, int iterations, int parallelism) {
    /** OWASP's first recommended Argon2id setting. */
    public static final Argon2Hasher DEFAULT = new Argon2Hasher(19 * 1024, 2, 1);

    private static final Argon2 ARGON2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);

    /**
     * Checks the parameters.
     *
     * @param memoryKiB memory cost in KiB, at least 8 per lane
     * @param iterations time cost, at least 1
     * @param parallelism lanes, at least 1
     * @throws IllegalArgumentException naming the parameters and the limits they break
     */
    public Argon2Hasher {
        if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
            throw new IllegalArgumentException("invalid Argon2id parameters m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism
                    + "; memory must be at least 8 KiB per lane and t, p at least 1");
        }
    }

    /** The stored form of a secret: its PHC string and fingerprint. */
    String hash(String secret) {
        char[] chars = secret.toCharArray();
        String phc;
        try {
            phc = ARGON2.hash(iterations, memoryKiB, parallelism, chars);
        } finally {
            ARGON2.wipeArray(chars);
        }
        return phc + FINGERPRINT_MARK + Fingerprint.encode(Fingerprint.of(salt(phc), secret));
    }

    boolean verify(String stored, String secret) {
        char[] chars = secret.toCharArray();
        try {
            return ARGON2.verify(phc(stored), chars);
        } finally {
            ARGON2.wipeArray(chars);
        }
    }

    /** Whether a stored hash was made with other parameters than these, or has no fingerprint yet. */
    boolean needsRehash(String stored) {
        return stored.indexOf(FINGERPRINT_MARK) < 0 || ARGON2.needsRehash(phc(stored), iterations, memoryKiB, parallelism);
    }

    /** The fingerprint of a stored hash, or null for a hash stored before fingerprints (or not of this form). */
    static @Nullable Fingerprint fingerprint(String stored) {
        int mark = stored.indexOf(FINGERPRINT_MARK);
        if (mark < 0) {
            return null;
        }
        int value = Fingerprint.decode(stored.substring(mark + 1));
        return value < 0 ? null : new Fingerprint(salt(stored.substring(0, mark)), value);
    }

    private static final char FINGERPRINT_MARK = '#'; // outside the PHC alphabet ($, =, comma, base64)

    private static String phc(String stored) {
        int mark = stored.indexOf(FINGERPRINT_MARK);
        return mark < 0 ? stored : stored.substring(0, mark);
    }

    /** The salt field of a PHC string ({@code $argon2id$v=19$m=…,t=…,p=…$SALT$HASH}). */
    private static String salt(String phc) {
        String[] fields = phc.split("\\$");
        return fields.length >= 6 ? fields[4] : phc;
    }

    /** 24 bits of SHA-256 over a domain label, a hash's salt and a secret: which secrets cannot be the key's. */
    record Fingerprint(String salt, int value) {
        private static final byte[] LABEL = "portcullis api key fingerprint\0".getBytes(StandardCharsets.UTF_8);

        /** Whether {@code secret} may be the key's: false means it certainly is not. */
        boolean admits(String secret) {
            return of(salt, secret) == value;
        }

        static int of(String salt, String secret) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(LABEL);
                sha.update(salt.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                byte[] h = sha.digest(secret.getBytes(StandardCharsets.UTF_8));
                return (h[0] & 0xff) << 16 | (h[1] & 0xff) << 8 | h[2] & 0xff;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        static String encode(int value) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {(byte) (value >> 16), (byte) (value >> 8), (byte) value});
        }

        /** The 24-bit value of four base64url characters, or -1 when they are not that. */
        static int decode(String text) {
            if (text.length() != 4) {
                return -1;
            }
            try {
                byte[] b = Base64.getUrlDecoder().decode(text);
                return (b[0] & 0xff) << 16 | (b[1] & 0xff) << 8 | b[2] & 0xff;
            } catch (IllegalArgumentException e) {
                return -1;
            }
        }
    }
}
