package dev.portcullis.auth;

/**
 * What a request's {@code Authorization} header carries, for {@link Authenticator}s: nothing, Basic credentials, a
 * Bearer token, or something malformed, which is refused (401), never read as "none". An empty Basic user and password
 * ({@code Basic Og==}, what skopeo sends without credentials) is none, as in zot.
 */
public sealed interface Credentials {
    /** No credentials: anonymous, unless a session cookie says otherwise. */
    record None() implements Credentials {
    }

    /** Basic credentials: user and password, decoded from strict UTF-8. */
    record Basic(String user, String password) implements Credentials {
        @Override
        public String toString() {
            return "Basic[user=" + user + "]";
        }
    }

    /** A Bearer token: one word. */
    record Bearer(String token) implements Credentials {
        @Override
        public String toString() {
            return "Bearer[…]";
        }
    }

    /**
     * A header that cannot be read: several of them, bad base64, no scheme, an unknown scheme, control characters.
     *
     * @param why for the log; never contains the credential
     */
    record Malformed(String why) implements Credentials {
    }
}
