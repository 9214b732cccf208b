package dev.portcullis.auth;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import org.jspecify.annotations.Nullable;

/**
 * Registry tokens from this registry's token service, as Bearer credentials: verified by their signature (in memory,
 * never blocking), remembered until they expire; the caller they were minted for, narrowed to what they grant. A token
 * minted from an API key stands only while the key does: a revocation here ends it at once, one on another node within
 * the event poll interval, as for the key itself. An anonymous token makes the caller anonymous.
 */
final class RegistryTokenAuthenticator implements Authenticator {
    private final RegistryTokens tokens;
    private final @Nullable ApiKeyService keys;

    RegistryTokenAuthenticator(RegistryTokens tokens, @Nullable ApiKeyService keys) {
        this.tokens = tokens;
        this.keys = keys;
    }

    @Override
    public Attempt cached(Presented presented) {
        String token = token(presented);
        if (token == null) {
            return Attempt.NOT_MINE;
        }
        RegistryTokens.Token t = tokens.verifyAccess(token);
        if (t == null) {
            return new Attempt.Failed("the registry token is invalid or expired; fetch a new one from the token service");
        }
        String keyId = t.keyId();
        if (keyId != null && t.subject() != null) {
            ApiKeyService.Standing standing = keys == null ? ApiKeyService.Standing.REVOKED : keys.standing(keyId, t.subject(), t.issuedAt());
            if (standing == ApiKeyService.Standing.UNKNOWN) {
                return Attempt.NEEDS_BLOCKING;
            }
            if (standing == ApiKeyService.Standing.REVOKED) {
                return revoked(keyId);
            }
        }
        return t.attempt();
    }

    @Override
    public Attempt verify(Presented presented) {
        String token = token(presented);
        if (token == null) {
            return Attempt.NOT_MINE;
        }
        RegistryTokens.Token t = tokens.verifyAccess(token);
        if (t == null) {
            return new Attempt.Failed("the registry token is invalid or expired; fetch a new one from the token service");
        }
        String keyId = t.keyId();
        if (keyId != null && t.subject() != null) {
            // the event feed is stale: the store says whether the key stands
            try {
                if (keys == null || keys.holder(keyId).filter(v -> v.key().owner().equals(t.subject())).isEmpty()) {
                    return revoked(keyId);
                }
            } catch (ApiKeyStoreException e) {
                return new Attempt.Unavailable("the key store is unavailable");
            }
        }
        return t.attempt();
    }

    private static Attempt revoked(String keyId) {
        return new Attempt.Failed("the registry token was minted from API key " + keyId + ", which is revoked or expired");
    }


    /** The Bearer token, if it is one of this service's (by its header); else null. */
    private @Nullable String token(Presented presented) {
        return presented.credentials() instanceof Credentials.Bearer bearer && tokens.isOurs(bearer.token()) ? bearer.token() : null;
    }
}
