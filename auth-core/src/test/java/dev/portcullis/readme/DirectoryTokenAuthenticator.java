package dev.portcullis.readme;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.auth.Authenticator;
import dev.portcullis.auth.Credentials;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Presented;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens of your own token service: asked once per token (which may block), then remembered for a minute, so
 * that an event-loop server decides the next requests on its event loop. A token the service withdraws keeps working
 * until its minute is up: choose the time with that in mind.
 */
public final class DirectoryTokenAuthenticator implements Authenticator {
    /** Your token service: the user and groups a token belongs to, or empty. May block. */
    public interface Directory {
        Optional<Identity> owner(String token) throws IOException;
    }

    private final Directory directory;
    private final Cache<String, Identity> remembered = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1)).maximumSize(10_000).build();

    public DirectoryTokenAuthenticator(Directory directory) {
        this.directory = directory;
    }

    /** From memory only: never blocks. */
    @Override
    public Attempt cached(Presented presented) {
        String token = token(presented);
        if (token == null) {
            return Attempt.NOT_MINE; // not ours: the next authenticator is asked
        }
        Identity known = remembered.getIfPresent(token);
        return known != null ? new Attempt.Authenticated(known) : Attempt.NEEDS_BLOCKING;
    }

    /** Asks the service; the pipeline calls this where blocking is allowed. */
    @Override
    public Attempt verify(Presented presented) {
        String token = token(presented);
        if (token == null) {
            return Attempt.NOT_MINE;
        }
        try {
            Optional<Identity> owner = directory.owner(token);
            if (owner.isEmpty()) {
                return new Attempt.Failed("unknown directory token"); // 401, audited; never the token itself
            }
            remembered.put(token, owner.get());
            return new Attempt.Authenticated(owner.get());
        } catch (IOException e) {
            return new Attempt.Unavailable("the token directory cannot be reached"); // 503, never anonymous access
        }
    }

    /** A bearer token in this service's format ({@code dir_...}), or null. */
    private static @Nullable String token(Presented presented) {
        return presented.credentials() instanceof Credentials.Bearer bearer && bearer.token().startsWith("dir_") ? bearer.token() : null;
    }

    /** The identity of a directory user. */
    public static Identity user(String name, List<String> groups) {
        return new Identity(name, groups, Identity.AuthMethod.OTHER, null, List.of());
    }
}
