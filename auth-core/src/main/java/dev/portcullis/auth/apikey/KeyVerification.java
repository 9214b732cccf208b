package dev.portcullis.auth.apikey;

import java.util.List;

/** The outcome of presenting an API key: valid, rejected (401), or the store unavailable (503). */
public sealed interface KeyVerification {

    /** Why a key was rejected; for logs, never shown to the client in detail. */
    enum Reason {
        /** wrong prefix, length, characters or checksum: rejected without touching the store */
        MALFORMED,
        /** no key with this id */
        UNKNOWN_KEY,
        /** the secret does not match */
        WRONG_SECRET,
        /** this exact token failed moments ago */
        RECENTLY_FAILED,
        /** too many wrong secrets for this key id: cooling down, nothing is hashed */
        THROTTLED,
        /** the key was revoked */
        REVOKED,
        /** the key's expiry has passed */
        EXPIRED
    }

    /**
     * @param key the key's record
     * @param groups the owner's groups: those of the owner's latest login, else those given at creation
     */
    record Valid(ApiKey key, List<String> groups) implements KeyVerification {
    }

    /**
     * The key is not accepted; the client is answered 401.
     *
     * @param reason why, for logs
     */
    record Rejected(Reason reason) implements KeyVerification {
    }

    /**
     * The store could not be consulted, or every Argon2 slot stayed busy; fail closed.
     *
     * @param reason what went wrong, for logs
     */
    record Unavailable(String reason) implements KeyVerification {
    }
}
