package dev.portcullis.auth.apikey;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 of a presented token (or of the whole text a client sent it in): what the caches are keyed by, never the
 * token itself. Equality and hash are written out: a record's are bound at run time through method handles, which
 * showed in the event loop's profile.
 */
record TokenDigest(long a, long b, long c, long d) {
    /**
     * One SHA-256 per thread, reset after each use (digest resets it): this is the per-request hot path, and a lookup of the
     * algorithm or a clone of its state per call allocated more than the rest of the verification. The value is of the
     * JDK's classes, never of this library's: a servlet container's pool threads keep it after a web application is
     * undeployed, and a class of the application's would keep its class loader alive (Tomcat reports such ThreadLocals);
     * the ThreadLocal itself is held weakly.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static TokenDigest of(String text) {
        MessageDigest sha = SHA256.get();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        sha.update(bytes);
        byte[] h = bytes.length >= 32 ? bytes : new byte[32]; // the input, once read, holds the output: no array more per call
        try {
            sha.digest(h, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
        }
        return new TokenDigest((long) LONGS.get(h, 0), (long) LONGS.get(h, 8), (long) LONGS.get(h, 16), (long) LONGS.get(h, 24));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenDigest t && a == t.a && b == t.b && c == t.c && d == t.d;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(a); // 64 bits of a SHA-256 output: as evenly spread as any mix of all four
    }
}
