package dev.portcullis.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Reads {@code Authorization} header values into {@link Credentials}; malformed ones are refused, never read as none. */
final class AuthorizationHeader {
    /** No credentials: one instance, as a request without them is the most common. */
    private static final Credentials NONE = new Credentials.None();

    private AuthorizationHeader() {
    }

    /** What these {@code Authorization} header values (all of them, in order) carry. */
    static Credentials from(List<String> authorization) {
        if (authorization.isEmpty()) {
            return NONE;
        }
        if (authorization.size() > 1) {
            return new Credentials.Malformed("more than one Authorization header");
        }
        String value = authorization.get(0);
        int space = value.indexOf(' ');
        if (space > 0 && schemeIs(value, space, "basic")) {
            return basic(value, space + 1); // the base64 decoder refuses control characters with everything else outside its alphabet
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            return new Credentials.Malformed("control characters in the Authorization header");
        }
        if (space <= 0) {
            return new Credentials.Malformed("the Authorization header has no scheme and credentials");
        }
        if (schemeIs(value, space, "bearer")) {
            String rest = value.substring(space + 1).strip();
            return rest.isEmpty() || rest.contains(" ") ? new Credentials.Malformed("a Bearer token must be one word") : new Credentials.Bearer(rest);
        }
        // a scheme is a short word (Basic, Bearer, Negotiate, AWS4-HMAC-SHA256); anything longer may be a credential
        return new Credentials.Malformed(space <= 20 ? "unsupported Authorization scheme '" + value.substring(0, space) + "'"
                : "unsupported Authorization scheme of " + space + " characters (not shown: it may be a credential)");
    }

    /** Whether the header's scheme is Basic (in any case); says nothing of the rest. */
    static boolean isBasic(String value) {
        return value.length() > 6 && value.charAt(5) == ' ' && schemeIs(value, 5, "basic");
    }

    /** Whether the header's scheme is Bearer (in any case), with a token right after one space that starts with {@code prefix}. */
    static boolean isBearerStarting(String value, String prefix) {
        return value.startsWith(prefix, 7) && value.charAt(6) == ' ' && schemeIs(value, 6, "bearer");
    }

    /** The credentials of {@code Basic}, whose base64 starts at {@code from}, after optional spaces and tabs (RFC 9110's OWS). */
    private static Credentials basic(String value, int from) {
        int start = from;
        int end = value.length();
        while (start < end && isOws(value.charAt(start))) {
            start++;
        }
        while (end > start && isOws(value.charAt(end - 1))) {
            end--;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(value.substring(start, end));
        } catch (IllegalArgumentException e) {
            return new Credentials.Malformed("Basic credentials are not valid base64");
        }
        if (decoded.length == 1 && decoded[0] == ':') {
            // an empty user and password (Basic Og==) is what skopeo and containers/image send when they
            // have no credentials; zot treats it as none, and so do we: anonymous, never an identity
            return NONE;
        }
        int colon = indexOf(decoded, (byte) ':'); // in UTF-8, this byte is never part of another character
        if (colon <= 0) {
            return new Credentials.Malformed("Basic credentials need user:password");
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        String password = new String(decoded, colon + 1, decoded.length - colon - 1, StandardCharsets.UTF_8);
        if (user.indexOf('\uFFFD') < 0 && password.indexOf('\uFFFD') < 0) { // no byte was replaced
            return new Credentials.Basic(user, password); // ASCII, the usual case, is checked and copied by an intrinsic
        }
        // bytes that are no UTF-8 were replaced, or the text holds U+FFFD itself: a strict decoder tells which
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded)).toString();
            int at = text.indexOf(':');
            return new Credentials.Basic(text.substring(0, at), text.substring(at + 1));
        } catch (CharacterCodingException e) {
            return new Credentials.Malformed("Basic credentials are not UTF-8");
        }
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** Whether the header's scheme (before {@code space}) is {@code lower}, in ASCII letters of any case; allocates nothing. */
    private static boolean schemeIs(String value, int space, String lower) {
        if (space != lower.length()) {
            return false;
        }
        for (int i = 0; i < space; i++) {
            if ((value.charAt(i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
