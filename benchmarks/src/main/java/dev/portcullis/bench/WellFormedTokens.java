package dev.portcullis.bench;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * Tokens of the documented API key format, {@code <prefix><id>_<secret><checksum>} (README, "API keys"): an 11-digit
 * base62 id, a 33-digit base62 secret and the 6-digit base62 CRC32 of everything before it. They pass the shape and
 * checksum test as a secret scanner's would, so the service must look further to refuse them.
 */
final class WellFormedTokens {
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private final String prefix;
    private final SecureRandom random = new SecureRandom();

    WellFormedTokens(String prefix) {
        this.prefix = prefix;
    }

    String randomId() {
        return digits(11);
    }

    /** A token for key {@code id} with a random secret, which is not its key's. */
    String withId(String id) {
        String body = prefix + id + "_" + digits(33);
        CRC32 crc = new CRC32();
        body.chars().forEach(crc::update);
        long value = crc.getValue();
        char[] checksum = new char[6];
        for (int i = checksum.length - 1; i >= 0; i--) {
            checksum[i] = DIGITS.charAt((int) (value % 62));
            value /= 62;
        }
        return body + new String(checksum);
    }

    private String digits(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(DIGITS.charAt(random.nextInt(62)));
        }
        return out.toString();
    }
}
