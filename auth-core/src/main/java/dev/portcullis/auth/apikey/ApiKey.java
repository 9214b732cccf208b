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
 * @param label the owner's name for the key; empty when none was given
 * @param scopes empty for "everything the owner may do"
 * @param createdAt when the key was created
 * @param expiresAt {@code null} for a key without expiry
 * @param lastUsed {@code null} until first used; recorded in batches, so it may lag
 * @param creator who or what created it (a user agent, "portcullis-keys")
 * @param revoked whether it has been revoked
 */
public record ApiKey(String id, String owner, List<String> ownerGroups, String label, List<Scope> scopes, Instant createdAt,
                     @Nullable Instant expiresAt, @Nullable Instant lastUsed, String creator, boolean revoked) {
    /**
     * Checks the required parts and copies the lists; a null label or creator becomes empty.
     *
     * @param id the public key id
     * @param owner the user the key authenticates as
     * @param ownerGroups the owner's groups when the key was created
     * @param label the owner's name for the key
     * @param scopes what the key may be used for; empty for everything the owner may do
     * @param createdAt when the key was created
     * @param expiresAt when the key expires, or {@code null} for never
     * @param lastUsed when the key was last used, or {@code null} for never
     * @param creator who or what created it
     * @param revoked whether it has been revoked
     * @throws NullPointerException if {@code id}, {@code owner}, {@code createdAt} or a list is null
     */
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        ownerGroups = List.copyOf(ownerGroups);
        label = label == null ? "" : label;
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(createdAt, "createdAt");
        creator = creator == null ? "" : creator;
    }

    /**
     * Whether the key has expired at {@code now}.
     *
     * @param now the time to judge by
     * @return true from the expiry instant on; false for a key without expiry
     */
    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /**
     * Whether the key's scopes allow the action on the repository (the owner's policy must allow it too).
     *
     * @param repository the repository name, e.g. {@code team/app}
     * @param action the action asked for
     * @return true if a scope allows it, or the key has no scopes
     */
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
