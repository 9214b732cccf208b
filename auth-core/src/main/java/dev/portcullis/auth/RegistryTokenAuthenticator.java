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
        return decide(presented, false);
    }

    @Override
    public Attempt verify(Presented presented) {
        return decide(presented, true);
    }

    /**
     * The token's answer. Whether the API key it was minted from still stands comes from memory; when the event feed is
     * stale that needs the store, which {@code mayAskStore} allows (else {@link Attempt#NEEDS_BLOCKING}).
     */
    private Attempt decide(Presented presented, boolean mayAskStore) {
        String token = token(presented);
        if (token == null) {
            return Attempt.NOT_MINE;
        }
        RegistryTokens.Token t = tokens.verifyAccess(token);
        if (t == null) {
            return new Attempt.Failed("the registry token is invalid or expired; fetch a new one from the token service");
        }
        String keyId = t.keyId();
        String owner = t.subject();
        if (keyId == null || owner == null) {
            return t.attempt();
        }
        ApiKeyService keys = this.keys;
        if (keys == null) {
            return revoked(keyId);
        }
        ApiKeyService.Standing standing = keys.standing(keyId, owner, t.issuedAt());
        if (standing == ApiKeyService.Standing.UNKNOWN) {
            if (!mayAskStore) {
                return Attempt.NEEDS_BLOCKING;
            }
            try {
                standing = keys.holder(keyId).filter(v -> v.key().owner().equals(owner)).isPresent() ? ApiKeyService.Standing.USABLE
                        : ApiKeyService.Standing.REVOKED;
            } catch (ApiKeyStoreException e) {
                return new Attempt.Unavailable("the key store is unavailable");
            }
        }
        return standing == ApiKeyService.Standing.REVOKED ? revoked(keyId) : t.attempt();
    }

    private static Attempt revoked(String keyId) {
        return new Attempt.Failed("the registry token was minted from API key " + keyId + ", which is revoked or expired");
    }

    /** The Bearer token, if it is one of this service's (by its header); else null. */
    private @Nullable String token(Presented presented) {
        return presented.credentials() instanceof Credentials.Bearer bearer && tokens.isOurs(bearer.token()) ? bearer.token() : null;
    }
}
