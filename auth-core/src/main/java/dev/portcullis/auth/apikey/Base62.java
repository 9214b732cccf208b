package dev.portcullis.auth.apikey;

import java.security.SecureRandom;

/** Base62 digits (0-9, A-Z, a-z) for key ids, secrets and the checksum. */
final class Base62 {
    static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Base62() {
    }

    /** {@code length} uniformly random digits (rejection-free: each digit from an unbiased draw). */
    static String random(SecureRandom random, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(DIGITS.charAt(random.nextInt(62)));
        }
        return out.toString();
    }

    /** A non-negative value as exactly {@code width} digits, zero-padded. */
    static String encode(long value, int width) {
        char[] out = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = DIGITS.charAt((int) (value % 62));
            value /= 62;
        }
        if (value != 0) {
            throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
        }
        return new String(out);
    }

    static boolean isDigits(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }
}
