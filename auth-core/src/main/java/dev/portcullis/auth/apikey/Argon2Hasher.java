package dev.portcullis.auth.apikey;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;

/**
 * Argon2id hashing of key secrets, as PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$…}) so
 * that parameters can change: a hash made under other parameters still verifies and is then
 * re-hashed.
 *
 * @param memoryKiB memory cost in KiB (default 19 MiB = 19456)
 * @param iterations time cost (default 2)
 * @param parallelism lanes (default 1)
 */
public record Argon2Hasher(int memoryKiB, int iterations, int parallelism) {
    /** OWASP's first recommended Argon2id setting. */
    public static final Argon2Hasher DEFAULT = new Argon2Hasher(19 * 1024, 2, 1);

    private static final Argon2 ARGON2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);

    public Argon2Hasher {
        if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
            throw new IllegalArgumentException("invalid Argon2id parameters m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism
                    + "; memory must be at least 8 KiB per lane and t, p at least 1");
        }
    }

    String hash(String secret) {
        char[] chars = secret.toCharArray();
        try {
            return ARGON2.hash(iterations, memoryKiB, parallelism, chars);
        } finally {
            ARGON2.wipeArray(chars);
        }
    }

    boolean verify(String hash, String secret) {
        char[] chars = secret.toCharArray();
        try {
            return ARGON2.verify(hash, chars);
        } finally {
            ARGON2.wipeArray(chars);
        }
    }

    /** Whether a hash was made with other parameters than these. */
    boolean needsRehash(String hash) {
        return ARGON2.needsRehash(hash, iterations, memoryKiB, parallelism);
    }
}
