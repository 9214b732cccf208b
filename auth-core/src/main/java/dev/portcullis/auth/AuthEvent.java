package dev.portcullis.auth;

import dev.portcullis.policy.Action;
import org.jspecify.annotations.Nullable;

/**
 * One access decision, for audit. Never carries a credential.
 *
 * @param user the user name, or {@code null} for an anonymous caller (or one whose credentials failed)
 * @param authMethod how the caller authenticated, or {@code null}
 * @param repository the repository decided on, or {@code null}
 * @param action the action decided on, or {@code null}
 * @param status the response status Portcullis chose: 0 when the request proceeds to the application
 * @param pattern the policy pattern that applied, or {@code null}
 * @param reason why, in words
 */
public record AuthEvent(@Nullable String user, Identity.@Nullable AuthMethod authMethod, String method, String path,
                        @Nullable String repository, @Nullable Action action, int status, @Nullable String pattern, String clientAddress,
                        String reason) {
    public boolean allowed() {
        return status == 0;
    }
}
