package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.KeyVerification;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * API keys, as the Basic password (the user must be the key's owner) or as a Bearer token with the keys' prefix. From
 * memory: the whole {@code Authorization} value, remembered by its digest once it carried a valid key (and, on a
 * connection, by a keyed tag, so that a keep-alive client's same header is neither decoded nor hashed), then the token's
 * verified-cache entry. Otherwise the key service verifies it (Argon2id, the store).
 */
final class ApiKeyAuthenticator implements Authenticator {
    private final ApiKeyService keys;
    private final Refusals refusals;

    ApiKeyAuthenticator(ApiKeyService keys, Refusals refusals) {
        this.keys = keys;
        this.refusals = refusals;
    }

    /** What a connection remembers: its presentation memory, and the attempt the last remembered verification gave. */
    private static final class Remembered {
        final ApiKeyService.PresentationMemory presentation;
        volatile KeyVerification.@Nullable Valid of;
        volatile @Nullable Attempt attempt;

        Remembered(ApiKeyService.PresentationMemory presentation) {
            this.presentation = presentation;
        }
    }

    @Override
    public Attempt cached(Presented presented) {
        String value = presented.singleAuthorization();
        if (value != null && (AuthorizationHeader.isBasic(value) || AuthorizationHeader.isBearerStarting(value, keys.prefix()))) {
            Attempt remembered = rememberedPresentation(presented, value);
            if (remembered != null) {
                return remembered;
            }
        }
        String token = token(presented);
        if (token == null) {
            return Attempt.NOT_MINE;
        }
        Optional<KeyVerification> cached = keys.verifyCached(token);
        return cached.isEmpty() ? Attempt.NEEDS_BLOCKING : answer(presented, token, cached.get());
    }

    @Override
    public Attempt verify(Presented presented) {
        String token = token(presented);
        return token == null ? Attempt.NOT_MINE : answer(presented, token, keys.verify(token));
    }

    /** A key that verified lately, or whose secret fits its key's fingerprint, is not held back by others' failures. */
    @Override
    public boolean vouchesFor(Presented presented) {
        String token = token(presented);
        return token != null && (keys.verifiedBefore(token) || keys.fitsFingerprint(token));
    }

    /**
     * The answer for an {@code Authorization} value that carried a valid key before, while the key's verification is
     * cached, without decoding the value again: a Basic user was checked against the key's owner then, and neither
     * changes for the same value. Null: decide the value in full.
     */
    private @Nullable Attempt rememberedPresentation(Presented presented, String value) {
        Remembered memory = null;
        if (presented.onConnection()) {
            memory = (Remembered) presented.remembered();
            if (memory == null) {
                memory = new Remembered(keys.presentationMemory());
                presented.remember(memory);
            }
        }
        Optional<KeyVerification> cached = memory == null ? keys.verifyCachedPresentation(value)
                : keys.verifyCachedPresentation(value, memory.presentation);
        if (cached.isEmpty()) {
            return null;
        }
        if (memory != null && memory.of == cached.get()) { // the same verification: the same identity
            return memory.attempt;
        }
        Attempt attempt = answer(cached.get(), null);
        if (memory != null && cached.get() instanceof KeyVerification.Valid valid) {
            memory.attempt = attempt;
            memory.of = valid;
        }
        return attempt;
    }

    /** The API key in the credentials (Basic password or Bearer token with the keys' prefix), or null. */
    private @Nullable String token(Presented presented) {
        Credentials credentials = presented.credentials();
        String token = credentials instanceof Credentials.Basic b ? b.password()
                : credentials instanceof Credentials.Bearer t ? t.token() : null;
        return token != null && token.startsWith(keys.prefix()) ? token : null;
    }

    /** The answer for a verification of the presented token; a valid one's presentation is remembered. */
    private Attempt answer(Presented presented, String token, KeyVerification v) {
        String basicUser = presented.credentials() instanceof Credentials.Basic basic ? basic.user() : null;
        Attempt attempt = answer(v, basicUser);
        if (attempt instanceof Attempt.Authenticated) {
            String presentation = presented.singleAuthorization();
            if (presentation != null) {
                keys.rememberPresentation(presentation, token);
            }
        }
        return attempt;
    }

    private Attempt answer(KeyVerification v, @Nullable String basicUser) {
        if (v instanceof KeyVerification.Valid valid) {
            if (basicUser != null && !basicUser.equals(valid.key().owner())) {
                return new Attempt.Failed("API key " + valid.key().id() + " belongs to another user than " + refusals.userForLog(basicUser));
            }
            return new Attempt.Authenticated(new Identity(valid.key().owner(), valid.groups(), Identity.AuthMethod.API_KEY, valid.key().id(),
                    valid.key().scopes()));
        }
        if (v instanceof KeyVerification.Unavailable u) {
            return new Attempt.Unavailable(u.reason());
        }
        return new Attempt.Failed("API key rejected: " + ((KeyVerification.Rejected) v).reason().name().toLowerCase(Locale.ROOT));
    }
}
