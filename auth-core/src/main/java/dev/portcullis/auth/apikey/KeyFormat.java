package dev.portcullis.auth.apikey;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The token format {@code <prefix><id>_<secret><checksum>}: a public key id (11 base62 digits,
 * 65 bits) for lookup, a secret (33 base62 digits, 196 bits, from {@link SecureRandom}), and the
 * CRC32 of everything before it as 6 base62 digits, so that a typo or a truncated paste is
 * rejected offline and secret scanners can validate the shape.
 */
final class KeyFormat {
    static final int ID_LENGTH = 11;
    static final int SECRET_LENGTH = 33;
    static final int CHECKSUM_LENGTH = 6;

    private final String prefix;
    private final SecureRandom random = new SecureRandom();

    KeyFormat(String prefix) {
        if (prefix.isEmpty() || !prefix.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            throw new IllegalArgumentException("API key prefix '" + prefix + "' must be lower-case letters, digits and '_', e.g. pck_");
        }
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** A fresh token. */
    Token generate() {
        String id = Base62.random(random, ID_LENGTH);
        String secret = Base62.random(random, SECRET_LENGTH);
        String body = prefix + id + "_" + secret;
        return new Token(id, secret, body + checksum(body));
    }

    /** Whether {@code token} has this format's prefix and length (a cheap first look; {@link #parse} checks the rest). */
    public boolean hasShape(String token) {
        return token != null && token.length() == prefix.length() + ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH && token.startsWith(prefix);
    }

    /** The id and secret of a well-formed token, or empty: wrong prefix, length, characters or checksum. */
    Optional<Token> parse(String token) {
        int expected = prefix.length() + ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;
        if (token == null || token.length() != expected || !token.startsWith(prefix)) {
            return Optional.empty();
        }
        int idStart = prefix.length();
        int sep = idStart + ID_LENGTH;
        int checksumStart = sep + 1 + SECRET_LENGTH;
        if (token.charAt(sep) != '_' || !Base62.isDigits(token, idStart, sep) || !Base62.isDigits(token, sep + 1, token.length())) {
            return Optional.empty();
        }
        if (!checksum(token, checksumStart).equals(token.substring(checksumStart))) {
            return Optional.empty();
        }
        return Optional.of(new Token(token.substring(idStart, sep), token.substring(sep + 1, checksumStart), token));
    }

    static String checksum(String body) {
        return checksum(body, body.length());
    }

    /** The checksum of the first {@code length} characters (all ASCII once the shape is checked). */
    private static String checksum(String text, int length) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < length; i++) {
            crc.update(text.charAt(i));
        }
        return Base62.encode(crc.getValue(), CHECKSUM_LENGTH);
    }

    /** A token's parts. {@link #toString()} never shows the secret. */
    record Token(String id, String secret, String value) {
        @Override
        public String toString() {
            return "Token[id=" + id + "]";
        }
    }
}
