package dev.portcullis.auth.apikey;

import dev.portcullis.policy.Action;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An API key's record, never its secret or hash.
 *
 * @param id the public key id embedded in the token
 * @param owner the user the key authenticates as
 * @param ownerGroups the owner's groups when the key was created (a later login's groups replace them)
 * @param scopes empty for "everything the owner may do"
 * @param expiresAt {@code null} for a key without expiry
 * @param lastUsed {@code null} until first used; recorded in batches, so it may lag
 * @param creator who or what created it (a user agent, "portcullis-keys")
 * @param revoked whether it has been revoked
 */
public record ApiKey(String id, String owner, List<String> ownerGroups, String label, List<Scope> scopes, Instant createdAt,
                     @Nullable Instant expiresAt, @Nullable Instant lastUsed, String creator, boolean revoked) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        ownerGroups = List.copyOf(ownerGroups);
        label = label == null ? "" : label;
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(createdAt, "createdAt");
        creator = creator == null ? "" : creator;
    }

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Whether the key's scopes allow the action on the repository (the owner's policy must allow it too). */
    public boolean permits(String repository, Action action) {
        return Scope.permitAll(scopes, repository, action);
    }

    ApiKey withRevoked() {
        return new ApiKey(id, owner, ownerGroups, label, scopes, createdAt, expiresAt, lastUsed, creator, true);
    }

    ApiKey withLastUsed(Instant used) {
        return new ApiKey(id, owner, ownerGroups, label, scopes, createdAt, expiresAt, used, creator, revoked);
    }
}
