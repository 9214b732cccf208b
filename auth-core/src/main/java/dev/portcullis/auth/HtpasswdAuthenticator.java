package dev.portcullis.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Basic credentials of the users of an htpasswd file (bcrypt). The file is checked for changes on each verification,
 * so it never decides from memory alone; a user it does not list is not its to decide.
 */
final class HtpasswdAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(HtpasswdAuthenticator.class);
    private final Htpasswd htpasswd;

    HtpasswdAuthenticator(Htpasswd htpasswd) {
        this.htpasswd = htpasswd;
    }

    @Override
    public Attempt cached(Presented presented) {
        return presented.credentials() instanceof Credentials.Basic ? Attempt.NEEDS_BLOCKING : Attempt.NOT_MINE;
    }

    @Override
    public Attempt verify(Presented presented) {
        if (!(presented.credentials() instanceof Credentials.Basic basic)) {
            return Attempt.NOT_MINE;
        }
        try {
            if (!htpasswd.hasUser(basic.user())) {
                return Attempt.NOT_MINE;
            }
            if (htpasswd.verify(basic.user(), basic.password())) {
                return new Attempt.Authenticated(new Identity(basic.user(), java.util.List.of(), Identity.AuthMethod.HTPASSWD, null,
                        java.util.List.of()));
            }
            return new Attempt.Failed("wrong password for htpasswd user '" + basic.user() + "'");
        } catch (IllegalStateException e) {
            LOG.error("htpasswd unavailable: {}", e.getMessage());
            return new Attempt.Unavailable(null);
        }
    }

    /** Credentials that verified lately pass a failure limit others on the same address tripped. */
    @Override
    public boolean vouchesFor(Presented presented) {
        return presented.credentials() instanceof Credentials.Basic b && htpasswd.verifiedRecently(b.user(), b.password());
    }
}
