package dev.portcullis.auth;

import dev.portcullis.auth.oidc.BearerJwt;
import java.util.List;
import java.util.Optional;

/** Bearer JWTs from trusted issuers (workload identity); a verified token is remembered until it expires. */
final class BearerJwtAuthenticator implements Authenticator {
    private final BearerJwt verifier;

    BearerJwtAuthenticator(BearerJwt verifier) {
        this.verifier = verifier;
    }

    @Override
    public Attempt cached(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Bearer bearer) || !BearerJwt.looksLikeJwt(bearer.token())) {
            return Attempt.NOT_MINE;
        }
        Optional<BearerJwt.Result.Valid> cached = verifier.verifyCached(bearer.token());
        return cached.isPresent() ? authenticated(cached.get()) : Attempt.NEEDS_BLOCKING;
    }

    @Override
    public Attempt verify(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Bearer bearer) || !BearerJwt.looksLikeJwt(bearer.token())) {
            return Attempt.NOT_MINE;
        }
        BearerJwt.Result r = verifier.verify(bearer.token());
        if (r instanceof BearerJwt.Result.Valid v) {
            return authenticated(v);
        }
        if (r instanceof BearerJwt.Result.Unavailable u) {
            return new Attempt.Unavailable(u.reason());
        }
        return new Attempt.Failed(((BearerJwt.Result.Invalid) r).reason());
    }

    private static Attempt authenticated(BearerJwt.Result.Valid v) {
        return new Attempt.Authenticated(new Identity(v.user(), v.groups(), Identity.AuthMethod.BEARER, null, List.of()));
    }
}
