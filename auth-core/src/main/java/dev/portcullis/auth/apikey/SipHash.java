package dev.portcullis.auth.apikey;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * SipHash-2-4 with 64-bit output (Aumasson and Bernstein, 2012; the reference {@code siphash.c}, and OpenSSL's
 * {@code SIPHASH} with {@code size:8}, give the same values): the keyed pseudorandom function its authors designed as a
 * MAC for short inputs, a fraction of the work of a SHA-256 on an {@code Authorization} value. The JDK has none. Here it
 * tags a value a connection presented before, under a key that never leaves this process, and the tag never leaves it
 * either: without the key nobody can make another value with the same tag but by a blind guess, right once in
 * 2<sup>64</sup>. Thread-safe.
 */
final class SipHash {
    private static final VarHandle LE_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long k0;
    private final long k1;

    SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A new random key. */
    static SipHash randomKey() {
        SecureRandom random = new SecureRandom();
        return new SipHash(random.nextLong(), random.nextLong());
    }

    /** The tag of {@code m}: the eight output bytes as a little-endian long. */
    long hash(byte[] m) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        int whole = m.length & ~7;
        long last = (long) m.length << 56; // the rest, with the length in the top byte
        for (int j = whole; j < m.length; j++) {
            last |= (m[j] & 0xffL) << (8 * (j - whole));
        }
        for (int i = 0; i <= whole; i += 8) { // the eight-byte words, then the last
            long w = i < whole ? (long) LE_LONGS.get(m, i) : last;
            v3 ^= w;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= w;
        }
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
