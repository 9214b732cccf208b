package dev.portcullis.auth.routes;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a request path and refuses every path whose meaning depends on who reads it, so that
 * the repository authorized is always the repository served: encoded {@code /} or {@code \}, any
 * {@code \}, {@code .} or {@code ..} segments (plain or encoded), empty segments ({@code //}),
 * {@code ;} parameters, a raw {@code #}, NUL and control characters, invalid percent-encoding or UTF-8.
 */
public final class RequestPaths {
    private RequestPaths() {
    }

    /**
     * Why a path was refused, or the decoded path.
     *
     * @param path the decoded path when accepted; null when refused
     * @param problem why the path was refused, for a 400 answer, such as {@code "empty path segments ('//') are not
     *     accepted"}; null when accepted
     */
    public record Checked(@Nullable String path, @Nullable String problem) {
        /**
         * Whether the path was accepted.
         *
         * @return true when {@link #path()} holds the decoded path; false when {@link #problem()} says why not
         */
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Checks and decodes a raw request path, as the pipeline does before anything else looks at the request.
     *
     * <pre>{@code
     * RequestPaths.Checked c = RequestPaths.check("/v2/team%2Fapp/tags/list");
     * c.ok();        // false: an encoded '/' is ambiguous
     * c.problem();   // encoded '/' or any '\' in the path is ambiguous
     * }</pre>
     *
     * @param rawPath the path as received, still percent-encoded, without the query; null is refused
     * @return the decoded path, or the first reason to refuse it
     */
    public static Checked check(@Nullable String rawPath) {
        // small enough to be inlined, so that the usual answer is not even allocated
        return isPlain(rawPath) ? new Checked(rawPath, null) : fullCheck(rawPath);
    }

    /**
     * The usual path, which {@link #fullCheck} would accept as it is: no percent-encoding, no '\\', ';', '#' or control
     * character, and without "/." or "//" no '.', '..' or empty segment. One pass: every character it refuses but
     * '\\', ';' and DEL is below '0', which letters and digits are not.
     */
    private static boolean isPlain(@Nullable String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return false;
        }
        int n = rawPath.length();
        char previous = '/';
        for (int i = 1; i < n; i++) {
            char c = rawPath.charAt(i);
            if (c < '0') {
                if (c < 0x20 || c == '%' || c == '#' || previous == '/' && (c == '.' || c == '/')) {
                    return false;
                }
            } else if (c == '\\' || c == ';' || c == 0x7f) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    /** Every check, in the order of its reasons; package-private for the test that holds {@link #isPlain} to it. */
    static Checked fullCheck(@Nullable String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return new Checked(null, "the path must start with '/'");
        }
        if (rawPath.indexOf('#') >= 0) {
            // an application that parses the target as a URI cuts it there: it would serve another path than the one decided
            return new Checked(null, FRAGMENT);
        }
        boolean encoded = rawPath.indexOf('%') >= 0;
        String ambiguity = encoded ? encodedAmbiguity(rawPath) : plainAmbiguity(rawPath);
        if (ambiguity != null) {
            return new Checked(null, ambiguity);
        }
        String path = rawPath;
        if (encoded) {
            Optional<String> decoded = decode(rawPath);
            if (decoded.isEmpty()) {
                return new Checked(null, "invalid percent-encoding or UTF-8 in the path");
            }
            path = decoded.get();
        }
        // one pass over the decoded path: control characters, '.'/'..' segments, empty segments
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (c < 0x20 || c == 0x7f) {
                return new Checked(null, "control characters (NUL, CR, LF…) in the path are not accepted");
            }
            if (c != '/') {
                continue;
            }
            int length = i - segmentStart;
            if ((length == 1 && path.charAt(segmentStart) == '.')
                    || (length == 2 && path.charAt(segmentStart) == '.' && path.charAt(segmentStart + 1) == '.')) {
                return new Checked(null, "'.' and '..' segments are not accepted");
            }
            if (length == 0 && i < path.length()) {
                return new Checked(null, "empty path segments ('//') are not accepted");
            }
            segmentStart = i + 1;
        }
        return new Checked(path, null);
    }

    /** Why a target with a raw '#' is refused, in its path or its query. */
    public static final String FRAGMENT = "a '#' is not part of a request target (a fragment is never sent; encode it as %23)";
    private static final String AMBIGUOUS_SLASH = "encoded '/' or any '\\' in the path is ambiguous";
    private static final String PARAMETERS = "';' path parameters are not accepted";

    /** The first '\\' or ';' of a path without percent-encoding; String.indexOf is a vector search, not a loop per character. */
    private static @Nullable String plainAmbiguity(String rawPath) {
        int backslash = rawPath.indexOf('\\');
        int semicolon = rawPath.indexOf(';');
        if (backslash >= 0 && (semicolon < 0 || backslash < semicolon)) {
            return AMBIGUOUS_SLASH;
        }
        return semicolon >= 0 ? PARAMETERS : null;
    }

    /** The first '\\', ';' or their encoded forms (and an encoded '/'), in order of position. */
    private static @Nullable String encodedAmbiguity(String rawPath) {
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '\\') {
                return AMBIGUOUS_SLASH;
            }
            if (c == ';') {
                return PARAMETERS;
            }
            if (c == '%' && i + 2 < rawPath.length()) {
                char h = rawPath.charAt(i + 1);
                char l = Character.toLowerCase(rawPath.charAt(i + 2));
                if ((h == '2' && l == 'f') || (h == '5' && l == 'c')) {
                    return AMBIGUOUS_SLASH;
                }
                if (h == '3' && l == 'b') {
                    return PARAMETERS;
                }
            }
        }
        return null;
    }

    /** Strict percent-decoding (no '+' to space in paths); empty for malformed input. */
    static Optional<String> decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return Optional.of(raw);
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 4);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.put((byte) (hi * 16 + lo));
                i += 2;
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(bytes);
            return Optional.of(chars.toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static final Optional<Map<String, List<String>>> NO_QUERY = Optional.of(Map.of());

    /**
     * Parses a raw query string into decoded parameters ('+' is a space, as in forms); empty for malformed input.
     *
     * @param rawQuery the query as received, without the {@code ?}; null or empty for none
     * @return each name with its values in the order sent (an empty string for a parameter without {@code =}); an
     *     empty map for no query; {@code Optional.empty()} for invalid percent-encoding or UTF-8
     */
    public static Optional<Map<String, List<String>>> query(@Nullable String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return NO_QUERY;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            Optional<String> name = decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
            Optional<String> value = decode(eq < 0 ? "" : pair.substring(eq + 1).replace('+', ' '));
            if (name.isEmpty() || value.isEmpty()) {
                return Optional.empty();
            }
            out.computeIfAbsent(name.get(), k -> new ArrayList<>()).add(value.get());
        }
        return Optional.of(out);
    }
}
