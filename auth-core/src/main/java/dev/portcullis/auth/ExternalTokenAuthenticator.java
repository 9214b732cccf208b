package dev.portcullis.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.auth.oidc.ExternalTokenServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tokens of an external token server (zot's {@code http.auth.bearer} with {@code realm}, {@code service} and
 * {@code cert}), as Bearer credentials: verified with the server's key where blocking is allowed (a signature check),
 * remembered until they expire. As in zot, what a token's {@code access} claim grants is all it may do; the policy is not asked. A token
 * this server did not sign is left to the next authenticator (bearer JWTs of trusted issuers).
 */
final class ExternalTokenAuthenticator implements Authenticator {
    /** The name of a token without a subject (an anonymous token of the server's): no user name can be it. */
    static final String NO_SUBJECT = "<token without subject>";
    private final ExternalTokenServer server;
    /** The answer of each verified token, made once (its scopes compile patterns): keyed by the server's remembered object. */
    private final Cache<ExternalTokenServer.Verified, Attempt> attempts = Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

    ExternalTokenAuthenticator(ExternalTokenServer server) {
        this.server = server;
    }

    @Override
    public Attempt cached(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Bearer bearer) || !server.claims(bearer.token())) {
            return Attempt.NOT_MINE;
        }
        ExternalTokenServer.Verified v = server.cached(bearer.token());
        return v == null ? Attempt.NEEDS_BLOCKING : attempts.get(v, ExternalTokenAuthenticator::attempt); // a signature check: not on an event loop
    }

    @Override
    public Attempt verify(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Bearer bearer) || !server.claims(bearer.token())) {
            return Attempt.NOT_MINE;
        }
        ExternalTokenServer.Verified v = server.verify(bearer.token());
        return v == null ? Attempt.NOT_MINE : attempts.get(v, ExternalTokenAuthenticator::attempt);
    }

    private static Attempt attempt(ExternalTokenServer.Verified v) {
        List<RegistryTokens.Grant> grants = new ArrayList<>();
        for (ExternalTokenServer.Access a : v.access()) {
            grants.add(new RegistryTokens.Grant(a.type(), a.name(), Set.copyOf(a.actions())));
        }
        return new Attempt.Authenticated(new Identity(v.subject().isEmpty() ? NO_SUBJECT : v.subject(), List.of(),
                Identity.AuthMethod.EXTERNAL_TOKEN, null, RegistryTokens.scopes(grants)));
    }
}
